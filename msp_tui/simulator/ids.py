"""Provides deterministic identifiers derived from integer ids (no randomness needed)."""

from __future__ import annotations

import hashlib
import uuid

_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _digest(text: str, size: int = 16) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def numeric_uid(kind: str, ident: object) -> str:
    """Returns an 18-digit numeric string, like Code42's orgUid/userUid/guid values."""
    value = int.from_bytes(_digest(f"{kind}:{ident}", 8), "big")
    return str(10**17 + value % (9 * 10**17))


def org_guid(org_id: int) -> str:
    """Returns the orgGuid (uuid form) of an org id."""
    return str(uuid.UUID(bytes=_digest(f"orgguid:{org_id}")))


def registration_key(org_id: int) -> str:
    """Returns a registration key in the "WS8T-JKPH-CWK9-URKK" format."""
    raw = _digest(f"regkey:{org_id}")
    chars = "".join(_KEY_ALPHABET[b % len(_KEY_ALPHABET)] for b in raw)
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def tenant_uid(tenant: str) -> str:
    """Returns the tenantUid (uuid form) of a tenant key."""
    return str(uuid.UUID(bytes=_digest(f"tenant:{tenant}")))
