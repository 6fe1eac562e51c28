"""Provides the cost effect of an action: the projection before and after, and its lines.

The after-state (users and cold-storage rows with the action applied) is counted with
`pricing.billed_users`, so it follows the same rules as the cost pane, including
`BillingSettings.count_cold_storage_users`. This cycle's rate was fixed when the cycle began,
so the effect shows in the next cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from msp_tui.domain.policy import Policy
from msp_tui.domain.pricing import billed_users, format_money, snapshot_billed_users
from msp_tui.domain.projection import Projection, project
from msp_tui.models import AccountSnapshot, ColdStorageRow, User


@dataclass(frozen=True)
class CostEffect:
    """The bill before and after an action, from the billing engine."""

    before: Projection
    after: Projection
    """Right after the action (cold-storage holders counted per policy)."""
    after_purge: Projection | None = None
    """After the archives the action sends to cold storage are purged, when that differs."""

    @property
    def changes(self) -> bool:
        """True when the action changes the billed users (now or after the purge)."""
        final = self.after_purge or self.after
        return final.billed_users != self.before.billed_users or self.after.billed_users != (
            self.before.billed_users
        )

    @property
    def crosses_tier(self) -> bool:
        """True when the account moves across the tier threshold (now or after the purge)."""
        return any(p.at_tier != self.before.at_tier for p in (self.after, self.after_purge) if p)


def _count(users: Iterable[User], cold: Iterable[ColdStorageRow], policy: Policy) -> int:
    return len(billed_users(users, cold, policy.billing))


def _project(n: int, policy: Policy, today: date, start: int) -> Projection:
    return project(n, policy.prices, today, billing_day=policy.billing.billing_day,
                   cycle_start_users=start)


def cost_effect(
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    users: list[User],
    cold: list[ColdStorageRow],
    purge_user_ids: set[int],
    cycle_start_users: int | None,
) -> CostEffect:
    """Projects the bill before and after: `users`/`cold` are the after-state; the users in
    `purge_user_ids` have their new cold-storage archives purged in the `after_purge` case."""
    before_n = len(snapshot_billed_users(snapshot, policy.billing))
    start = before_n if cycle_start_users is None else cycle_start_users
    after_n = _count(users, cold, policy)
    after_purge: Projection | None = None
    if purge_user_ids:
        kept = [r for r in cold if r.source_user_id not in purge_user_ids]
        purge_n = _count(users, kept, policy)
        if purge_n != after_n:
            after_purge = _project(purge_n, policy, today, start)
    return CostEffect(
        before=_project(before_n, policy, today, start),
        after=_project(after_n, policy, today, start),
        after_purge=after_purge,
    )


def _change_line(
    before: Projection, after: Projection, policy: Policy, prefix: str, when: str | None = None
) -> list[str]:
    prices = policy.prices

    def money(amount: Decimal) -> str:
        return format_money(amount, prices)

    if after.billed_users == before.billed_users:
        return [
            f"{prefix}no change: {before.billed_users} billed users, "
            f"{money(before.next_cycle_rate)}/user, {money(before.next_cycle_total)} a month."
        ]
    delta = after.next_cycle_total - before.next_cycle_total
    sign = "+" if delta > 0 else "-"
    when = when or f"from the next cycle ({after.next_cycle_date:%Y-%m-%d})"
    lines = [
        f"{prefix}{before.billed_users} → {after.billed_users} billed users, "
        f"{money(before.next_cycle_total)} → {money(after.next_cycle_total)} a month "
        f"({sign}{money(abs(delta))}) {when}."
    ]
    threshold = prices.tier_threshold
    rates = f"{money(before.next_cycle_rate)} → {money(after.next_cycle_rate)}"
    if before.at_tier and not after.at_tier:
        lines.append(f"Billing: ▼ falls below the {threshold}-user tier: rate {rates} per user "
                     "for every user.")
    elif after.at_tier and not before.at_tier:
        lines.append(f"Billing: ▲ reaches the {threshold}-user tier: rate {rates} per user "
                     "for every user.")
    elif after.at_tier and after.billed_users == threshold:
        lines.append(f"Billing: ⚠ exactly at the {threshold}-user tier afterwards; one user "
                     f"fewer adds {money(after.fallback_increase)} a month.")
    return lines


def cost_lines(effect: CostEffect, policy: Policy) -> list[str]:
    """The "Billing ..." lines of a cost effect, with numbers and any tier crossing."""
    lines = _change_line(effect.before, effect.after, policy, "Billing now: ")
    if effect.after_purge is not None:
        lines += _change_line(
            effect.before, effect.after_purge, policy,
            "Billing after the purge (licence freed ~24 h later): ",
            "from the cycle after the purge",
        )
    if effect.changes:
        rate = format_money(effect.before.rate, policy.prices)
        lines.append(f"Billing: this cycle stays at {rate}/user (fixed when it began).")
    return lines
