"""Invariants and determinism of the demo authority's seed (in-process, no network)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from msp_tui.simulator import DemoAuthority
from msp_tui.simulator.seed import build
from msp_tui.simulator.wire import device_wire, org_wire

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def authority():
    demo = DemoAuthority(now=lambda: NOW)
    yield demo
    demo.close()


def devices_of(authority: DemoAuthority, tenant: str, when: datetime = NOW) -> list[dict]:
    store = authority.store
    return [device_wire(store, d, when.timestamp(), usage=True) for d in store.tenant_devices(tenant)]


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_northwind_orgs(authority: DemoAuthority) -> None:
    store = authority.store
    orgs = list(store.tenant_orgs("northwind"))
    top = [o for o in orgs if o["parent_id"] is None]
    assert [o["name"] for o in top] == ["Northwind MSP"]
    customers = [o for o in orgs if o["parent_id"] == top[0]["id"]]
    assert len(customers) == 12
    assert [o["name"] for o in customers if not o["active"]] == ["Copperleaf Bakery"]
    grandchildren = [o for o in orgs if o["parent_id"] in {c["id"] for c in customers}]
    assert len(grandchildren) == 1


def test_user_counts(authority: DemoAuthority) -> None:
    store = authority.store
    for tenant, active_count in (("northwind", 45), ("harbor", 14)):
        users = list(store.tenant_users(tenant))
        assert sum(u["active"] for u in users) == active_count
    nw_users = list(store.tenant_users("northwind"))
    assert 3 <= sum(not u["active"] for u in nw_users) <= 4
    harbor_customers = [o for o in store.tenant_orgs("harbor") if o["parent_id"] is not None]
    assert len(harbor_customers) == 4
    assert all(u["username"].split("@")[1].endswith(".example") for u in nw_users)
    assert any(u["username"].endswith("@brightsmile-dental.example") for u in nw_users)


def test_device_variety(authority: DemoAuthority) -> None:
    store = authority.store
    devices = devices_of(authority, "northwind")
    per_user = Counter(d["userId"] for d in devices)
    assert min(per_user.values()) >= 1 and max(per_user.values()) == 5
    active_per_user = Counter(d["userId"] for d in devices if d["active"])
    assert 5 in active_per_user.values()
    assert {d["osName"] for d in devices} == {"win", "mac", "linux"}
    active = [d for d in devices if d["active"]]
    assert sum(d["status"] == "Active, Deauthorized" for d in devices) == 1
    assert sum(d["backupUsage"] == [] for d in active) == 1
    never = [d for d in active if d["backupUsage"] and d["backupUsage"][0]["lastCompletedBackup"] is None]
    assert len(never) == 1 and never[0]["backupUsage"][0]["lastBackup"] is None
    assert sum(len(d["backupUsage"]) == 2 for d in active) >= 2
    names = {u["targetComputerName"] for d in devices for u in d["backupUsage"]}
    assert names == {"PROe Cloud, US", "PROe Cloud, US - West"}
    deactivated_users = {u["id"] for u in store.tenant_users("northwind") if not u["active"]}
    lone = [d for d in devices if not d["active"] and d["userId"] not in deactivated_users]
    assert len(lone) == 2


def backup_ages(devices: list[dict], when: datetime) -> list[timedelta]:
    ages = []
    for dev in devices:
        if dev["status"] != "Active":
            continue
        done = [parse(u["lastCompletedBackup"]) for u in dev["backupUsage"] if u["lastCompletedBackup"]]
        if done:
            ages.append(when - max(done))
    return ages


def test_backup_freshness_mix(authority: DemoAuthority) -> None:
    ages = backup_ages(devices_of(authority, "northwind"), NOW)
    current = [a for a in ages if a < timedelta(days=1)]
    warning = [a for a in ages if timedelta(days=4) <= a <= timedelta(days=6)]
    critical = [a for a in ages if timedelta(days=8) <= a <= timedelta(days=31)]
    assert len(current) > len(ages) * 0.8
    assert len(warning) >= 2 and len(critical) >= 2
    alerts = Counter(s for d in devices_of(authority, "northwind") for s in d["alertStates"])
    assert alerts["CriticalBackupAlert"] >= 2 and alerts["WarningBackupAlert"] >= 2 and alerts["OK"] > 50


def test_history_is_relative_to_the_clock(authority: DemoAuthority) -> None:
    later = NOW + timedelta(days=100)
    assert backup_ages(devices_of(authority, "northwind"), NOW) == backup_ages(
        devices_of(authority, "northwind", later), later)


def test_cold_storage_of_deactivated_users(authority: DemoAuthority) -> None:
    store = authority.store
    gone = [u for u in store.tenant_users("northwind") if not u["active"]]
    for user in gone:
        devices = store.user_devices(user["id"])
        assert devices and all(not d["active"] for d in devices)
        assert all(a["cold"] for d in devices for a in store.device_archives(d["id"]))
    top = next(o for o in store.tenant_orgs("northwind") if o["parent_id"] is None)
    wire = org_wire(store, top, NOW.timestamp())
    assert wire["settings"]["archiveHoldDays"] == 365


def test_seed_is_deterministic() -> None:
    assert build("small") == build("small")


def test_large_scale_counts() -> None:
    data, _ = build("large")
    nw_orgs = [o for o in data["orgs"] if o["tenant"] == "northwind"]
    assert len([o for o in nw_orgs if o["parent_id"] is not None]) == 500
    assert sum(u["tenant"] == "northwind" for u in data["users"]) == 20_000
    assert sum(d["tenant"] == "northwind" for d in data["devices"]) == 60_000
