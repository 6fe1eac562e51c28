"""Provides the shared context of route handlers: clock, store, tokens, envelopes, lookups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from msp_tui.simulator.http import ApiError, Request, Response, bad_request, not_found, unauthorized
from msp_tui.simulator.store import Record, Store
from msp_tui.simulator.timefmt import iso

JWT_LIFETIME = 30 * 60
OAUTH_LIFETIME = 15 * 60
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Context:
    """What every handler needs: the store, the injectable clock and token signing."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> float:
        """Returns the current (injectable) time as epoch seconds."""
        return self.clock().timestamp()

    # ---- tokens: HS256 JWTs signed with a per-database secret, so they survive restarts ----
    def issue_token(self, tenant: str, user_id: int | None, kind: str, lifetime: int) -> str:
        """Returns a signed bearer token for a tenant (and console user, if any)."""
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {"tenant": tenant, "sub": user_id, "kind": kind, "exp": int(self.now()) + lifetime,
                  "iat": int(self.now())}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = _b64(self._sign(f"{header}.{payload}"))
        return f"{header}.{payload}.{signature}"

    def verify(self, request: Request) -> dict[str, Any]:
        """Returns the claims of the request's bearer token; raises 401 when missing/bad/expired."""
        value = request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() not in ("bearer", "v3_user_token") or token.count(".") != 2:
            raise unauthorized()
        head, payload, signature = token.strip().split(".")
        if not hmac.compare_digest(_b64(self._sign(f"{head}.{payload}")), signature):
            raise unauthorized()
        try:
            claims = json.loads(_unb64(payload))
        except ValueError as exc:
            raise unauthorized() from exc
        if claims.get("exp", 0) <= self.now():
            raise unauthorized()
        if claims.get("sub") is not None:
            user = self.store.users.get(claims["sub"])
            if user is None or not user["active"]:
                raise unauthorized()
        return claims

    def _sign(self, text: str) -> bytes:
        secret = self.store.meta["token_secret"].encode()
        return hmac.new(secret, text.encode(), hashlib.sha256).digest()

    # ---- envelopes ---------------------------------------------------------------------
    def ok(self, request: Request, data: Any, status: int = 200) -> Response:
        """Wraps `data` in the `{"metadata":{"timestamp","params"},"data":...}` envelope."""
        metadata = {"timestamp": iso(self.now()), "params": {k: str(v) for k, v in request.query.items()}}
        return Response(status, {"metadata": metadata, "data": data})

    def page(self, request: Request, items: Sequence[Record], key: str,
             render: Callable[[Record], dict[str, Any]]) -> Response:
        """Pages `items` by pgNum/pgSize (1-based; past the end = empty) into a list envelope."""
        number = request.int_param("pgNum", 1) or 1
        size = request.int_param("pgSize", DEFAULT_PAGE_SIZE) or DEFAULT_PAGE_SIZE
        if number < 1 or size < 1:
            raise bad_request("pgNum and pgSize must be positive")
        size = min(size, MAX_PAGE_SIZE)
        chunk = items[(number - 1) * size : number * size]
        return self.ok(request, {"totalCount": len(items), key: [render(item) for item in chunk]})

    # ---- tenant-scoped lookups (other tenants' objects do not exist) -----------------------
    def tenant(self, request: Request) -> str:
        """Returns the tenant key of the authenticated request."""
        return str(request.auth["tenant"])

    def org_by_id(self, request: Request, raw: str, id_type: str | None = None) -> Record:
        """Finds an org of the caller's tenant by orgId, orgUid or orgGuid."""
        store = self.store
        org: Record | None
        kind = (id_type or "").lower()
        if kind in ("orguid", "uid"):
            org = store.org_by_uid.get(raw)
        elif kind in ("orgguid", "guid"):
            org = store.org_by_guid.get(raw.lower())
        else:
            org = store.orgs.get(int(raw)) if raw.isdigit() and len(raw) < 12 else None
            org = org or store.org_by_guid.get(raw.lower()) or store.org_by_uid.get(raw)
        if org is None or org["tenant"] != self.tenant(request):
            raise ApiError(404, "SYSTEM", "Unable to find org")
        return org

    def user_by_id(self, request: Request, raw: str, id_type: str | None = None) -> Record:
        """Finds a user of the caller's tenant by userId or (idType=uid) userUid."""
        user: Record | None
        if (id_type or "").lower() == "uid":
            user = self.store.user_by_uid.get(raw)
        else:
            user = self.store.users.get(int(raw)) if raw.isdigit() and len(raw) < 12 else None
            user = user or self.store.user_by_uid.get(raw)
        if user is None or user["tenant"] != self.tenant(request):
            raise not_found("User")
        return user

    def device_by_id(self, request: Request, raw: Any, id_type: str | None = None) -> Record:
        """Finds a device of the caller's tenant by computerId or (idType=guid) guid."""
        text = str(raw)
        dev: Record | None
        if (id_type or "").lower() == "guid":
            dev = self.store.device_by_guid.get(text)
        else:
            dev = self.store.devices.get(int(text)) if text.isdigit() and len(text) < 12 else None
            dev = dev or self.store.device_by_guid.get(text)
        if dev is None or dev["tenant"] != self.tenant(request):
            raise not_found("Computer")
        return dev

    def archive_by_guid(self, request: Request, guid: str) -> Record:
        """Finds an archive of the caller's tenant."""
        arc = self.store.archives.get(guid)
        if arc is None or arc["tenant"] != self.tenant(request):
            raise not_found("Archive")
        return arc
