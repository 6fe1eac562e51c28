"""Provides the validators of the create forms and the CLI: org name, username/email, names.

Each validator returns None when the value is fine, or one clear sentence saying what is wrong.
They check only what can be known locally; the server remains the judge of duplicates
(reported as USER_DUPLICATE). Non-ASCII letters are accepted everywhere ("Zahnarztpraxis
Müller", "Łódź"), control characters nowhere.
"""

from __future__ import annotations

import re
import unicodedata

ORG_NAME_MAX = 100
"""Longest org name accepted."""
EMAIL_MAX = 254
"""Longest email address (RFC 5321 path limit)."""
LOCAL_PART_MAX = 64
"""Longest part of an email before the @."""
PERSON_NAME_MAX = 100
"""Longest first or last name accepted."""

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[^\W_](?:[\w-]{0,61}[^\W_])?$")


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides, which can make a name display as something else."""


def _control_chars(value: str) -> list[str]:
    # Other format characters (e.g. the zero-width non-joiner in Persian names) are legitimate.
    return [
        ch for ch in value
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI_CONTROLS
    ]


def _describe_control(chars: list[str]) -> str:
    shown = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(chars))
    return f"contains control characters ({shown})"


def validate_org_name(value: str) -> str | None:
    """Checks a customer org name: not blank, at most 100 characters, no control characters.

    Returns:
        None if valid, else a message such as "Org name is required.".
    """
    name = value.strip()
    if not name:
        return "Org name is required."
    if len(name) > ORG_NAME_MAX:
        return f"Org name is too long ({len(name)} characters; at most {ORG_NAME_MAX})."
    bad = _control_chars(value)
    if bad:
        return f"Org name {_describe_control(bad)}; remove them."
    return None


def validate_email(value: str, *, field: str = "Email") -> str | None:
    """Checks an email address (also used for usernames, which Code42 MSP users make emails).

    Accepts an internationalised domain ("müller.de") but requires an ASCII local part, one @,
    a dotted domain whose labels are letters, digits and hyphens, and at most 254 characters.

    Returns:
        None if valid, else a message naming `field`.
    """
    if not value.strip():
        return f"{field} is required."
    bad = _control_chars(value)
    if bad:
        return f"{field} {_describe_control(bad)}; remove them."
    if value != value.strip() or any(ch.isspace() for ch in value):
        return f"{field} must not contain spaces."
    if len(value) > EMAIL_MAX:
        return f"{field} is too long ({len(value)} characters; at most {EMAIL_MAX})."
    if value.count("@") != 1:
        return f"{field} must look like name@example.com (exactly one @)."
    local, domain = value.split("@")
    if not local:
        return f"{field} needs a name before the @."
    if len(local) > LOCAL_PART_MAX:
        return f"{field}: the part before the @ is too long (at most {LOCAL_PART_MAX})."
    if not _LOCAL.match(local):
        return f"{field}: the part before the @ has characters an email address cannot have."
    if not domain:
        return f"{field} needs a domain after the @ (e.g. example.com)."
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2:
        return f"{field}: the domain needs a dot (e.g. example.com)."
    if not all(_LABEL.match(label) for label in labels):
        return f"{field}: the domain {domain!r} is not valid."
    if labels[-1].isdigit():
        return f"{field}: the domain must end in a name such as .com, not a number."
    return None


def validate_username(value: str) -> str | None:
    """Checks a username: in the MSP program usernames are email addresses."""
    return validate_email(value, field="Username")


def validate_person_name(value: str, *, field: str = "Name", required: bool = False) -> str | None:
    """Checks a first or last name: optional unless `required`, ≤ 100 characters, no controls.

    Returns:
        None if valid, else a message naming `field`.
    """
    name = value.strip()
    if not name:
        return f"{field} is required." if required else None
    if len(name) > PERSON_NAME_MAX:
        return f"{field} is too long ({len(name)} characters; at most {PERSON_NAME_MAX})."
    bad = _control_chars(value)
    if bad:
        return f"{field} {_describe_control(bad)}; remove them."
    if not any(ch.isalpha() for ch in name):
        return f"{field} must contain at least one letter."
    return None


def validate_user_fields(
    username: str, email: str = "", first_name: str = "", last_name: str = ""
) -> dict[str, str]:
    """Validates the create-user fields together.

    An empty `email` means "same as the username".

    Returns:
        Messages by field name ("username", "email", "first_name", "last_name"); empty when valid.
    """
    problems = {
        "username": validate_username(username),
        "email": validate_email(email) if email.strip() else None,
        "first_name": validate_person_name(first_name, field="First name"),
        "last_name": validate_person_name(last_name, field="Last name"),
    }
    return {key: message for key, message in problems.items() if message}
