"""Provides the state changes of the demo authority (cascades, cold storage, validation)."""

from __future__ import annotations

import re
from typing import Any

from msp_tui.simulator.http import ApiError, bad_request
from msp_tui.simulator.seed import DEST_US, new_archive, new_device, new_org, new_user
from msp_tui.simulator.store import Record, Store
from msp_tui.simulator.timefmt import DAY
from msp_tui.simulator.wire import hold_days

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OS_ALIASES = {"win": "win", "windows": "win", "mac": "mac", "macos": "mac", "darwin": "mac", "osx": "mac",
              "linux": "linux", "ubuntu": "linux"}
OS_DEFAULTS = {"win": "10.0.22631", "mac": "14.5", "linux": "6.8.0-40-generic"}


def validation(name: str, description: str) -> ApiError:
    """A user validation failure: 500 with a named error, as the real server answers."""
    return ApiError(500, name, description, objects=True)


def check_user_fields(store: Store, username: str | None, email: str | None, *, exclude: Record | None = None) -> None:
    """Raises USERNAME_NOT_AN_EMAIL / EMAIL_INVALID / USER_DUPLICATE like the real server."""
    if username is not None:
        if not EMAIL_RE.match(username):
            raise validation("USERNAME_NOT_AN_EMAIL", "Username must be an email address")
        other = store.user_by_name.get(username.lower())
        if other is not None and other is not exclude:
            raise validation("USER_DUPLICATE", "A user with this username already exists")
    if email is not None:
        if not EMAIL_RE.match(email):
            raise validation("EMAIL_INVALID", "Email is invalid")
        for other in store.users.values():
            if other is not exclude and other["active"] and (other["email"] or "").lower() == email.lower():
                raise validation("USER_DUPLICATE", "Email is already in use by another active user")


def create_user(store: Store, org: Record, body: dict[str, Any], now: float) -> Record:
    """Creates a user in `org` after validating username and email."""
    username = (body.get("username") or "").strip()
    if not username:
        raise validation("INVALID_USERNAME", "Username is required")
    email = body.get("email") or username
    check_user_fields(store, username, email)
    if not org["active"]:
        raise bad_request("Organization is deactivated")
    user = new_user(store.next_id("user"), org["tenant"], org["id"], username, email,
                    body.get("firstName"), body.get("lastName"), now)
    user["notes"] = body.get("notes")
    store.add("users", user)
    return user


def update_user(store: Store, user: Record, body: dict[str, Any], now: float) -> None:
    """Renames a user (username/email/firstName/lastName/notes) with the create validation."""
    username = body.get("username")
    email = body.get("email")
    check_user_fields(store, username.strip() if username else None, email or None, exclude=user)
    if username:
        store.user_by_name.pop(user["username"].lower(), None)
        user["username"] = username.strip()
        store.user_by_name[user["username"].lower()] = user
    if email:
        user["email"] = email
    for wire_name, key in (("firstName", "first"), ("lastName", "last"), ("notes", "notes")):
        if wire_name in body:
            user[key] = body[wire_name]
    user["modified"] = now
    store.touch("users", user)


def deactivate_device(store: Store, dev: Record, now: float, *, by_user: bool = False) -> None:
    """Deactivates a device: backups stop and its archives move to cold storage."""
    if not dev["active"]:
        return
    org = store.orgs[store.users[dev["user_id"]]["org_id"]]
    dev.update(active=False, deactivated=now, modified=now, deact_by_user=by_user,
               frozen_at=dev["frozen_at"] if dev["frozen_at"] is not None else now)
    store.touch("devices", dev)
    for arc in store.device_archives(dev["id"]):
        arc.update(cold=True, cold_since=now, hold_expire=now + hold_days(store, org) * DAY)
        store.touch("archives", arc)


def reactivate_device(store: Store, dev: Record, now: float) -> None:
    """Reactivates a device: its archives leave cold storage and backup resumes."""
    if dev["active"]:
        return
    if not store.users[dev["user_id"]]["active"]:
        raise bad_request("Cannot reactivate a device of a deactivated user")
    dev.update(active=True, deactivated=None, modified=now, deact_by_user=False)
    if not dev["deauth"]:
        dev["frozen_at"] = None
    store.touch("devices", dev)
    for arc in store.device_archives(dev["id"]):
        arc.update(cold=False, cold_since=None, hold_expire=None)
        store.touch("archives", arc)


def deactivate_user(store: Store, user: Record, now: float, *, by_org: bool = False) -> None:
    """Deactivates a user and all of their devices (archives go to cold storage)."""
    if not user["active"]:
        return
    user.update(active=False, deactivated=now, modified=now, deact_by_org=by_org)
    store.touch("users", user)
    for dev in store.user_devices(user["id"]):
        deactivate_device(store, dev, now, by_user=True)


def reactivate_user(store: Store, user: Record, now: float) -> None:
    """Reactivates a user and the devices that were deactivated with them."""
    if user["active"]:
        return
    if not store.orgs[user["org_id"]]["active"]:
        raise bad_request("Cannot reactivate a user of a deactivated organization")
    if user["email"]:
        for other in store.users.values():
            if other is not user and other["active"] and (other["email"] or "").lower() == user["email"].lower():
                raise validation("USER_DUPLICATE", "Email is already in use by another active user")
    user.update(active=True, deactivated=None, modified=now, deact_by_org=False)
    store.touch("users", user)
    for dev in store.user_devices(user["id"]):
        if not dev["active"] and dev["deact_by_user"]:
            reactivate_device(store, dev, now)


def deactivate_org(store: Store, org: Record, now: float) -> None:
    """Deactivates an org, its child orgs, and their users and devices."""
    if org["parent_id"] is None:
        raise bad_request("Cannot deactivate the top-level organization")
    for index, node in enumerate(store.descendants(org["id"])):
        if not node["active"]:
            continue
        node.update(active=False, deactivated=now, modified=now, deact_by_parent=index > 0)
        store.touch("orgs", node)
        for user in [u for u in store.users.values() if u["org_id"] == node["id"]]:
            deactivate_user(store, user, now, by_org=True)


def reactivate_org(store: Store, org: Record, now: float) -> None:
    """Reactivates an org and what its deactivation took down with it."""
    parent = store.orgs.get(org["parent_id"]) if org["parent_id"] else None
    if parent is not None and not parent["active"]:
        raise bad_request("Cannot reactivate an organization whose parent is deactivated")
    for index, node in enumerate(store.descendants(org["id"])):
        if node["active"] or (index > 0 and not node["deact_by_parent"]):
            continue
        node.update(active=True, deactivated=None, modified=now, deact_by_parent=False)
        store.touch("orgs", node)
        for user in [u for u in store.users.values() if u["org_id"] == node["id"]]:
            if user["deact_by_org"]:
                reactivate_user(store, user, now)


def create_org(store: Store, parent: Record, body: dict[str, Any], now: float) -> Record:
    """Creates an org under `parent`."""
    name = (body.get("orgName") or "").strip()
    if not name:
        raise bad_request("orgName is required", "ORG_NAME_REQUIRED")
    if not parent["active"]:
        raise bad_request("Parent organization is deactivated")
    org = new_org(store.next_id("org"), parent["tenant"], name, parent["id"], now)
    org.update(ext_ref=body.get("orgExtRef"), notes=body.get("notes"))
    store.add("orgs", org)
    return org


def update_org(store: Store, org: Record, body: dict[str, Any], now: float) -> None:
    """Changes an org's name, external reference, notes (and archiveHoldDays)."""
    if "orgName" in body:
        name = (body.get("orgName") or "").strip()
        if not name:
            raise bad_request("orgName is required", "ORG_NAME_REQUIRED")
        org["name"] = name
    if "orgExtRef" in body:
        org["ext_ref"] = body["orgExtRef"]
    if "notes" in body:
        org["notes"] = body["notes"]
    settings = body.get("settings")
    if isinstance(settings, dict):
        # py42 sends the whole org back, with the inherited archiveHoldDays echoed: the
        # value is the org's own only once isUsingQuotaDefaults is off.
        if settings.get("isUsingQuotaDefaults") is True:
            org["hold_days"] = None
        elif settings.get("archiveHoldDays") is not None:
            org["hold_days"] = _hold_days_value(settings["archiveHoldDays"])
    org["modified"] = now
    store.touch("orgs", org)


def _hold_days_value(raw: Any) -> int | None:
    """Parses an archiveHoldDays value: whole days >= 1, or "" to inherit from the parent org."""
    if raw == "":
        return None
    try:
        days = int(str(raw).strip())
    except ValueError:
        days = 0
    if isinstance(raw, bool) or days < 1:
        raise bad_request(f"archiveHoldDays must be a whole number of days (1 or more), not {raw!r}")
    return days


def update_org_settings(store: Store, org: Record, body: dict[str, Any], now: float) -> None:
    """Applies `{"packets": [{"key", "value", "locked"}, ...]}` (PUT /api/v1/OrgSetting/{orgId}).

    `archiveHoldDays` sets the org's cold-storage retention ("" inherits it again); any other
    key is kept as an org t-setting and reported back by GET.
    """
    packets = body.get("packets")
    if not isinstance(packets, list) or not all(isinstance(p, dict) and isinstance(p.get("key"), str)
                                                and p["key"] for p in packets):
        raise bad_request('Expected {"packets": [{"key": ..., "value": ..., "locked": ...}]}')
    changes: dict[str, Any] = {}
    for packet in packets:
        if packet["key"] == "archiveHoldDays":
            changes["hold_days"] = _hold_days_value(packet.get("value"))
        else:
            value = packet.get("value")
            settings = changes.setdefault("t_settings", dict(org.get("t_settings") or {}))
            if isinstance(value, bool):
                value = "true" if value else "false"
            settings[packet["key"]] = {"value": value if value is None else str(value),
                                       "locked": bool(packet.get("locked"))}
    org.update(changes, modified=now)
    store.touch("orgs", org)


def move_user(store: Store, user: Record, target: Record, now: float) -> None:
    """Moves a user (and so their devices) to another org of the same tenant."""
    if not target["active"]:
        raise bad_request("Target organization is deactivated")
    user.update(org_id=target["id"], modified=now)
    store.touch("users", user)


def agent_signin(store: Store, user: Record, os_name: str, hostname: str, now: float) -> Record:
    """Creates the device of a fresh agent install: Active, initial backup to "PROe Cloud, US"."""
    if not user["active"]:
        raise bad_request("User is deactivated")
    os_key = OS_ALIASES.get(os_name.strip().lower())
    if os_key is None:
        raise bad_request(f"Unknown osName {os_name!r} (expected win, mac or linux)")
    if not hostname.strip():
        raise bad_request("hostname is required")
    dev = new_device(store.next_id("computer"), user, os_key, hostname.strip(), OS_DEFAULTS[os_key],
                     "11.4.1", "America/New_York", now)
    dev["conn_lag"] = 5.0
    store.add("devices", dev)
    size = 20_000_000_000 + (dev["id"] % 97) * 1_000_000_000
    arc = new_archive(dev, DEST_US, size, size // 800_000, size // 2, 600.0, now)
    arc["initial_until"] = now + 180.0
    store.add("archives", arc)
    return dev
