"""Provides plain dict and row builders for the JSON and CSV output of cost, check and report.

Money is a string with two decimals ("381.99") so no JSON reader turns it into a float; dates
are ISO strings. The builders return plain data; the CLI does the writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from msp_tui.domain.chargeback import Chargeback
from msp_tui.domain.checks import Finding
from msp_tui.domain.pricing import money_str
from msp_tui.domain.projection import Projection
from msp_tui.domain.whatif import WhatIfResult, customer_shares
from msp_tui.domain.policy import Policy

CHARGEBACK_COLUMNS = (
    "org", "org_id", "users", "cold_storage_users", "devices", "storage_bytes",
    "monthly_share", "resale_price", "resale_revenue", "margin",
)
"""Column order of the billing report CSV."""

FINDING_COLUMNS = (
    "severity", "code", "org", "subject", "message", "org_id", "user_id", "computer_id",
)
"""Key order of a finding in JSON (and CSV)."""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else money_str(value)


def projection_to_json(
    projection: Projection, chargeback: Chargeback | None = None, *, currency: str = "USD"
) -> dict[str, Any]:
    """Returns the `cost --json` object.

    Keys: billed_users, currency, rate, monthly_total, cycle_start, next_cycle_date,
    next_cycle_rate, next_cycle_total, tier_threshold, users_to_tier, margin_above_tier,
    saving_at_tier, fallback_increase, message, customers (org, users, devices, monthly_share,
    plus storage and resale fields) and, with a chargeback, totals.
    """
    p = projection
    out: dict[str, Any] = {
        "billed_users": p.billed_users,
        "currency": currency,
        "rate": money_str(p.rate),
        "monthly_total": money_str(p.monthly_total),
        "cycle_start": p.cycle_start.isoformat(),
        "next_cycle_date": p.next_cycle_date.isoformat(),
        "next_cycle_rate": money_str(p.next_cycle_rate),
        "next_cycle_total": money_str(p.next_cycle_total),
        "tier_threshold": p.tier_threshold,
        "users_to_tier": p.users_to_tier,
        "margin_above_tier": p.margin_above_tier,
        "saving_at_tier": money_str(p.saving_at_tier),
        "fallback_increase": money_str(p.fallback_increase),
        "message": p.message,
        "customers": [],
    }
    if chargeback is not None:
        out["customers"] = [_customer(row) for row in chargeback_rows(chargeback)]
        out["totals"] = {
            "users": chargeback.users,
            "devices": chargeback.devices,
            "storage_bytes": chargeback.storage_bytes,
            "monthly_total": money_str(chargeback.monthly_total),
            "resale_revenue": _money(chargeback.resale_revenue),
            "margin": _money(chargeback.margin),
        }
    return out


def _customer(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in CHARGEBACK_COLUMNS}


def chargeback_rows(chargeback: Chargeback) -> list[dict[str, Any]]:
    """Returns one dict per chargeback line, keys in `CHARGEBACK_COLUMNS` order.

    Ints stay ints, money is a two-decimal string, missing values are None (write "" in CSV).
    """
    return [
        {
            "org": line.org,
            "org_id": line.org_id,
            "users": line.users,
            "cold_storage_users": line.cold_storage_users,
            "devices": line.devices,
            "storage_bytes": line.storage_bytes,
            "monthly_share": money_str(line.monthly_share),
            "resale_price": _money(line.resale_price),
            "resale_revenue": _money(line.resale_revenue),
            "margin": _money(line.margin),
        }
        for line in chargeback.lines
    ]


def chargeback_total_row(chargeback: Chargeback) -> dict[str, Any]:
    """Returns the "TOTAL" row for the end of the CSV."""
    return {
        "org": "TOTAL",
        "org_id": None,
        "users": chargeback.users,
        "cold_storage_users": sum(line.cold_storage_users for line in chargeback.lines),
        "devices": chargeback.devices,
        "storage_bytes": chargeback.storage_bytes,
        "monthly_share": money_str(chargeback.monthly_total),
        "resale_price": None,
        "resale_revenue": _money(chargeback.resale_revenue),
        "margin": _money(chargeback.margin),
    }


def csv_ready(rows: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Turns rows into all-string dicts (None → "") for `csv.DictWriter`."""
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """Returns one finding as a dict, keys in `FINDING_COLUMNS` order."""
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "org": finding.org,
        "subject": finding.subject,
        "message": finding.message,
        "org_id": finding.org_id,
        "user_id": finding.user_id,
        "computer_id": finding.computer_id,
    }


def findings_to_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Returns the `check --json` list."""
    return [finding_to_json(f) for f in findings]


def what_if_to_json(result: WhatIfResult, policy: Policy) -> dict[str, Any]:
    """Returns the `cost --what-if FILE --json` object: before, after, delta and the changes.

    `before` and `after` are projection objects whose `customers` carry the counts and shares
    at each side's next-cycle rate.
    """
    sides = {}
    for side, projection, counts in (
        ("before", result.before, result.before_counts),
        ("after", result.after, result.after_counts),
    ):
        body = projection_to_json(projection, currency=policy.prices.currency)
        shares = customer_shares(counts, policy, projection.next_cycle_rate)
        body["customers"] = [
            {
                "org": c.org,
                "users": c.billed(policy.billing),
                "active_users": c.active_users,
                "cold_storage_users": c.cold_users,
                "devices": c.devices,
                "monthly_share": money_str(shares[c.org]),
            }
            for c in counts.customers.values()
        ]
        sides[side] = body
    return {
        "changes": [c.model_dump(mode="json") for c in result.changes],
        **sides,
        "delta_next_cycle_total": money_str(result.delta),
    }
