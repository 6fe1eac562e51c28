"""Tests the per-customer chargeback and its JSON/CSV rows."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from msp_tui.domain.chargeback import build_chargeback
from msp_tui.domain.hierarchy import DETACHED_LABEL, TOP_LEVEL_LABEL
from msp_tui.domain.policy import BillingSettings, CustomerPolicy, Policy
from msp_tui.domain.projection import project_snapshot
from msp_tui.domain.reports import (
    CHARGEBACK_COLUMNS,
    chargeback_rows,
    chargeback_total_row,
    csv_ready,
    projection_to_json,
)
from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User

NOW = datetime(2026, 5, 14, tzinfo=timezone.utc)
D = Decimal


def _users(start: int, n: int, org: int, status: str = "Active") -> list[User]:
    return [User.model_validate({"userId": start + i, "orgId": org, "status": status,
                                 "username": f"u{start + i}"}) for i in range(n)]


def _devices(start: int, users: list[User], per_user: int, size: int) -> list[Device]:
    out = []
    for k, u in enumerate(users):
        for j in range(per_user):
            out.append(Device.model_validate({
                "computerId": start + k * per_user + j, "userId": u.user_id, "orgId": u.org_id,
                "status": "Active", "backupUsage": [{"archiveBytes": size}],
            }))
    return out


def account(**kw: Any) -> AccountSnapshot:
    orgs = (
        Org.model_validate({"orgId": 1, "orgName": "MSP"}),
        Org.model_validate({"orgId": 2, "orgName": "Acme", "parentOrgId": 1}),
        Org.model_validate({"orgId": 3, "orgName": "Acme Lab", "parentOrgId": 2}),
        Org.model_validate({"orgId": 4, "orgName": "Beta", "parentOrgId": 1}),
        Org.model_validate({"orgId": 5, "orgName": "Empty", "parentOrgId": 1}),
        Org.model_validate({"orgId": 9, "orgName": "Stray", "parentOrgId": 77}),
    )
    acme = _users(100, 30, 2)
    lab = _users(200, 5, 3)
    beta = _users(300, 14, 4)
    top = _users(400, 1, 1)
    stray = _users(500, 1, 9)
    gone = _users(600, 2, 4, status="Deactivated")
    devices = _devices(1, acme, 2, 10) + _devices(1000, lab, 1, 5) + _devices(2000, beta, 1, 1)
    rows = (ColdStorageRow.model_validate({"sourceUserId": 600, "orgId": 4, "archiveBytes": 9}),)
    return AccountSnapshot("p", NOW, orgs, tuple(acme + lab + beta + top + stray + gone),
                           tuple(devices), rows)


def test_lines_per_customer_with_nested_orgs_rolled_up() -> None:
    cb = build_chargeback(account(), Policy())
    by = {line.org: line for line in cb.lines}
    assert [line.org for line in cb.lines] == ["Acme", "Beta", "Empty", TOP_LEVEL_LABEL,
                                               DETACHED_LABEL]
    assert (by["Acme"].users, by["Acme"].devices, by["Acme"].storage_bytes) == (35, 65, 625)
    assert by["Acme"].org_id == 2
    assert (by["Beta"].users, by["Beta"].cold_storage_users, by["Beta"].devices) == (15, 1, 14)
    assert (by["Empty"].users, by["Empty"].monthly_share) == (0, D("0.00"))
    assert by[TOP_LEVEL_LABEL].users == 1 and by[TOP_LEVEL_LABEL].org_id is None
    assert by[DETACHED_LABEL].users == 1


def test_shares_at_the_effective_rate_sum_to_the_invoice() -> None:
    cb = build_chargeback(account(), Policy())
    assert cb.users == 52 and cb.rate == D("7.49")
    assert cb.monthly_total == D("389.48")
    assert sum(line.monthly_share for line in cb.lines) == cb.monthly_total
    assert {line.org: line.monthly_share for line in cb.lines}["Acme"] == D("262.15")


def test_cold_storage_switch_off_changes_the_rate() -> None:
    policy = Policy(billing=BillingSettings(count_cold_storage_users=False))
    cb = build_chargeback(account(), policy)
    assert (cb.users, cb.rate, cb.monthly_total) == (51, D("7.49"), D("381.99"))
    assert {line.org: line.users for line in cb.lines}["Beta"] == 14


def test_explicit_rate_and_largest_remainder() -> None:
    cb = build_chargeback(account(), Policy(), rate=D("7.495"))
    assert cb.monthly_total == D("389.74")  # 52 × 7.495 = 389.74
    assert sum(line.monthly_share for line in cb.lines) == cb.monthly_total
    shares = {line.org: line.monthly_share for line in cb.lines}
    assert shares["Acme"] == D("262.33")  # 262.325 gets the leftover cent
    assert shares[TOP_LEVEL_LABEL] == D("7.49")


def test_resale_margin_per_customer_and_total() -> None:
    policy = Policy(default_resale_price=D("12.00"),
                    customers={"Beta": CustomerPolicy(resale_price_per_user=D("15.50"))})
    cb = build_chargeback(account(), policy)
    by = {line.org: line for line in cb.lines}
    assert by["Acme"].resale_revenue == D("420.00")
    assert by["Acme"].margin == D("420.00") - D("262.15")
    assert by["Beta"].resale_price == D("15.50") and by["Beta"].resale_revenue == D("232.50")
    assert by[TOP_LEVEL_LABEL].resale_revenue is None
    assert cb.resale_revenue == D("652.50")
    assert cb.margin == sum(line.margin for line in cb.lines if line.margin is not None)


def test_no_resale_price_means_no_margin() -> None:
    cb = build_chargeback(account(), Policy())
    assert cb.resale_revenue is None and cb.margin is None


def test_rows_and_json() -> None:
    snap = account()
    policy = Policy(default_resale_price=D("12"))
    cb = build_chargeback(snap, policy)
    rows = chargeback_rows(cb)
    assert list(rows[0]) == list(CHARGEBACK_COLUMNS)
    assert rows[0]["monthly_share"] == "262.15" and rows[0]["resale_price"] == "12.00"
    total = chargeback_total_row(cb)
    assert total["monthly_share"] == "389.48" and total["users"] == 52
    assert csv_ready([rows[-1]])[0]["resale_price"] == ""
    body = projection_to_json(project_snapshot(snap, policy, date(2026, 5, 14)), cb)
    for key in ("billed_users", "rate", "monthly_total", "tier_threshold", "users_to_tier",
                "next_cycle_date", "next_cycle_rate", "next_cycle_total", "customers"):
        assert key in body
    assert body["rate"] == "7.49" and body["monthly_total"] == "389.48"
    assert body["next_cycle_date"] == "2026-06-01"
    first = body["customers"][0]
    assert {"org", "users", "devices", "monthly_share"} <= set(first)
    assert first["monthly_share"] == "262.15"
    assert body["totals"]["monthly_total"] == "389.48"
