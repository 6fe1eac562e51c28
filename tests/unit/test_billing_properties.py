"""Property tests (hypothesis) of the billing invariants."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from msp_tui.domain.billing_cycle import cycle_date, cycle_for
from msp_tui.domain.chargeback import build_chargeback
from msp_tui.domain.policy import BillingSettings, Policy, PriceBook
from msp_tui.domain.pricing import allocate, monthly_total, rate_for, to_cents
from msp_tui.domain.projection import project, project_snapshot
from msp_tui.models import AccountSnapshot, ColdStorageRow, Org, User

PRICES = PriceBook()
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.999"), places=3)
prices = st.builds(
    PriceBook,
    base_rate=money,
    tier_rate=money,
    tier_threshold=st.integers(min_value=1, max_value=200),
)
# Users per customer org: (active, deactivated with cold storage, deactivated without).
customers = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 5), st.integers(0, 3)), min_size=0, max_size=8
)


def build(spec: list[tuple[int, int, int]], top_users: int = 0) -> AccountSnapshot:
    orgs = [Org.model_validate({"orgId": 1, "orgName": "MSP"})]
    users: list[User] = []
    rows: list[ColdStorageRow] = []
    uid = 0
    for k, (active, cold, plain) in enumerate(spec):
        org_id = 10 + k
        orgs.append(Org.model_validate({"orgId": org_id, "orgName": f"C{k}", "parentOrgId": 1}))
        for status, n, archived in (("Active", active, False), ("Deactivated", cold, True),
                                    ("Deactivated", plain, False)):
            for _ in range(n):
                uid += 1
                users.append(User.model_validate({"userId": uid, "orgId": org_id,
                                                  "status": status}))
                if archived:
                    rows.append(ColdStorageRow.model_validate({"sourceUserId": uid,
                                                               "orgId": org_id}))
    for _ in range(top_users):
        uid += 1
        users.append(User.model_validate({"userId": uid, "orgId": 1, "status": "Active"}))
    return AccountSnapshot("p", datetime(2026, 5, 1, tzinfo=timezone.utc), tuple(orgs),
                           tuple(users), (), tuple(rows))


@settings(max_examples=80, deadline=None)
@given(customers, st.integers(0, 3), prices, st.booleans())
def test_total_equals_sum_of_customer_shares(
    spec: list[tuple[int, int, int]], top: int, book: PriceBook, count_cold: bool
) -> None:
    policy = Policy(prices=book, billing=BillingSettings(count_cold_storage_users=count_cold))
    snap = build(spec, top)
    cb = build_chargeback(snap, policy)
    assert sum(line.monthly_share for line in cb.lines) == cb.monthly_total
    assert sum(line.users for line in cb.lines) == cb.users
    p = project_snapshot(snap, policy, date(2026, 5, 14))
    assert cb.monthly_total == p.monthly_total
    for line in cb.lines:  # each share is within a cent of its exact share
        # the invoice total is rounded to the cent, so one share may absorb a full cent
        assert abs(line.monthly_share - cb.rate * line.users) <= Decimal("0.01")


@settings(max_examples=80, deadline=None)
@given(customers, customers)
def test_rate_depends_only_on_the_user_count(
    a: list[tuple[int, int, int]], b: list[tuple[int, int, int]]
) -> None:
    policy = Policy()
    pa = project_snapshot(build(a), policy, date(2026, 5, 14))
    pb = project_snapshot(build(b), policy, date(2026, 5, 14))
    assert (pa.billed_users == pb.billed_users) <= (pa.rate == pb.rate)
    assert pa.rate == rate_for(pa.billed_users, policy.prices)


@given(st.integers(0, 500), prices)
def test_adding_a_user_changes_the_rate_only_across_the_threshold(n: int, book: PriceBook) -> None:
    changed = rate_for(n, book) != rate_for(n + 1, book)
    crossed = n + 1 == book.tier_threshold
    if changed:
        assert crossed
    if crossed and book.base_rate != book.tier_rate:
        assert changed


@given(st.integers(0, 500))
def test_bill_grows_with_users_except_at_the_cliff(n: int) -> None:
    if n + 1 != PRICES.tier_threshold:
        assert monthly_total(n + 1, PRICES) > monthly_total(n, PRICES)
    assert monthly_total(n, PRICES) == to_cents(rate_for(n, PRICES) * n)


@given(st.integers(0, 500))
def test_projection_invariants(n: int) -> None:
    p = project(n, PRICES, date(2026, 5, 14))
    assert p.users_to_tier == 0 or p.margin_above_tier == 0
    assert n + p.users_to_tier >= p.tier_threshold
    assert p.in_cliff == (39 <= n <= 50)


@given(st.decimals(min_value=0, max_value=100000, places=2),
       st.lists(st.integers(0, 1000), min_size=1, max_size=20))
def test_allocate_sums_and_stays_within_a_cent(total: Decimal, weights: list[int]) -> None:
    parts = allocate(total, weights)
    if sum(weights) == 0:
        assert all(p == 0 for p in parts)
        return
    assert sum(parts) == total
    for part, w in zip(parts, weights):
        assert abs(part - total * w / sum(weights)) < Decimal("0.01")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 1)), st.integers(1, 31))
def test_next_cycle_is_the_clamped_billing_day_within_a_month(today: date, day: int) -> None:
    cycle = cycle_for(today, day)
    assert cycle.start <= today < cycle.next_start
    assert 28 <= cycle.length_days <= 31
    for d in (cycle.start, cycle.next_start):
        assert d == cycle_date(d.year, d.month, day)
