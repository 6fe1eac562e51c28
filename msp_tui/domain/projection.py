"""Provides the cost projection: this cycle, the next cycle, and the distance to the tier.

This cycle's rate: the tier changes "upon your next billing cycle", so the rate in force now is
the one fixed when the cycle began. Pass `cycle_start_users` (the billed count on the cycle's
first day, e.g. from a cached snapshot) to get it exactly; without it the current count is taken
as the cycle-start count. This cycle's total is today's billed users at this cycle's rate. The
next cycle's rate and total assume today's count holds until the next cycle starts.

The cliff: below the threshold an account can pay more than it would at the threshold (with the
default prices, 39-50 users cost more than 51). `saving_at_tier` says by how much, and
`message` says it in words ("add 3 users and pay $97.53 less each month").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from msp_tui.domain.billing_cycle import cycle_for
from msp_tui.domain.policy import Policy, PriceBook
from msp_tui.domain.pricing import (
    ZERO,
    format_money,
    monthly_total,
    rate_for,
    snapshot_billed_users,
    total_for,
)
from msp_tui.models.snapshot import AccountSnapshot


@dataclass(frozen=True, slots=True)
class Projection:
    """The account's bill now and at the next billing cycle."""

    billed_users: int
    """Users billed today."""
    rate: Decimal
    """Price per user in force this cycle."""
    monthly_total: Decimal
    """Today's billed users at this cycle's rate."""
    cycle_start: date
    """First day of the current cycle."""
    next_cycle_date: date
    """First day of the next cycle, when a tier change takes effect."""
    next_cycle_rate: Decimal
    """Rate of the next cycle if today's count holds."""
    next_cycle_total: Decimal
    """Bill of the next cycle if today's count holds."""
    tier_threshold: int
    """Billed users at which the tier rate applies."""
    users_to_tier: int
    """Users still needed to reach the threshold; 0 once reached."""
    margin_above_tier: int
    """Users that can be lost while keeping the tier rate; 0 below the tier or exactly at it."""
    saving_at_tier: Decimal
    """Below the tier: the next-cycle bill minus the bill at exactly the threshold (positive in the
    cliff, negative when crossing would cost more). At or above the tier: 0."""
    fallback_increase: Decimal
    """At or above the tier: how much more a month the bill would be with one user fewer than the
    threshold. Below the tier: 0."""
    message: str
    """One sentence about the tier in numbers, for the cost pane."""

    @property
    def at_tier(self) -> bool:
        """True when the next cycle is billed at the tier rate."""
        return self.users_to_tier == 0

    @property
    def in_cliff(self) -> bool:
        """True when adding users to reach the threshold would lower the bill."""
        return self.saving_at_tier > 0

    @property
    def rate_changes_next_cycle(self) -> bool:
        """True when the next cycle's rate differs from this cycle's."""
        return self.next_cycle_rate != self.rate


def _message(users: int, prices: PriceBook, saving: Decimal, fallback: Decimal) -> str:
    threshold = prices.tier_threshold
    if users >= threshold:
        margin = users - threshold
        lose = margin + 1
        noun = "user" if lose == 1 else "users"
        return (
            f"At the tier rate; losing {lose} {noun} would raise the bill by "
            f"{format_money(fallback, prices)} a month from the next cycle."
        )
    need = threshold - users
    noun = "user" if need == 1 else "users"
    if saving > 0:
        return f"Add {need} {noun} and pay {format_money(saving, prices)} less each month."
    return (
        f"{need} {noun} to the tier rate; reaching it would cost "
        f"{format_money(-saving, prices)} more a month."
    )


def project(
    billed_users: int,
    prices: PriceBook,
    today: date,
    *,
    billing_day: int = 1,
    cycle_start_users: int | None = None,
) -> Projection:
    """Projects the bill of an account with `billed_users` users on `today`.

    Args:
        billed_users: Users billed today.
        prices: The price book.
        today: The reference day (no clock is read).
        billing_day: Day of the month cycles start.
        cycle_start_users: Billed users when the current cycle began, which fixed this cycle's
            rate; None takes today's count.

    Returns:
        The projection.
    """
    if billed_users < 0:
        raise ValueError("billed_users must not be negative")
    threshold = prices.tier_threshold
    cycle = cycle_for(today, billing_day)
    start_count = billed_users if cycle_start_users is None else cycle_start_users
    rate = rate_for(start_count, prices)
    next_rate = rate_for(billed_users, prices)
    next_total = total_for(billed_users, next_rate)
    if billed_users >= threshold:
        saving = ZERO
        fallback = monthly_total(threshold - 1, prices) - next_total
    else:
        saving = next_total - monthly_total(threshold, prices)
        fallback = ZERO
    return Projection(
        billed_users=billed_users,
        rate=rate,
        monthly_total=total_for(billed_users, rate),
        cycle_start=cycle.start,
        next_cycle_date=cycle.next_start,
        next_cycle_rate=next_rate,
        next_cycle_total=next_total,
        tier_threshold=threshold,
        users_to_tier=max(threshold - billed_users, 0),
        margin_above_tier=max(billed_users - threshold, 0),
        saving_at_tier=saving,
        fallback_increase=fallback,
        message=_message(billed_users, prices, saving, fallback),
    )


def project_snapshot(
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    *,
    cycle_start_users: int | None = None,
) -> Projection:
    """Projects the bill of the account in `snapshot` (billed users per `policy.billing`)."""
    count = len(snapshot_billed_users(snapshot, policy.billing))
    return project(
        count,
        policy.prices,
        today,
        billing_day=policy.billing.billing_day,
        cycle_start_users=cycle_start_users,
    )
