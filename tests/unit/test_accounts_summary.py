"""Unit tests of the consolidated accounts summary rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from msp_tui.domain.accounts_summary import failed_row, summarize, totals
from msp_tui.domain.policy import Policy
from msp_tui.models import AccountSnapshot, BackupUsage, Device, Org, User

NOW = datetime(2025, 6, 2, 15, tzinfo=timezone.utc)


def account(profile: str, n_users: int, *, stale_devices: int = 0) -> AccountSnapshot:
    top = Org(org_id=1, org_name="Partner")
    customers = (Org(org_id=2, org_name="Acme", parent_org_id=1),
                 Org(org_id=3, org_name="Gone", parent_org_id=1, active=False))
    users = tuple(User(user_id=10 + i, username=f"u{i}@x.example", org_id=2, active=True)
                  for i in range(n_users))
    devices = []
    for i in range(n_users):
        age = timedelta(days=30) if i < stale_devices else timedelta(hours=2)
        usage = BackupUsage(target_computer_name="PROe Cloud, US", last_completed_backup=NOW - age,
                            last_backup=NOW - age, last_connected=NOW - timedelta(hours=1))
        devices.append(Device(computer_id=100 + i, user_id=10 + i, org_id=2, active=True,
                              status="Active", last_connected=NOW, backup_usage=[usage]))
    devices.append(Device(computer_id=999, user_id=10, org_id=2, active=False, status="Deactivated"))
    return AccountSnapshot(profile, NOW, orgs=(top, *customers), users=users, devices=tuple(devices))


def test_summary_row_of_an_account_at_the_tier() -> None:
    row = summarize(account("northwind", 51, stale_devices=2), Policy(), NOW)
    assert row.profile == "northwind" and row.fetched_at == NOW
    assert row.billed_users == 51
    assert row.rate == Decimal("7.49") and row.monthly_total == Decimal("381.99")
    assert row.next_cycle_total == Decimal("381.99") and row.users_to_tier == 0
    assert row.customers == 1  # the deactivated customer org is not counted
    assert row.devices == 51  # the deactivated device is not counted
    assert row.critical_devices == 2 and row.never_backed_up == 0
    assert row.error is None


def test_summary_row_below_the_tier() -> None:
    row = summarize(account("harbor", 15), Policy(), NOW)
    assert (row.billed_users, row.rate, row.monthly_total) == (15, Decimal("9.99"), Decimal("149.85"))
    assert row.users_to_tier == 36 and row.critical_devices == 0


def test_failed_row_keeps_one_line() -> None:
    row = failed_row("acme", "Sign-in failed:\n  bad password")
    assert row.error == "Sign-in failed: bad password" and row.rate is None


def test_totals_add_money_and_counts_but_no_rate() -> None:
    rows = [summarize(account("a", 51), Policy(), NOW), summarize(account("b", 15), Policy(), NOW),
            failed_row("c", "offline")]
    total = totals(rows)
    assert total.profile == "All accounts"
    assert total.billed_users == 66
    assert total.monthly_total == Decimal("531.84")
    assert total.rate is None and total.users_to_tier is None
    assert total.customers == 2 and total.devices == 66
