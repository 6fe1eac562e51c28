"""Provides the cost impact of a wizard's plan on each account, through the billing engine.

Each account's counts come from `whatif.counts_from_snapshot`; the plan's effect is a list of
what-if changes (migrate_out / migrate_in / remove_customer). Users deactivated by a plan stay
in the account's cold storage until purged and, per the vendor, keep a subscription until then,
so the effect is given twice: as it stands after the plan, and once the cold storage is purged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from msp_tui.domain.policy import Policy, PriceBook
from msp_tui.domain.pricing import format_money, money_str
from msp_tui.domain.projection import Projection
from msp_tui.domain.whatif import AccountCounts, Change, WhatIfResult, what_if
from msp_tui.domain.wizards.model import CostLine


def tier_sentence(name: str, before: Projection, after: Projection, prices: PriceBook,
                  *, when: str = "") -> str:
    """Says how `name`'s bill changes, naming a crossing of the tier either way with numbers."""
    threshold = prices.tier_threshold
    b, a = before.billed_users, after.billed_users
    money = f"{format_money(before.next_cycle_total, prices)} → {format_money(after.next_cycle_total, prices)} a month"
    prefix = f"{name}{when}"
    cycle = after.next_cycle_date.isoformat()
    if b < threshold <= a:
        return (
            f"{prefix} crosses the {threshold}-user tier: {b} → {a} billed users, so from the next "
            f"cycle ({cycle}) every user costs {format_money(prices.tier_rate, prices)} instead of "
            f"{format_money(prices.base_rate, prices)}: {money}."
        )
    if a < threshold <= b:
        return (
            f"{prefix} falls below the {threshold}-user tier: {b} → {a} billed users, so from the "
            f"next cycle ({cycle}) every user costs {format_money(prices.base_rate, prices)} instead of "
            f"{format_money(prices.tier_rate, prices)}: {money}."
        )
    delta = after.next_cycle_total - before.next_cycle_total
    sign = "+" if delta > 0 else ""
    return f"{prefix}: {b} → {a} billed users, {money} ({sign}{format_money(delta, prices)})."


def cost_line(
    role: str,
    name: str,
    counts: AccountCounts,
    changes: Sequence[Change],
    policy: Policy,
    today: date,
    *,
    purge_changes: Sequence[Change] | None = None,
) -> CostLine:
    """Returns one account's bill before and after `changes` (and after purging, if given)."""
    result: WhatIfResult = what_if(counts, changes, policy, today)
    prices = policy.prices
    notes = [tier_sentence(name, result.before, result.after, prices)]
    purge_billed = purge_monthly = None
    if purge_changes is not None:
        purged = what_if(counts, purge_changes, policy, today)
        purge_billed = purged.after.billed_users
        purge_monthly = money_str(purged.after.next_cycle_total)
        if purge_billed != result.after.billed_users:
            notes.append(tier_sentence(name, result.before, purged.after, prices,
                                       when=" once the cold storage is purged"))
    return CostLine(
        account=role,
        name=name,
        billed_before=result.before.billed_users,
        billed_after=result.after.billed_users,
        monthly_before=money_str(result.before.next_cycle_total),
        monthly_after=money_str(result.after.next_cycle_total),
        rate_before=money_str(result.before.next_cycle_rate),
        rate_after=money_str(result.after.next_cycle_rate),
        next_cycle=result.after.next_cycle_date.isoformat(),
        after_purge_billed=purge_billed,
        after_purge_monthly=purge_monthly,
        notes=tuple(notes),
    )
