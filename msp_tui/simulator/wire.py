"""Provides the conversion of stored records to Code42 wire dicts (camelCase JSON)."""

from __future__ import annotations

from typing import Any

from msp_tui.simulator.seed import DEFAULT_HOLD_DAYS, DEST_US, DEST_US_WEST
from msp_tui.simulator.store import Record, Store
from msp_tui.simulator.timefmt import DAY, iso, iso_at, iso_day_anchored, resolve

DESTINATIONS = {
    DEST_US: {"name": "PROe Cloud, US", "server": "fsa-iad", "storePoint": "fsa-iad-2",
              "serverId": 160024121, "serverGuid": "883282371081742804", "storePointId": 10989},
    DEST_US_WEST: {"name": "PROe Cloud, US - West", "server": "cif-sea", "storePoint": "cif-sea-1",
                   "serverId": 160024377, "serverGuid": "883282371081749912", "storePointId": 10990},
}
ALERT_BITS = {"WarningConnectionAlert": 1, "CriticalConnectionAlert": 2, "WarningBackupAlert": 8,
              "CriticalBackupAlert": 16}
"""Bit values of the numeric alertState (2 and 16 are seen on real servers; 1 and 8 inferred)."""
WARNING_AFTER = 3 * DAY
CRITICAL_AFTER = 7 * DAY


def alerts(last_completed: float | None, last_connected: float | None, since: float, now: float) -> list[str]:
    """Returns alertStates for a backup whose last completion/connection is known (None = never)."""
    states = []
    backup_age = now - (last_completed if last_completed is not None else since)
    if backup_age > CRITICAL_AFTER:
        states.append("CriticalBackupAlert")
    elif backup_age > WARNING_AFTER:
        states.append("WarningBackupAlert")
    if last_connected is not None:
        connection_age = now - last_connected
        if connection_age > CRITICAL_AFTER:
            states.append("CriticalConnectionAlert")
        elif connection_age > WARNING_AFTER:
            states.append("WarningConnectionAlert")
    return states or ["OK"]


def alert_bits(states: list[str]) -> int:
    """Returns the numeric alertState of a list of alert names."""
    return sum(ALERT_BITS.get(s, 0) for s in states)


def hold_source(store: Store, org: Record) -> tuple[int, Record | None]:
    """Returns an org's effective archiveHoldDays and the org that sets it (None: the default)."""
    current: Record | None = org
    while current is not None:
        if current.get("hold_days"):
            return int(current["hold_days"]), current
        current = store.orgs.get(current["parent_id"]) if current["parent_id"] else None
    return DEFAULT_HOLD_DAYS, None


def hold_days(store: Store, org: Record) -> int:
    """Returns an org's archiveHoldDays, inherited from its parents (default 365)."""
    return hold_source(store, org)[0]


def org_counts(store: Store, tenant: str) -> dict[int, dict[str, int]]:
    """Returns the incCounts fields of every org of a tenant (active users and devices)."""
    table: dict[int, dict[str, int]] = {}
    for org in store.tenant_orgs(tenant):
        table[org["id"]] = {"userCount": 0, "licensedUserCount": 0, "computerCount": 0,
                            "backupComputerCount": 0, "orgCount": 0}
    for org in store.tenant_orgs(tenant):
        if org["parent_id"] in table:
            table[org["parent_id"]]["orgCount"] += 1
    for user in store.tenant_users(tenant):
        if not user["active"]:
            continue
        row = table[user["org_id"]]
        row["userCount"] += 1
        row["licensedUserCount"] += 1
        for dev in store.user_devices(user["id"]):
            if dev["active"]:
                row["computerCount"] += 1
                row["backupComputerCount"] += 1 if store.archives_by_device.get(dev["id"]) else 0
    return table


def org_wire(store: Store, org: Record, now: float, *, counts: dict[int, dict[str, int]] | None = None
             ) -> dict[str, Any]:
    """Returns an org as `/api/v1/Org` and `/api/v3/orgs` return it."""
    parent = store.orgs.get(org["parent_id"]) if org["parent_id"] else None
    out: dict[str, Any] = {
        "orgId": org["id"], "orgUid": org["uid"], "orgGuid": org["guid"], "orgName": org["name"],
        "orgExtRef": org["ext_ref"], "notes": org["notes"],
        "status": "Active" if org["active"] else "Deactivated", "active": org["active"],
        "blocked": org["blocked"], "parentOrgId": parent["id"] if parent else None,
        "parentOrgUid": parent["uid"] if parent else None, "parentOrgGuid": parent["guid"] if parent else None,
        "type": "ENTERPRISE", "classification": "BASIC", "externalId": org["uid"],
        "registrationKey": org["reg_key"], "creationDate": iso_day_anchored(org["created"], now),
        "modificationDate": iso_at(org["modified"], now), "deactivationDate": iso_at(org["deactivated"], now),
        "customConfig": bool(org.get("hold_days")), "reporting": {"orgManagers": []},
        "settings": {"maxSeats": None, "maxBytes": None, "archiveHoldDays": hold_days(store, org),
                     "isUsingQuotaDefaults": not org.get("hold_days")},
    }
    if counts is not None:
        out.update(counts.get(org["id"], {}))
    return out


T_SETTING_DEFAULTS = {"device_upgrade_delay": "60", "device_webRestore_enabled": "true"}
"""Org t-settings every org reports (values as strings, as the real server sends them)."""


def org_setting_wire(store: Store, org: Record) -> dict[str, Any]:
    """Returns an org's `/api/v1/OrgSetting/{orgId}` dict: `{key: {scope, value, locked, id}}`.

    The shape is py42's `TEST_T_SETTINGS_DICT` (tests/clients/settings/test_org_settings.py),
    where `id` is the id of the org the value comes from. The real server's t-settings are
    not known to carry the cold-storage retention (py42 reads `archive_hold_days` from
    `settings.archiveHoldDays` of `GET /api/v3/orgs/{guid}?incSettings=True`); the demo adds
    it under the key `archiveHoldDays` with the effective, inherited value, and scope "SYSTEM"
    when no org in the chain sets it.
    """
    days, source = hold_source(store, org)
    root = org
    while root["parent_id"] and root["parent_id"] in store.orgs:
        root = store.orgs[root["parent_id"]]
    out: dict[str, Any] = {
        key: {"scope": "ORG", "value": value, "locked": False, "id": root["id"]}
        for key, value in T_SETTING_DEFAULTS.items()
    }
    for key, packet in (org.get("t_settings") or {}).items():
        out[key] = {"scope": "ORG", "value": packet["value"], "locked": packet["locked"], "id": org["id"]}
    out["archiveHoldDays"] = {"scope": "ORG" if source is not None else "SYSTEM", "value": str(days),
                              "locked": False, "id": (source or root)["id"]}
    return out


def user_status(user: Record) -> str:
    """Returns "Active", "Active, Blocked" or "Deactivated"."""
    if not user["active"]:
        return "Deactivated"
    return "Active, Blocked" if user["blocked"] else "Active"


def user_wire(store: Store, user: Record, now: float, *, roles: bool = False) -> dict[str, Any]:
    """Returns a user as `/api/v1/User` returns it."""
    org = store.orgs[user["org_id"]]
    out: dict[str, Any] = {
        "userId": user["id"], "userUid": user["uid"], "status": user_status(user),
        "username": user["username"], "email": user["email"], "firstName": user["first"],
        "lastName": user["last"], "quotaInBytes": -1, "orgId": org["id"], "orgUid": org["uid"],
        "orgName": org["name"], "orgType": "ENTERPRISE", "userExtRef": user["ext_ref"], "notes": user["notes"],
        "active": user["active"], "blocked": user["blocked"], "emailPromo": False, "invited": False,
        "usernameIsAnEmail": True, "passwordReset": False, "localAuthenticationOnly": False,
        "licenses": [], "creationDate": iso_day_anchored(user["created"], now),
        "modificationDate": iso_at(user["modified"], now), "deactivationDate": iso_at(user["deactivated"], now),
    }
    if roles:
        out["roles"] = (["customer-cloud-admin", "desktop-user", "proe-user"] if user["admin"]
                        else ["desktop-user", "proe-user"])
    return out


def device_status(dev: Record) -> str:
    """Returns "Active", "Active, Deauthorized", "Active, Blocked" or "Deactivated"."""
    if not dev["active"]:
        return "Deactivated"
    if dev["deauth"]:
        return "Active, Deauthorized"
    return "Active, Blocked" if dev["blocked"] else "Active"


def _anchor(dev: Record, now: float) -> float:
    """The moment the device's clock stopped (deactivation/deauthorization), else now."""
    frozen = resolve(dev["frozen_at"], now)
    return frozen if frozen is not None else now


def archive_times(arc: Record, dev: Record, now: float) -> tuple[float | None, float | None, float]:
    """Returns (lastCompletedBackup, lastBackup, percentComplete) of an archive."""
    anchor = _anchor(dev, now)
    until = arc.get("initial_until")
    if until is not None and anchor < until:
        start = resolve(arc["created"], now) or anchor
        span = max(until - start, 1.0)
        return None, anchor, round(min(99.9, max(0.0, (anchor - start) / span * 100)), 1)
    if arc["lag"] is None:
        return None, None, 0.0
    done = anchor - arc["lag"]
    return done, done, 100.0


def usage_wire(arc: Record, dev: Record, now: float) -> dict[str, Any]:
    """Returns one backupUsage entry of a device."""
    dest = DESTINATIONS[arc["dest"]]
    completed, last_backup, percent = archive_times(arc, dev, now)
    connected = _anchor(dev, now) - dev["conn_lag"]
    states = alerts(completed, connected, resolve(arc["created"], now) or now, now) if dev["active"] else ["OK"]
    todo = int(arc["selected_bytes"] * (100 - percent) / 100)
    return {
        "targetComputerParentId": None, "targetComputerParentGuid": None, "targetComputerGuid": arc["dest"],
        "targetComputerName": dest["name"], "targetComputerOsName": None, "targetComputerType": "SERVER",
        "selectedFiles": arc["selected_files"], "selectedBytes": arc["selected_bytes"],
        "todoFiles": 0 if todo == 0 else max(1, arc["selected_files"] * todo // max(arc["selected_bytes"], 1)),
        "todoBytes": todo, "archiveBytes": arc["archive_bytes"], "billableBytes": arc["selected_bytes"],
        "sendRateAverage": 0, "completionRateAverage": 0, "lastBackup": iso(last_backup),
        "lastCompletedBackup": iso(completed), "lastConnected": iso(connected),
        "lastMaintenanceDate": None if completed is None else iso(now - (now - completed) % (7 * DAY) - DAY),
        "lastCompactDate": None, "modificationDate": iso(last_backup) or iso_at(arc["created"], now),
        "creationDate": iso_at(arc["created"], now), "using": dev["active"] and not arc["cold"],
        "alertState": alert_bits(states), "alertStates": states, "percentComplete": percent,
        "storePointId": dest["storePointId"], "storePointName": dest["storePoint"], "serverId": dest["serverId"],
        "serverGuid": dest["serverGuid"], "serverName": dest["server"],
        "serverHostName": f"https://web-{dest['server']}.crashplan.com", "isProvider": False,
        "archiveGuid": arc["guid"], "archiveFormat": "ARCHIVE_V1",
        "activity": {"connected": now - connected < 600, "backingUp": percent < 100 and dev["active"],
                     "restoring": False, "timeRemainingInMs": 0, "remainingFiles": 0, "remainingBytes": 0},
    }


def device_wire(store: Store, dev: Record, now: float, *, usage: bool = False) -> dict[str, Any]:
    """Returns a device as `/api/v1/Computer` returns it (backupUsage only when asked)."""
    user = store.users[dev["user_id"]]
    org = store.orgs[user["org_id"]]
    arcs = store.device_archives(dev["id"])
    connected = _anchor(dev, now) - dev["conn_lag"]
    if dev["active"]:
        completed = [archive_times(a, dev, now)[0] for a in arcs]
        newest = max((c for c in completed if c is not None), default=None)
        states = alerts(newest, connected, resolve(dev["created"], now) or now, now) if arcs else ["OK"]
    else:
        states = ["OK"]
    out: dict[str, Any] = {
        "computerId": dev["id"], "name": dev["name"], "osHostname": dev["hostname"], "guid": dev["guid"],
        "type": "COMPUTER", "status": device_status(dev), "active": dev["active"], "blocked": dev["blocked"],
        "alertState": alert_bits(states), "alertStates": states, "userId": user["id"], "userUid": user["uid"],
        "orgId": org["id"], "orgUid": org["uid"], "computerExtRef": None, "notes": None,
        "parentComputerId": None, "parentComputerGuid": None, "lastConnected": iso(connected),
        "osName": dev["os"], "osVersion": dev["os_version"],
        "osArch": "aarch64" if dev["os"] == "mac" else "amd64", "address": dev["address"],
        "remoteAddress": dev["remote"], "javaVersion": "17.0.10", "modelInfo": None, "timeZone": dev["tz"],
        "version": 1525200006822, "productVersion": dev["product_version"], "buildVersion": 26,
        "creationDate": iso_day_anchored(dev["created"], now), "modificationDate": iso_at(dev["modified"], now),
        "loginDate": iso(connected), "service": "CrashPlan",
    }
    if usage:
        out["backupUsage"] = [usage_wire(a, dev, now) for a in arcs]
    return out


def archive_wire(store: Store, arc: Record, now: float) -> dict[str, Any]:
    """Returns an archive as `/api/v1/Archive` returns it."""
    dev = store.devices[arc["device_id"]]
    user = store.users[dev["user_id"]]
    completed, _, _ = archive_times(arc, dev, now)
    return {
        "archiveGuid": arc["guid"], "userId": user["id"], "userUid": user["uid"],
        "backupSourceGuid": dev["guid"], "archiveBytes": arc["archive_bytes"], "targetGuid": arc["dest"],
        "lastCompletedBackup": iso(completed), "isColdStorage": arc["cold"],
        "archiveHoldExpireDate": iso_at(arc["hold_expire"], now), "lastMaintained": iso(completed),
        "maintenanceDuration": 455, "compactBytesRemoved": 0,
        "storePointId": DESTINATIONS[arc["dest"]]["storePointId"], "selectedBytes": arc["selected_bytes"],
        "selectedFiles": arc["selected_files"], "todoBytes": 0, "format": "ARCHIVE_V1",
    }


def cold_row_wire(store: Store, arc: Record, now: float) -> dict[str, Any]:
    """Returns a `coldStorageRows` item for an archive in cold storage."""
    dev = store.devices[arc["device_id"]]
    user = store.users[dev["user_id"]]
    org = store.orgs[user["org_id"]]
    return {
        "archiveGuid": arc["guid"], "archiveHoldExpireDate": iso_at(arc["hold_expire"], now),
        "archiveBytes": arc["archive_bytes"], "sourceUserId": user["id"], "sourceUserUid": user["uid"],
        "sourceUserName": user["username"], "sourceComputerId": dev["id"], "sourceComputerGuid": dev["guid"],
        "sourceComputerName": dev["name"], "orgId": org["id"], "orgName": org["name"],
        "destinationGuid": arc["dest"], "destinationName": DESTINATIONS[arc["dest"]]["name"],
        "coldStorageDate": iso_at(arc["cold_since"], now),
    }
