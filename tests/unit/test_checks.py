"""Tests each check on crafted snapshots, severity ordering and filtering, and the JSON."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from msp_tui.domain.checks import (
    Finding,
    Severity,
    at_least,
    draft_baa_request,
    is_us_destination,
    parse_severity,
    run_checks,
)
from msp_tui.domain.policy import BillingSettings, CheckSettings, CustomerPolicy, Policy
from msp_tui.domain.reports import FINDING_COLUMNS, findings_to_json
from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User

NOW = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)
ORGS = (
    Org.model_validate({"orgId": 1, "orgName": "MSP"}),
    Org.model_validate({"orgId": 2, "orgName": "Acme", "parentOrgId": 1}),
    Org.model_validate({"orgId": 3, "orgName": "Clinic", "parentOrgId": 1}),
)


def user(uid: int, org: int = 2, status: str = "Active") -> User:
    return User.model_validate({"userId": uid, "orgId": org, "status": status,
                                "username": f"user{uid}@x.test"})


def device(cid: int, uid: int = 1, org: int = 2, days: float | None = 1.0,
           dest: str = "PROe Cloud, US", connected_days: float = 0.5, **kw: Any) -> Device:
    done = None if days is None else (NOW - timedelta(days=days)).isoformat()
    return Device.model_validate({
        "computerId": cid, "name": f"pc{cid}", "userId": uid, "orgId": org, "status": "Active",
        "lastConnected": (NOW - timedelta(days=connected_days)).isoformat(),
        "backupUsage": [{"targetComputerName": dest, "lastCompletedBackup": done}], **kw,
    })


def snap(users: list[User], devices: list[Device] = (), orgs: tuple[Org, ...] = ORGS,
         cold: tuple[ColdStorageRow, ...] = ()) -> AccountSnapshot:
    return AccountSnapshot("p", NOW, orgs, tuple(users), tuple(devices), cold)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_clean_account_has_no_findings() -> None:
    assert run_checks(snap([user(1)], [device(1)]), Policy(), NOW) == []


def test_nested_org_with_path() -> None:
    orgs = (*ORGS, Org.model_validate({"orgId": 4, "orgName": "Acme West", "parentOrgId": 2}))
    [f] = only(run_checks(snap([user(1)], orgs=orgs), Policy(), NOW), "hierarchy.nested_org")
    assert f.severity is Severity.WARNING and f.org_id == 4
    assert f.subject == "MSP / Acme / Acme West"
    assert "'Acme'" in f.message and "MSP / Acme / Acme West" in f.message


def test_users_directly_in_the_top_level_org() -> None:
    [f] = only(run_checks(snap([user(1, org=1)]), Policy(), NOW), "hierarchy.top_level_user")
    assert (f.org, f.subject, f.user_id, f.org_id) == ("MSP", "user1@x.test", 1, 1)


def test_detached_org() -> None:
    orgs = (*ORGS, Org.model_validate({"orgId": 8, "orgName": "Lost", "parentOrgId": 99}))
    assert only(run_checks(snap([], orgs=orgs), Policy(), NOW), "hierarchy.detached_org")


def test_device_cap() -> None:
    devices = [device(i) for i in range(1, 6)]
    devices.append(device(9, status="Deactivated"))  # not counted
    [f] = only(run_checks(snap([user(1)], devices), Policy(), NOW), "device_cap.exceeded")
    assert (f.user_id, f.org) == (1, "Acme") and "5 devices" in f.message
    four = [device(i) for i in range(1, 5)] + [device(7, status="Active, Deauthorized")]
    assert not only(run_checks(snap([user(1)], four), Policy(), NOW), "device_cap.exceeded")


def test_backup_warning_critical_and_never() -> None:
    devices = [device(1, days=4), device(2, days=8), device(3, days=None,
               creationDate=(NOW - timedelta(days=1)).isoformat()),
               device(4, days=None, creationDate=(NOW - timedelta(days=30)).isoformat()),
               device(5, days=30, status="Deactivated")]
    found = run_checks(snap([user(1)], devices), Policy(), NOW)
    by = {f.computer_id: f for f in found if f.code.startswith("backup.")}
    assert (by[1].code, by[1].severity) == ("backup.warning", Severity.WARNING)
    assert "4 days" in by[1].message and "threshold 3 days" in by[1].message
    assert (by[2].code, by[2].severity) == ("backup.critical", Severity.CRITICAL)
    assert (by[3].code, by[3].severity) == ("backup.never", Severity.WARNING)
    assert (by[4].code, by[4].severity) == ("backup.never", Severity.CRITICAL)
    assert 5 not in by
    assert (by[2].user_id, by[2].org_id, by[2].subject) == (1, 2, "pc2")


def test_thresholds_come_from_config() -> None:
    policy = Policy(checks=CheckSettings(warning_days=10, critical_days=20))
    found = run_checks(snap([user(1)], [device(1, days=8)]), policy, NOW)
    assert not [f for f in found if f.code.startswith("backup.")]


def test_not_connected() -> None:
    found = run_checks(snap([user(1)], [device(1, connected_days=20)]), Policy(), NOW)
    [f] = only(found, "backup.not_connected")
    assert "20 days" in f.message and f.computer_id == 1


@pytest.mark.parametrize(
    ("name", "us"),
    [("PROe Cloud, US", True), ("PROe Cloud, US - West", True), ("Code42 Cloud USA West", True),
     ("PROe Cloud, AMS", False), ("PROe Cloud, SIN", False), ("eu", False),
     ("Code42 Cloud EU", False), ("Australia", False), ("Russia", False)],
)
def test_us_destination_names(name: str, us: bool) -> None:
    assert is_us_destination(name) is us


def test_storage_region_one_finding_per_org_and_destination() -> None:
    devices = [device(1, dest="PROe Cloud, AMS"), device(2, dest="PROe Cloud, AMS"),
               device(3, dest="PROe Cloud, US - West")]
    [f] = only(run_checks(snap([user(1)], devices), Policy(), NOW), "storage.non_us")
    assert (f.severity, f.subject, f.org, f.computer_id) == (
        Severity.CRITICAL, "PROe Cloud, AMS", "Acme", 1)
    assert f.message.startswith("2 devices")
    allowed = Policy(checks=CheckSettings(us_destination_names=("PROe Cloud, AMS",)))
    assert not only(run_checks(snap([user(1)], devices), allowed, NOW), "storage.non_us")


def test_licence_waste_from_cold_storage() -> None:
    rows = (ColdStorageRow.model_validate({"sourceUserId": 2, "orgId": 2, "archiveBytes": 3e9,
                                           "archiveHoldExpireDate": "2026-07-01T00:00:00Z"}),
            ColdStorageRow.model_validate({"sourceUserId": 2, "orgId": 2,
                                           "archiveHoldExpireDate": "2026-08-15T00:00:00Z"}),
            ColdStorageRow.model_validate({"sourceUserId": 1, "orgId": 2}))  # active user
    users = [user(1), user(2, status="Deactivated")]
    [f] = only(run_checks(snap(users, cold=rows), Policy(), NOW), "licence.cold_storage")
    assert (f.severity, f.user_id, f.org) == (Severity.WARNING, 2, "Acme")
    assert "2 archives (3.0 GB)" in f.message and "until 2026-08-15" in f.message
    off = Policy(billing=BillingSettings(count_cold_storage_users=False))
    [g] = only(run_checks(snap(users, cold=rows), off, NOW), "licence.cold_storage")
    assert g.severity is Severity.INFO


@pytest.mark.parametrize(
    ("n", "code", "text"),
    [(47, None, None), (48, "tier.near", "add 3 and pay $97.53 less"),
     (50, "tier.near", "1 user from the 51-user tier"), (51, "tier.falling", "losing 1"),
     (53, "tier.falling", "losing 3 would drop it below 51"), (54, None, None)],
)
def test_tier_risk(n: int, code: str | None, text: str | None) -> None:
    found = [f for f in run_checks(snap([user(i) for i in range(n)]), Policy(), NOW)
             if f.code.startswith("tier.")]
    if code is None:
        assert found == []
        return
    [f] = found
    assert f.code == code and text is not None and text in f.message
    assert f.severity is (Severity.WARNING if code == "tier.falling" else Severity.INFO)


def test_compliance_baa_missing_with_drafted_request() -> None:
    policy = Policy(customers={
        "Clinic": CustomerPolicy(hipaa_required=True),
        "Acme": CustomerPolicy(hipaa_required=True, baa_on_file=True),
        "Gone Ltd": CustomerPolicy(),
    })
    found = run_checks(snap([user(1)]), policy, NOW)
    [f] = only(found, "compliance.baa_missing")
    assert (f.severity, f.org, f.org_id) == (Severity.CRITICAL, "Clinic", 3)
    assert "To: msp-billing@code42.com" in f.message and "Clinic" in f.message
    [u] = only(found, "config.unknown_customer")
    assert u.org == "Gone Ltd"
    assert "Business Associate Agreement" in draft_baa_request("Clinic", "MSP")


def test_sorted_by_severity_then_code() -> None:
    devices = [device(1, days=4), device(2, days=8, dest="PROe Cloud, SIN")]
    found = run_checks(snap([user(1), user(9, org=1)], devices), Policy(), NOW)
    ranks = [f.severity.rank for f in found]
    assert ranks == sorted(ranks, reverse=True)
    assert codes(found) == ["backup.critical", "storage.non_us", "backup.warning",
                            "hierarchy.top_level_user"]


def test_severity_filter() -> None:
    fs = [Finding("a", Severity.INFO, "", "", ""), Finding("b", Severity.WARNING, "", "", ""),
          Finding("c", Severity.CRITICAL, "", "", "")]
    assert codes(at_least(fs, "warning")) == ["b", "c"]
    assert codes(at_least(fs, Severity.CRITICAL)) == ["c"]
    assert codes(at_least(fs, "INFO")) == ["a", "b", "c"]
    assert parse_severity(" Critical ") is Severity.CRITICAL
    with pytest.raises(ValueError, match="expected one of: info, warning, critical"):
        parse_severity("loud")


def test_findings_json() -> None:
    found = run_checks(snap([user(1)], [device(1, days=8)]), Policy(), NOW)
    [body] = findings_to_json(found)
    assert list(body) == list(FINDING_COLUMNS)
    assert body["severity"] == "critical" and body["computer_id"] == 1
