"""Tests per-device backup health, the per-user and per-org rollups, and the speed of a pass."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from msp_tui.domain.health import Health, assess, device_health, facts_for
from msp_tui.domain.hierarchy import build_tree
from msp_tui.domain.policy import CheckSettings
from msp_tui.models import AccountSnapshot, Device, Org, User

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
SETTINGS = CheckSettings()


def usage(days: float | None, dest: str = "PROe Cloud, US", size: int = 100, **kw: Any) -> dict:
    done = None if days is None else (NOW - timedelta(days=days)).isoformat()
    return {"targetComputerName": dest, "lastCompletedBackup": done, "archiveBytes": size,
            "lastConnected": NOW.isoformat(), **kw}


def device(cid: int, *usages: dict, user: int = 1, org: int = 2, status: str = "Active",
           **kw: Any) -> Device:
    return Device.model_validate({"computerId": cid, "name": f"pc{cid}", "userId": user,
                                  "orgId": org, "status": status, "backupUsage": list(usages),
                                  **kw})


@pytest.mark.parametrize(
    ("days", "health"),
    [(0.0, Health.OK), (2.9, Health.OK), (3.0, Health.OK), (3.01, Health.WARNING),
     (7.0, Health.WARNING), (7.01, Health.CRITICAL), (100, Health.CRITICAL)],
)
def test_thresholds(days: float, health: Health) -> None:
    d = device(1, usage(days))
    assert device_health(d, SETTINGS, NOW).health is health
    snap = AccountSnapshot("p", NOW, devices=(d,))
    assert assess(snap, SETTINGS, NOW).codes[0] == health.rank


def test_latest_completed_backup_over_destinations() -> None:
    d = device(1, usage(10, size=5), usage(1, dest="PROe Cloud, US - West", size=7),
               usage(None, size=None))
    h = device_health(d, SETTINGS, NOW)
    assert h.last_completed_backup == NOW - timedelta(days=1)
    assert h.days_since_backup == pytest.approx(1.0)
    assert h.archive_bytes == 12
    assert h.health is Health.OK


def test_never_backed_up_and_no_destination() -> None:
    assert device_health(device(1, usage(None)), SETTINGS, NOW).health is Health.NEVER
    h = device_health(device(2), SETTINGS, NOW)
    assert (h.health, h.last_completed_backup, h.days_since_backup) == (Health.NEVER, None, None)


def test_deactivated_device_is_inactive() -> None:
    h = device_health(device(1, usage(30), status="Deactivated"), SETTINGS, NOW)
    assert h.health is Health.INACTIVE and not h.active and not h.backing_up
    assert device_health(device(2, usage(30), active=False), SETTINGS, NOW).health is Health.INACTIVE


def test_deauthorized_device_is_active_but_not_backing_up() -> None:
    h = device_health(device(1, usage(1), status="Active, Deauthorized"), SETTINGS, NOW)
    assert h.active and not h.backing_up


def test_naive_timestamps_are_utc() -> None:
    naive = (NOW - timedelta(days=4)).replace(tzinfo=None).isoformat()
    d = device(1, {"lastCompletedBackup": naive})
    assert device_health(d, SETTINGS, NOW).health is Health.WARNING
    assert device_health(d, SETTINGS, NOW.replace(tzinfo=None)).health is Health.WARNING


def test_last_connected_is_latest_of_device_and_destinations() -> None:
    d = device(1, usage(1, lastConnected=(NOW - timedelta(days=20)).isoformat()),
               lastConnected=(NOW - timedelta(days=2)).isoformat())
    h = device_health(d, SETTINGS, NOW)
    assert h.days_since_connected == pytest.approx(2.0)


def _account() -> AccountSnapshot:
    orgs = (Org.model_validate({"orgId": 1, "orgName": "MSP"}),
            Org.model_validate({"orgId": 2, "orgName": "Acme", "parentOrgId": 1}),
            Org.model_validate({"orgId": 3, "orgName": "Acme Lab", "parentOrgId": 2}),
            Org.model_validate({"orgId": 4, "orgName": "Beta", "parentOrgId": 1}))
    users = tuple(User.model_validate({"userId": u, "orgId": o, "status": s}) for u, o, s in
                  [(1, 2, "Active"), (2, 3, "Active"), (3, 4, "Active"), (4, 4, "Deactivated")])
    devices = (
        device(1, usage(1), user=1, org=2), device(2, usage(4), user=1, org=2),
        device(3, usage(None), user=2, org=3),
        device(4, usage(1, size=50), user=3, org=4),
        device(5, usage(30), user=3, org=4, status="Deactivated"),
        device(6, usage(1), user=3, org=4, status="Active, Deauthorized"),
    )
    return AccountSnapshot("p", NOW, orgs, users, devices)


def test_per_user_active_device_counts() -> None:
    report = assess(_account(), SETTINGS, NOW)
    assert report.active_devices_by_user == {1: 2, 2: 1, 3: 1}


def test_org_rollups() -> None:
    report = assess(_account(), SETTINGS, NOW)
    acme, lab, beta = report.orgs[2], report.orgs[3], report.orgs[4]
    assert (acme.worst, acme.users, acme.devices) == (Health.WARNING, 1, 2)
    assert (lab.worst, lab.users, lab.devices) == (Health.NEVER, 1, 1)
    assert (beta.worst, beta.users, beta.devices) == (Health.OK, 1, 2)
    assert beta.counts == {Health.OK: 2, Health.INACTIVE: 1}
    assert beta.archive_bytes == 150


def test_customer_rollup_through_the_tree() -> None:
    snap = _account()
    report = assess(snap, SETTINGS, NOW)
    customers = report.rollup(build_tree(snap).customer_of)
    acme = customers[2]
    assert (acme.worst, acme.users, acme.devices) == (Health.NEVER, 2, 3)
    assert set(customers) == {2, 4}


def test_report_lookup_and_filters() -> None:
    report = assess(_account(), SETTINGS, NOW)
    h = report.device(2)
    assert h is not None and h.health is Health.WARNING and h.name == "pc2"
    assert report.device(999) is None
    assert [d.computer_id for d in report.with_health(Health.NEVER)] == [3]
    assert len(list(report)) == len(report) == 6


def test_facts_are_cached_per_snapshot() -> None:
    snap = _account()
    assert facts_for(snap) is facts_for(snap)
    assert facts_for(_account()) is not facts_for(snap)


def test_large_account_health_counts_match_their_ages() -> None:
    """The fast column path gives the same answer as the per-device rule on many devices.

    Speed is measured by benchmarks, not here.
    """
    base = {"targetComputerName": "PROe Cloud, US", "archiveBytes": 10}
    devices = tuple(
        Device.model_validate({
            "computerId": i, "userId": i // 3, "orgId": 2 + i % 40, "status": "Active",
            "backupUsage": [{**base, "lastCompletedBackup": NOW - timedelta(hours=i % 400)}],
        })
        for i in range(6_000)
    )
    snap = AccountSnapshot("p", NOW, devices=devices)
    report = assess(snap, SETTINGS, NOW)
    assert len(report) == 6_000
    for device in devices[:: 97]:
        assert report.device(device.computer_id).health is device_health(device, SETTINGS, NOW).health
    hours = [i % 400 for i in range(6_000)]
    critical = sum(1 for h in hours if h > SETTINGS.critical_days * 24)
    warning = sum(1 for h in hours if SETTINGS.warning_days * 24 < h <= SETTINGS.critical_days * 24)
    assert len(list(report.with_health(Health.CRITICAL))) == critical
    assert len(list(report.with_health(Health.WARNING))) == warning
