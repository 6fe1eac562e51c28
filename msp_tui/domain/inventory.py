"""Provides the inventory rows of `msp-tui export` and the dashboard's exports.

The row schemas are stable and documented in the README: field names never change
meaning; new fields may be added at the end. Values are JSON types (dates as ISO-8601).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msp_tui.domain.health import device_health
from msp_tui.domain.hierarchy import OrgTree, build_tree
from msp_tui.domain.policy import CheckSettings
from msp_tui.models import AccountSnapshot

EXPORT_SCHEMA = "msp-tui.export/1"

ORG_FIELDS = (
    "org_id", "org_uid", "org_guid", "name", "status", "parent_org_id", "customer", "path",
    "depth", "users", "devices", "registration_key", "creation_date",
)
USER_FIELDS = (
    "user_id", "user_uid", "username", "email", "first_name", "last_name", "status", "org_id",
    "org", "customer", "active_devices", "devices", "last_completed_backup", "archive_bytes",
    "creation_date",
)
DEVICE_FIELDS = (
    "computer_id", "guid", "name", "hostname", "os", "os_version", "status", "user_id",
    "username", "org_id", "customer", "last_connected", "last_completed_backup",
    "days_since_backup", "health", "archive_bytes", "destinations", "product_version",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _in_org(tree: OrgTree, org_id: int | None, only: set[int] | None) -> bool:
    return only is None or org_id in only


def org_scope(tree: OrgTree, name: str | None) -> set[int] | None:
    """Returns the org ids of the customer named `name` (with its nested orgs), None for all.

    Raises:
        LookupError: no customer org has that name; the message lists close names.
    """
    if name is None:
        return None
    customer = tree.find_by_name(name)
    if customer is None:
        known = sorted(o.org_name for o in tree.customers)
        hint = ", ".join(n for n in known if name.casefold() in n.casefold()) or ", ".join(known[:8])
        raise LookupError(f"No customer org named {name!r}. Known: {hint}.")
    return {oid for oid, cid in tree.customer_of.items() if cid == customer.org_id}


def org_rows(snapshot: AccountSnapshot, only: set[int] | None = None) -> list[dict[str, Any]]:
    """Returns one row per org."""
    tree = build_tree(snapshot)
    users: dict[int, int] = {}
    devices: dict[int, int] = {}
    for user in snapshot.users:
        if user.is_active and user.org_id is not None:
            users[user.org_id] = users.get(user.org_id, 0) + 1
    for device in snapshot.devices:
        if device.is_active and device.org_id is not None:
            devices[device.org_id] = devices.get(device.org_id, 0) + 1
    rows = []
    for org in snapshot.orgs:
        if not _in_org(tree, org.org_id, only):
            continue
        rows.append({
            "org_id": org.org_id,
            "org_uid": org.org_uid,
            "org_guid": org.org_guid,
            "name": org.org_name,
            "status": org.status or ("Active" if org.is_active else "Deactivated"),
            "parent_org_id": org.parent_org_id,
            "customer": tree.line_name(org.org_id),
            "path": tree.path_str(org.org_id),
            "depth": tree.depth.get(org.org_id),
            "users": users.get(org.org_id, 0),
            "devices": devices.get(org.org_id, 0),
            "registration_key": org.registration_key,
            "creation_date": _iso(org.creation_date),
        })
    return rows


def user_rows(
    snapshot: AccountSnapshot, settings: CheckSettings, now: datetime, only: set[int] | None = None
) -> list[dict[str, Any]]:
    """Returns one row per user with device counts and their latest completed backup."""
    tree = build_tree(snapshot)
    per_user: dict[int, list[Any]] = {}
    for device in snapshot.devices:
        if device.user_id is not None:
            per_user.setdefault(device.user_id, []).append(device_health(device, settings, now))
    rows = []
    for user in snapshot.users:
        if not _in_org(tree, user.org_id, only):
            continue
        healths = per_user.get(user.user_id, [])
        backups = [h.last_completed_backup for h in healths if h.last_completed_backup]
        rows.append({
            "user_id": user.user_id,
            "user_uid": user.user_uid,
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "status": user.status or ("Active" if user.is_active else "Deactivated"),
            "org_id": user.org_id,
            "org": org.org_name if (org := snapshot.org(user.org_id)) is not None else user.org_name,
            "customer": tree.line_name(user.org_id),
            "active_devices": sum(1 for h in healths if h.backing_up),
            "devices": len(healths),
            "last_completed_backup": _iso(max(backups)) if backups else None,
            "archive_bytes": sum(h.archive_bytes for h in healths),
            "creation_date": _iso(user.creation_date),
        })
    return rows


def device_rows(
    snapshot: AccountSnapshot, settings: CheckSettings, now: datetime, only: set[int] | None = None
) -> list[dict[str, Any]]:
    """Returns one row per device with its health and destinations."""
    tree = build_tree(snapshot)
    usernames = {u.user_id: u.username for u in snapshot.users}
    rows = []
    for device in snapshot.devices:
        if not _in_org(tree, device.org_id, only):
            continue
        health = device_health(device, settings, now)
        days = health.days_since_backup
        rows.append({
            "computer_id": device.computer_id,
            "guid": device.guid,
            "name": device.display_name,
            "hostname": device.os_hostname,
            "os": device.os_name,
            "os_version": device.os_version,
            "status": device.status,
            "user_id": device.user_id,
            "username": usernames.get(device.user_id) if device.user_id is not None else None,
            "org_id": device.org_id,
            "customer": tree.line_name(device.org_id),
            "last_connected": _iso(health.last_connected),
            "last_completed_backup": _iso(health.last_completed_backup),
            "days_since_backup": round(days, 1) if days is not None else None,
            "health": health.health.value,
            "archive_bytes": health.archive_bytes,
            "destinations": "; ".join(
                u.target_computer_name or u.target_computer_guid or "?" for u in device.backup_usage
            ),
            "product_version": device.product_version,
        })
    return rows
