"""Provides the typed Code42 calls (orgs, users, devices, cold storage) on top of CoreClient.

Paths, methods and bodies are those of the reference (shared/code42-api.md): v1 lists,
v3 org and user actions keyed by guid/uid, v4 device (de)activation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from msp_tui.api import errors
from msp_tui.api.client import CoreClient
from msp_tui.models import ColdStorageRow, Device, Org, User

M = TypeVar("M", bound=BaseModel)

_USERS = TypeAdapter(list[User])


def _parse(adapter: TypeAdapter[Any], payload: Any, what: str) -> Any:
    try:
        return adapter.validate_python(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise errors.ResponseFormatError(
            f"The server sent a malformed {what} record ({where}: {first.get('msg')})."
        ) from exc


def _parse_one(model: type[Any], payload: Any, what: str) -> Any:
    if not isinstance(payload, dict):
        raise errors.ResponseFormatError(f"Expected one {what} object from the server.")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise errors.ResponseFormatError(f"The server sent a malformed {what} record.") from exc


_RETENTION_BLOCKS = ("settingsSummary", "settings", "settingsInherited")
"""Where a v3 org with `incSettings` carries `archiveHoldDays`; the first usable one wins (py42's
org-settings fixtures have the effective value in all three, the summary being the effective one)."""


def retention_days_of(org: dict[str, Any]) -> int | None:
    """Returns the cold-storage retention (`archiveHoldDays`) of a v3 org dict, in days.

    None when no settings block carries a usable value: missing, null, not a whole number,
    or below one day. A locked setting (`{"@locked": "true", "#text": "90"}`) and a numeric
    string count as the number they hold.
    """
    for block in _RETENTION_BLOCKS:
        settings = org.get(block)
        if not isinstance(settings, dict):
            continue
        days = _whole_days(settings.get("archiveHoldDays"))
        if days is not None:
            return days
    return None


def _whole_days(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 1 else None


class ModelPages(Generic[M]):
    """Parses pages of one v1 list resource (`{"data": {"totalCount", <key>: [...]}}`) into models.

    The page body goes straight from JSON bytes to models in pydantic's Rust core, which is
    both faster and leaner than decoding to dicts first (each record is validated once).
    """

    def __init__(self, key: str, model: type[M], what: str, identity: Callable[[M], Hashable]) -> None:
        self.what = what
        self._items = TypeAdapter(list[model])  # type: ignore[valid-type]
        page = create_model(
            f"{model.__name__}Page",
            __config__=ConfigDict(extra="ignore"),
            total_count=(Any, Field(None, alias="totalCount")),
            items=(list[model], Field(alias=key)),  # type: ignore[valid-type]
        )
        envelope = create_model(
            f"{model.__name__}Envelope", __config__=ConfigDict(extra="ignore"), data=(page, ...)
        )
        self._envelope = TypeAdapter(envelope)
        self._identity = identity

    def from_json(self, body: bytes) -> tuple[list[M], int | None] | None:
        try:
            data = self._envelope.validate_json(body).data  # type: ignore[attr-defined]  # built by create_model
        except ValidationError:
            return None  # not the usual shape or a bad record: the careful path decides
        total = data.total_count
        return data.items, total if isinstance(total, int) else None

    def from_items(self, items: list[dict[str, Any]]) -> list[M]:
        return _parse(self._items, items, self.what)

    def identity(self, item: Any) -> Hashable:
        return self._identity(item)


_ORG_PAGES = ModelPages("orgs", Org, "org", lambda o: o.org_id)
_USER_PAGES = ModelPages("users", User, "user", lambda u: u.user_id)
_DEVICE_PAGES = ModelPages("computers", Device, "device", lambda d: d.computer_id)
_COLD_PAGES = ModelPages("coldStorageRows", ColdStorageRow, "cold storage", lambda r: r.archive_guid)


class Code42Client(CoreClient):
    """The Code42 REST calls msp-tui needs, returning pydantic models."""

    # -- orgs -------------------------------------------------------------------------------

    async def list_orgs(self, *, active: bool | None = None) -> list[Org]:
        """Returns every org visible to the account (GET /api/v1/Org)."""
        return await self.get_all_parsed("/api/v1/Org", "orgs", {"active": active}, _ORG_PAGES)

    async def get_org(self, org_guid: str) -> Org:
        """Returns one org (GET /api/v3/orgs/{orgGuid})."""
        payload = await self.request("GET", f"/api/v3/orgs/{org_guid}")
        return _parse_one(Org, payload, "org")

    async def get_org_retention_days(self, org_guid: str) -> int | None:
        """Returns how many days an org's archives stay in cold storage before they are purged.

        Reads `archiveHoldDays` from GET /api/v3/orgs/{orgGuid}?incSettings=True, where py42's
        `OrgSettings.archive_hold_days` reads it too; the value is the effective one (inherited
        from the parent org unless the org sets its own). None when the server does not say
        (see `retention_days_of`); an answer that is not an org object is a ResponseFormatError.
        """
        path = f"/api/v3/orgs/{org_guid}"
        payload = await self.request("GET", path, params={"incSettings": True})
        if not isinstance(payload, dict):
            raise errors.ResponseFormatError(
                f"GET {path}: expected one org object with its settings.", method="GET", path=path
            )
        return retention_days_of(payload)

    async def create_org(
        self, name: str, parent_org_guid: str, *, ext_ref: str | None = None, notes: str | None = None
    ) -> Org:
        """Creates an org under `parent_org_guid` (POST /api/v3/orgs)."""
        body = {"orgName": name, "orgExtRef": ext_ref, "notes": notes, "parentOrgGuid": parent_org_guid}
        payload = await self.request("POST", "/api/v3/orgs", json=body)
        return _parse_one(Org, payload, "org")

    async def update_org(
        self, org_guid: str, name: str, *, ext_ref: str | None = None, notes: str | None = None
    ) -> None:
        """Renames or annotates an org (PUT /api/v3/orgs/{orgGuid})."""
        body = {"orgName": name, "orgExtRef": ext_ref, "notes": notes}
        await self.request("PUT", f"/api/v3/orgs/{org_guid}", json=body)

    async def deactivate_org(self, org_guid: str) -> None:
        """Deactivates an org, and with it its users and their devices."""
        await self.request("POST", f"/api/v3/orgs/{org_guid}/deactivate")

    async def activate_org(self, org_guid: str) -> None:
        """Reactivates a deactivated org."""
        await self.request("POST", f"/api/v3/orgs/{org_guid}/activate")

    # -- users ------------------------------------------------------------------------------

    async def list_users(
        self, *, org_uid: str | None = None, active: bool | None = None, query: str | None = None
    ) -> list[User]:
        """Returns users, optionally of one org (GET /api/v1/User)."""
        params = {"orgUid": org_uid, "active": active, "q": query}
        return await self.get_all_parsed("/api/v1/User", "users", params, _USER_PAGES)

    async def get_user(self, user_id: int) -> User:
        """Returns one user by id (GET /api/v1/User/{userId})."""
        return _parse_one(User, await self.request("GET", f"/api/v1/User/{user_id}"), "user")

    async def get_user_by_uid(self, user_uid: str) -> User:
        """Returns one user by uid (GET /api/v1/User/{userUid}?idType=uid)."""
        payload = await self.request("GET", f"/api/v1/User/{user_uid}", params={"idType": "uid"})
        return _parse_one(User, payload, "user")

    async def find_user(self, username: str) -> User | None:
        """Returns the user with this exact username, or None (GET /api/v1/User?username=)."""
        payload = await self.request("GET", "/api/v1/User", params={"username": username})
        users = payload.get("users", []) if isinstance(payload, dict) else []
        matches = [u for u in _parse(_USERS, users, "user") if u.username.lower() == username.lower()]
        return matches[0] if matches else None

    async def create_user(
        self,
        org_uid: str,
        username: str,
        *,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        notes: str | None = None,
        password: str | None = None,
    ) -> User:
        """Creates a user in an org (POST /api/v1/User). Never retried blindly."""
        body = {
            "orgUid": org_uid,
            "username": username,
            "email": email if email is not None else username,
            "password": password,
            "firstName": first_name,
            "lastName": last_name,
            "notes": notes,
        }
        payload = await self.request("POST", "/api/v1/User", json=body)
        return _parse_one(User, payload, "user")

    async def update_user(self, user_uid: str, **changes: Any) -> None:
        """Updates (e.g. renames) a user (PUT /api/v1/User/{uid}?idType=uid).

        Keyword names are the wire names: username, email, firstName, lastName, notes.
        """
        await self.request("PUT", f"/api/v1/User/{user_uid}", params={"idType": "uid"}, json=changes)

    async def deactivate_user(self, user_uid: str, *, block: bool | None = None) -> None:
        """Deactivates a user: their devices stop and their archives go to cold storage."""
        await self.request("POST", f"/api/v3/users/{user_uid}/deactivate", json={"block": block})

    async def activate_user(self, user_uid: str, *, unblock: bool | None = None) -> None:
        """Reactivates a user, bringing their archives back from cold storage."""
        await self.request("POST", f"/api/v3/users/{user_uid}/activate", json={"unblock": unblock})

    async def block_user(self, user_uid: str) -> None:
        """Blocks a user from signing in (backups continue)."""
        await self.request("POST", f"/api/v3/users/{user_uid}/block")

    async def unblock_user(self, user_uid: str) -> None:
        """Unblocks a user."""
        await self.request("POST", f"/api/v3/users/{user_uid}/unblock")

    async def move_user(self, user_uid: str, org_id: int) -> None:
        """Moves a user to another org of the same account (body takes the int orgId)."""
        await self.request("POST", f"/api/v3/users/{user_uid}/move", json={"orgId": org_id})

    # -- devices ----------------------------------------------------------------------------

    async def list_devices(
        self,
        *,
        org_uid: str | None = None,
        user_uid: str | None = None,
        active: bool | None = None,
        backup_usage: bool = True,
    ) -> list[Device]:
        """Returns devices, with backup usage per destination (GET /api/v1/Computer)."""
        params = {
            "orgUid": org_uid,
            "userUid": user_uid,
            "active": active,
            "incBackupUsage": backup_usage,
            "incCounts": True,
        }
        return await self.get_all_parsed("/api/v1/Computer", "computers", params, _DEVICE_PAGES)

    async def get_device(self, computer_id: int, *, backup_usage: bool = True) -> Device:
        """Returns one device by id."""
        payload = await self.request(
            "GET", f"/api/v1/Computer/{computer_id}", params={"incBackupUsage": backup_usage}
        )
        return _parse_one(Device, payload, "device")

    async def deactivate_device(self, computer_id: int) -> None:
        """Deactivates a device (its archive goes to cold storage)."""
        await self.request("POST", "/api/v4/computer-deactivation/update", json={"id": computer_id})

    async def reactivate_device(self, computer_id: int) -> None:
        """Reactivates a deactivated device."""
        await self.request("POST", "/api/v4/computer-deactivation/remove", json={"id": computer_id})

    async def block_device(self, computer_id: int) -> None:
        """Blocks a device (PUT /api/v1/ComputerBlock/{id})."""
        await self.request("PUT", f"/api/v1/ComputerBlock/{computer_id}")

    async def unblock_device(self, computer_id: int) -> None:
        """Unblocks a device (DELETE /api/v1/ComputerBlock/{id})."""
        await self.request("DELETE", f"/api/v1/ComputerBlock/{computer_id}")

    async def deauthorize_device(self, computer_id: int) -> None:
        """Signs a device out; backups stop, data is kept."""
        await self.request("PUT", f"/api/v1/ComputerDeauthorization/{computer_id}")

    # -- cold storage -----------------------------------------------------------------------

    async def list_cold_storage(self, org_id: int) -> list[ColdStorageRow]:
        """Returns archives held in cold storage under an org and its children."""
        params = {"orgId": org_id, "incChildOrgs": True, "srtKey": "archiveHoldExpireDate", "srtDir": "asc"}
        return await self.get_all_parsed("/api/v1/ColdStorage", "coldStorageRows", params, _COLD_PAGES)
