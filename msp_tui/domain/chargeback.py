"""Provides the per-customer chargeback: each customer's users, devices, storage and bill share.

A line per customer org (a direct child of the top-level org; nested orgs roll up into their
customer), one for users placed directly in the top-level org ("(top-level org)") and one for
orgs outside the tree ("(outside top-level org)"), the last two only when they hold anything.

Shares: the invoice total (billed users × the account's effective rate, rounded to the cent) is
split over the lines in proportion to their billed users with the largest-remainder method, so
the shares always sum to the invoice total to the cent. With a two-decimal rate each share is
exactly users × rate; the remainder only matters for rates with more decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from msp_tui.domain.health import facts_for
from msp_tui.domain.hierarchy import DETACHED_LABEL, TOP_LEVEL_LABEL, OrgTree, build_tree
from msp_tui.domain.policy import Policy
from msp_tui.domain.pricing import allocate, rate_for, snapshot_billed_users, to_cents, total_for
from msp_tui.models.snapshot import AccountSnapshot


@dataclass(frozen=True, slots=True)
class ChargebackLine:
    """One customer's part of the bill."""

    org: str
    """Customer org name, or a label for the top-level / detached lines."""
    org_id: int | None
    """Customer org id; None for the label lines."""
    users: int
    """Billed users (active, plus cold-storage holders when those are billed)."""
    cold_storage_users: int
    """Of `users`, those billed only through cold-storage archives."""
    devices: int
    """Active devices."""
    storage_bytes: int
    """Archive bytes of the active devices."""
    monthly_share: Decimal
    """Share of the monthly invoice."""
    resale_price: Decimal | None
    """Resale price per user, when one applies."""
    resale_revenue: Decimal | None
    """users × resale price, when a price applies."""
    margin: Decimal | None
    """resale revenue − share, when a price applies."""


@dataclass(frozen=True, slots=True)
class Chargeback:
    """The chargeback table and its totals."""

    rate: Decimal
    """The effective rate the shares are computed at."""
    lines: tuple[ChargebackLine, ...]
    users: int
    devices: int
    storage_bytes: int
    monthly_total: Decimal
    """The invoice total; equals the sum of the shares."""
    resale_revenue: Decimal | None
    """Sum over the lines with a resale price; None when no line has one."""
    margin: Decimal | None
    """Sum of the margins of the lines with a resale price; None when no line has one."""


def build_chargeback(
    snapshot: AccountSnapshot,
    policy: Policy,
    *,
    rate: Decimal | None = None,
    tree: OrgTree | None = None,
) -> Chargeback:
    """Splits the account's monthly bill over its customers.

    Args:
        snapshot: The account.
        policy: Prices, the cold-storage switch and resale prices.
        rate: The account's effective rate (e.g. `Projection.rate`); None uses the rate for
            today's billed count.
        tree: The org tree, if already built.

    Returns:
        The chargeback, lines ordered by customer name then the label lines.
    """
    tree = tree or build_tree(snapshot)
    billed = snapshot_billed_users(snapshot, policy.billing)
    if rate is None:
        rate = rate_for(len(billed), policy.prices)
    users: dict[str, int] = {}
    cold: dict[str, int] = {}
    for b in billed:
        line = tree.line_name(b.org_id)
        users[line] = users.get(line, 0) + 1
        if b.cold_storage_only:
            cold[line] = cold.get(line, 0) + 1
    facts = facts_for(snapshot)
    devices: dict[str, int] = {}
    storage: dict[str, int] = {}
    for org_id, count in facts.org_devices.items():
        line = tree.line_name(org_id)
        devices[line] = devices.get(line, 0) + count
        storage[line] = storage.get(line, 0) + facts.org_bytes.get(org_id, 0)
    ids = {o.org_name: o.org_id for o in tree.customers}
    names = sorted(
        {o.org_name for o in tree.customers if o.is_active} | set(users) | set(devices),
        key=lambda n: (n in (TOP_LEVEL_LABEL, DETACHED_LABEL), n == DETACHED_LABEL, n.casefold()),
    )
    total = total_for(len(billed), rate)
    shares = allocate(total, [users.get(n, 0) for n in names])
    lines = []
    for name, share in zip(names, shares):
        count = users.get(name, 0)
        is_customer = name in ids and name not in (TOP_LEVEL_LABEL, DETACHED_LABEL)
        price = policy.resale_price(name) if is_customer else None
        revenue = to_cents(price * count) if price is not None else None
        lines.append(
            ChargebackLine(
                org=name,
                org_id=ids.get(name) if is_customer else None,
                users=count,
                cold_storage_users=cold.get(name, 0),
                devices=devices.get(name, 0),
                storage_bytes=storage.get(name, 0),
                monthly_share=share,
                resale_price=price,
                resale_revenue=revenue,
                margin=revenue - share if revenue is not None else None,
            )
        )
    priced = [line for line in lines if line.resale_revenue is not None]
    return Chargeback(
        rate=rate,
        lines=tuple(lines),
        users=len(billed),
        devices=sum(line.devices for line in lines),
        storage_bytes=sum(line.storage_bytes for line in lines),
        monthly_total=total,
        resale_revenue=sum((line.resale_revenue or Decimal(0) for line in priced), Decimal("0.00"))
        if priced
        else None,
        margin=sum((line.margin or Decimal(0) for line in priced), Decimal("0.00"))
        if priced
        else None,
    )
