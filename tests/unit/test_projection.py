"""Tests the cost projection: this cycle, the next cycle, the tier and the cliff, to the cent."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from msp_tui.domain.policy import BillingSettings, Policy, PriceBook
from msp_tui.domain.projection import project, project_snapshot
from msp_tui.models import AccountSnapshot, ColdStorageRow, Org, User

PRICES = PriceBook()
TODAY = date(2026, 5, 14)
D = Decimal


@pytest.mark.parametrize(
    ("users", "rate", "total", "to_tier", "margin", "saving", "fallback"),
    [
        (0, "9.99", "0.00", 51, 0, "-381.99", "0.00"),
        (1, "9.99", "9.99", 50, 0, "-372.00", "0.00"),
        (38, "9.99", "379.62", 13, 0, "-2.37", "0.00"),
        (39, "9.99", "389.61", 12, 0, "7.62", "0.00"),
        (50, "9.99", "499.50", 1, 0, "117.51", "0.00"),
        (51, "7.49", "381.99", 0, 0, "0.00", "117.51"),
        (52, "7.49", "389.48", 0, 1, "0.00", "110.02"),
    ],
)
def test_projection_across_the_boundary(
    users: int, rate: str, total: str, to_tier: int, margin: int, saving: str, fallback: str
) -> None:
    p = project(users, PRICES, TODAY)
    assert p.billed_users == users
    assert (p.rate, p.monthly_total) == (D(rate), D(total))
    assert (p.next_cycle_rate, p.next_cycle_total) == (D(rate), D(total))
    assert p.tier_threshold == 51
    assert (p.users_to_tier, p.margin_above_tier) == (to_tier, margin)
    assert p.saving_at_tier == D(saving)
    assert p.fallback_increase == D(fallback)
    assert p.in_cliff == (39 <= users <= 50)
    assert p.at_tier == (users >= 51)
    assert p.next_cycle_date == date(2026, 6, 1)
    assert p.cycle_start == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("users", "message"),
    [
        (48, "Add 3 users and pay $97.53 less each month."),
        (50, "Add 1 user and pay $117.51 less each month."),
        (39, "Add 12 users and pay $7.62 less each month."),
        (38, "13 users to the tier rate; reaching it would cost $2.37 more a month."),
        (51, "At the tier rate; losing 1 user would raise the bill by $117.51 a month from the "
             "next cycle."),
        (54, "At the tier rate; losing 4 users would raise the bill by $95.04 a month from the "
             "next cycle."),
    ],
)
def test_cliff_message_in_numbers(users: int, message: str) -> None:
    assert project(users, PRICES, TODAY).message == message


def test_cliff_starts_at_39() -> None:
    assert not project(38, PRICES, TODAY).in_cliff
    assert project(39, PRICES, TODAY).in_cliff
    assert project(48, PRICES, TODAY).saving_at_tier == D("479.52") - D("381.99")


def test_this_cycle_rate_comes_from_the_cycle_start_count() -> None:
    p = project(52, PRICES, TODAY, cycle_start_users=50)
    assert (p.rate, p.monthly_total) == (D("9.99"), D("519.48"))
    assert (p.next_cycle_rate, p.next_cycle_total) == (D("7.49"), D("389.48"))
    assert p.rate_changes_next_cycle
    down = project(50, PRICES, TODAY, cycle_start_users=51)
    assert (down.rate, down.monthly_total) == (D("7.49"), D("374.50"))
    assert (down.next_cycle_rate, down.next_cycle_total) == (D("9.99"), D("499.50"))


def test_without_cycle_start_count_today_is_assumed() -> None:
    p = project(51, PRICES, TODAY)
    assert p.rate == p.next_cycle_rate and not p.rate_changes_next_cycle


def test_next_cycle_date_uses_billing_day() -> None:
    assert project(10, PRICES, date(2028, 2, 10), billing_day=31).next_cycle_date == date(2028, 2, 29)
    assert project(10, PRICES, date(2027, 2, 10), billing_day=31).next_cycle_date == date(2027, 2, 28)


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError):
        project(-1, PRICES, TODAY)


def _snapshot(active: int, cold_only: int) -> AccountSnapshot:
    orgs = (Org.model_validate({"orgId": 1, "orgName": "MSP"}),
            Org.model_validate({"orgId": 2, "orgName": "Acme", "parentOrgId": 1}))
    users = [User.model_validate({"userId": i, "orgId": 2, "status": "Active"})
             for i in range(active)]
    users += [User.model_validate({"userId": 1000 + i, "orgId": 2, "status": "Deactivated"})
              for i in range(cold_only + 2)]  # two deactivated without archives
    rows = tuple(ColdStorageRow.model_validate({"sourceUserId": 1000 + i, "orgId": 2})
                 for i in range(cold_only))
    return AccountSnapshot("p", datetime(2026, 5, 14, tzinfo=timezone.utc), orgs, tuple(users),
                           (), rows)


@pytest.mark.parametrize(
    ("count_cold", "billed", "total"),
    [(True, 51, "381.99"), (False, 49, "489.51")],
)
def test_project_snapshot_with_cold_storage_switch(count_cold: bool, billed: int, total: str) -> None:
    policy = Policy(billing=BillingSettings(count_cold_storage_users=count_cold))
    p = project_snapshot(_snapshot(49, 2), policy, TODAY)
    assert p.billed_users == billed
    assert p.next_cycle_total == D(total)
