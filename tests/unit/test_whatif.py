"""Tests what-if changes on per-customer counts, their parsing, and the JSON output."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from msp_tui.domain.policy import BillingSettings, Policy
from msp_tui.domain.reports import what_if_to_json
from msp_tui.domain.whatif import (
    AccountCounts,
    AddUsers,
    CustomerCounts,
    DeactivateUsers,
    MigrateIn,
    MigrateOut,
    PurgeColdStorage,
    RemoveCustomer,
    RemoveUsers,
    WhatIfError,
    apply_change,
    counts_from_snapshot,
    load_changes,
    parse_changes,
    what_if,
)
from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User

TODAY = date(2026, 5, 14)
POLICY = Policy()
OFF = Policy(billing=BillingSettings(count_cold_storage_users=False))
D = Decimal


def counts() -> AccountCounts:
    return AccountCounts({
        "Acme": CustomerCounts("Acme", active_users=30, cold_users=1, devices=60),
        "Beta": CustomerCounts("Beta", active_users=17, cold_users=0, devices=17),
    })


def test_baseline() -> None:
    c = counts()
    assert c.billed(POLICY.billing) == 48 and c.billed(OFF.billing) == 47
    assert c.devices == 77


def test_add_users_crosses_the_tier() -> None:
    r = what_if(counts(), [AddUsers(org="Beta", users=3)], POLICY, TODAY)
    assert (r.before.billed_users, r.after.billed_users) == (48, 51)
    assert r.before.next_cycle_total == D("479.52")
    assert r.after.next_cycle_total == D("381.99")
    assert r.delta == D("-97.53")
    assert r.after.rate == r.before.rate == D("9.99")  # this cycle's rate stays
    assert r.after_counts.customers["Beta"].devices == 20


def test_add_users_with_devices() -> None:
    after = apply_change(counts(), AddUsers(org="acme", users=2, devices=7))
    assert after.customers["Acme"].active_users == 32 and after.customers["Acme"].devices == 67


def test_remove_users_leave_the_bill_with_their_devices() -> None:
    after = apply_change(counts(), RemoveUsers(org="Acme", users=10))
    acme = after.customers["Acme"]
    assert (acme.active_users, acme.cold_users, acme.devices) == (20, 1, 40)


def test_deactivate_users_go_to_cold_storage() -> None:
    change = DeactivateUsers(org="Acme", users=5, devices=3)
    on = what_if(counts(), [change], POLICY, TODAY)
    off = what_if(counts(), [change], OFF, TODAY)
    acme = on.after_counts.customers["Acme"]
    assert (acme.active_users, acme.cold_users, acme.devices) == (25, 6, 57)
    assert on.delta == D("0.00")  # still billed while in cold storage
    assert off.delta == D("-49.95")


def test_remove_customer() -> None:
    r = what_if(counts(), [RemoveCustomer(org="Beta")], POLICY, TODAY)
    assert "Beta" not in r.after_counts.customers
    assert r.after.next_cycle_total == D("309.69")  # 31 × 9.99
    kept = apply_change(counts(), RemoveCustomer(org="Beta", purge=False))
    assert kept.customers["Beta"] == CustomerCounts("Beta", 0, 17, 0)


def test_migrate_in_and_out() -> None:
    r = what_if(counts(), [MigrateIn(org="Gamma", users=5, devices=8)], POLICY, TODAY)
    assert r.after_counts.customers["Gamma"] == CustomerCounts("Gamma", 5, 0, 8)
    assert (r.after.billed_users, r.after.next_cycle_rate) == (53, D("7.49"))
    out = apply_change(counts(), MigrateOut(org="Acme"))
    assert out.customers["Acme"] == CustomerCounts("Acme", 0, 31, 0)  # deactivated, cold
    gone = apply_change(counts(), MigrateOut(org="Acme", purge=True))
    assert "Acme" not in gone.customers


def test_purge_cold_storage() -> None:
    after = apply_change(counts(), PurgeColdStorage(org="Acme"))
    assert after.customers["Acme"].cold_users == 0


def test_changes_apply_in_order_and_do_not_mutate() -> None:
    c = counts()
    r = what_if(c, [MigrateIn(org="Gamma", users=2), RemoveUsers(org="Gamma", users=2)],
                POLICY, TODAY)
    assert r.after_counts.customers["Gamma"].active_users == 0
    assert "Gamma" not in c.customers


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (AddUsers(org="Nope", users=1), "unknown customer org 'Nope' (known: 'Acme', 'Beta')"),
        (RemoveUsers(org="Beta", users=18), "it has 17 active users"),
        (MigrateIn(org="beta", users=1), "already exists"),
    ],
)
def test_clear_errors(change: object, text: str) -> None:
    with pytest.raises(WhatIfError, match="change 1") as info:
        what_if(counts(), [change], POLICY, TODAY)  # type: ignore[list-item]
    assert text in str(info.value)


def test_cycle_start_users_fixes_this_cycle_rate() -> None:
    r = what_if(counts(), [RemoveUsers(org="Beta", users=2)], POLICY, TODAY, cycle_start_users=51)
    assert r.before.rate == r.after.rate == D("7.49")
    assert r.after.next_cycle_rate == D("9.99")


def test_parse_every_kind() -> None:
    data = [
        {"kind": "add_users", "org": "Acme", "users": 2},
        {"kind": "remove_users", "org": "Acme", "users": 1},
        {"kind": "deactivate_users", "org": "Acme", "users": 1, "devices": 0},
        {"kind": "remove_customer", "org": "Beta"},
        {"kind": "migrate_in", "org": "Gamma", "users": 4, "devices": 6},
        {"kind": "migrate_out", "org": "Gamma", "purge": True},
        {"kind": "purge_cold_storage", "org": "Acme"},
    ]
    changes = parse_changes(data)
    assert [type(c).__name__ for c in changes] == [
        "AddUsers", "RemoveUsers", "DeactivateUsers", "RemoveCustomer", "MigrateIn",
        "MigrateOut", "PurgeColdStorage"]
    assert load_changes(json.dumps({"changes": data})) == changes
    r = what_if(counts(), changes, POLICY, TODAY)
    assert r.after.billed_users == 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[{"kind": "add_users", "org": "A", "users": 0}]',
         "change 1 (add_users): users: Input should be greater than 0"),
        ('[{"kind": "add_users", "org": "A"}]', "change 1 (add_users): users: Field required"),
        ('[{"kind": "add_users", "org": "A", "users": 1}, {"kind": "teleport", "org": "A"}]',
         "change 2 (teleport): 'kind' must be one of:"),
        ('[{"org": "A"}]', "change 1: 'kind' must be one of:"),
        ('[{"kind": "migrate_in", "org": "A", "users": 1, "user": 3}]',
         "change 1 (migrate_in): user: Extra inputs are not permitted"),
        ('[{"kind": "remove_customer", "org": ""}]', "org: String should have at least"),
        ("[1,", "invalid JSON at line 1 column 4"),
        ('{"add_users": 1}', "expected a JSON list of changes"),
    ],
)
def test_parse_errors_are_clear(text: str, expected: str) -> None:
    with pytest.raises(WhatIfError) as info:
        load_changes(text)
    assert expected in str(info.value)


def test_counts_from_snapshot() -> None:
    orgs = (Org.model_validate({"orgId": 1, "orgName": "MSP"}),
            Org.model_validate({"orgId": 2, "orgName": "Acme", "parentOrgId": 1}),
            Org.model_validate({"orgId": 3, "orgName": "Acme Sub", "parentOrgId": 2}),
            Org.model_validate({"orgId": 4, "orgName": "Quiet", "parentOrgId": 1}))
    users = tuple(User.model_validate({"userId": i, "orgId": o, "status": s}) for i, o, s in
                  [(1, 2, "Active"), (2, 3, "Active"), (3, 3, "Deactivated"), (4, 1, "Active")])
    devices = (Device.model_validate({"computerId": 9, "userId": 2, "orgId": 3, "active": True}),)
    rows = (ColdStorageRow.model_validate({"sourceUserId": 3, "orgId": 3}),)
    snap = AccountSnapshot("p", datetime(2026, 5, 1, tzinfo=timezone.utc), orgs, users, devices,
                           rows)
    c = counts_from_snapshot(snap)
    assert c.customers["Acme"] == CustomerCounts("Acme", 2, 1, 1)
    assert c.customers["Quiet"] == CustomerCounts("Quiet")
    assert c.customers["(top-level org)"].active_users == 1


def test_what_if_json() -> None:
    r = what_if(counts(), [AddUsers(org="Beta", users=3)], POLICY, TODAY)
    body = what_if_to_json(r, POLICY)
    assert body["delta_next_cycle_total"] == "-97.53"
    assert body["changes"] == [{"org": "Beta", "kind": "add_users", "users": 3, "devices": None}]
    after = body["after"]
    assert after["next_cycle_total"] == "381.99"
    shares = {c["org"]: c["monthly_share"] for c in after["customers"]}
    assert shares == {"Acme": "232.19", "Beta": "149.80"}
    assert sum(D(v) for v in shares.values()) == D("381.99")
