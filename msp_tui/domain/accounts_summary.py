"""Provides the consolidated summary across partner accounts: one row per account.

Accounts cannot be merged (each has its own tier and bill), so the summary only lines them up:
billed users, rate and monthly total, distance to the tier, customers, devices and critical
devices. The totals row adds up what can be added (money, counts) and never a rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from msp_tui.domain.health import Health, assess
from msp_tui.domain.hierarchy import build_tree
from msp_tui.domain.policy import Policy
from msp_tui.domain.projection import project_snapshot
from msp_tui.models import AccountSnapshot


@dataclass(frozen=True, slots=True)
class AccountSummaryRow:
    """One partner account at a glance."""

    profile: str
    """Profile (account) name, or "All accounts" for the totals row."""
    fetched_at: datetime | None = None
    """When the account's data was fetched; None for failed accounts and the totals row."""
    billed_users: int = 0
    rate: Decimal | None = None
    """This cycle's rate; None for the totals row and failed accounts."""
    monthly_total: Decimal = Decimal("0.00")
    """This cycle's monthly total."""
    next_cycle_rate: Decimal | None = None
    next_cycle_total: Decimal = Decimal("0.00")
    users_to_tier: int | None = None
    """Users still needed for the tier rate (0 at the tier); None for the totals row."""
    customers: int = 0
    """Active customer orgs."""
    devices: int = 0
    """Active devices."""
    critical_devices: int = 0
    """Active devices with no completed backup for the critical number of days."""
    never_backed_up: int = 0
    """Active devices that never completed a backup."""
    error: str | None = None
    """Why the account could not be summarised (no data yet, sign-in failed, ...)."""


def summarize(snapshot: AccountSnapshot, policy: Policy, now: datetime) -> AccountSummaryRow:
    """Builds the summary row of one account.

    Args:
        snapshot: The account's data.
        policy: Prices, billing and check thresholds.
        now: The reference time (for the billing cycle and backup ages).
    """
    projection = project_snapshot(snapshot, policy, now.date())
    tree = build_tree(snapshot)
    report = assess(snapshot, policy.checks, now)
    return AccountSummaryRow(
        profile=snapshot.profile,
        fetched_at=snapshot.fetched_at,
        billed_users=projection.billed_users,
        rate=projection.rate,
        monthly_total=projection.monthly_total,
        next_cycle_rate=projection.next_cycle_rate,
        next_cycle_total=projection.next_cycle_total,
        users_to_tier=projection.users_to_tier,
        customers=sum(1 for org in tree.customers if org.is_active),
        devices=sum(1 for device in snapshot.devices if device.is_active),
        critical_devices=sum(1 for _ in report.with_health(Health.CRITICAL)),
        never_backed_up=sum(1 for _ in report.with_health(Health.NEVER)),
    )


def failed_row(profile: str, error: str) -> AccountSummaryRow:
    """A row for an account whose data could not be loaded."""
    return AccountSummaryRow(profile=profile, error=" ".join(error.split()))


def totals(rows: Sequence[AccountSummaryRow]) -> AccountSummaryRow:
    """Adds up the money and counts of the loaded accounts (rates are per account, not summed)."""
    loaded = [row for row in rows if row.error is None]
    return AccountSummaryRow(
        profile="All accounts",
        billed_users=sum(r.billed_users for r in loaded),
        monthly_total=sum((r.monthly_total for r in loaded), Decimal("0.00")),
        next_cycle_total=sum((r.next_cycle_total for r in loaded), Decimal("0.00")),
        customers=sum(r.customers for r in loaded),
        devices=sum(r.devices for r in loaded),
        critical_devices=sum(r.critical_devices for r in loaded),
        never_backed_up=sum(r.never_backed_up for r in loaded),
    )
