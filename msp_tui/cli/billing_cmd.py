"""Provides `msp-tui cost`, `msp-tui check` and `msp-tui report billing`."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from msp_tui.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Context,
    add_profile_options,
    live_snapshot,
    run,
    write_output,
)
from msp_tui.cli.output import to_csv, to_json
from msp_tui.domain import reports
from msp_tui.domain.chargeback import build_chargeback
from msp_tui.domain.checks import at_least, parse_severity, run_checks
from msp_tui.domain.hierarchy import build_tree
from msp_tui.domain.pricing import format_money
from msp_tui.domain.projection import Projection, project_snapshot
from msp_tui.domain.whatif import WhatIfError, counts_from_snapshot, load_changes, what_if


def register(commands: argparse._SubParsersAction) -> None:
    """Adds `cost`, `check` and `report`."""
    cost = commands.add_parser("cost", help="cost projection toward the 51-user tier, per customer")
    cost.add_argument("--json", action="store_true", help="machine-readable output")
    cost.add_argument("--what-if", metavar="FILE", type=Path,
                      help="JSON list of hypothetical changes, e.g. "
                      '[{"kind": "add_users", "org": "Acme", "users": 3}]')
    add_profile_options(cost)
    cost.set_defaults(handler=cmd_cost)

    check = commands.add_parser("check", help="health and best-practice findings (exit 1 when any)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--severity", default="info", metavar="LEVEL",
                       help="report findings at or above info|warning|critical (default info)")
    add_profile_options(check)
    check.set_defaults(handler=cmd_check)

    report = commands.add_parser("report", help="reports for the partner's books")
    report.add_argument("kind", choices=["billing"], help="billing: per-customer chargeback")
    report.add_argument("--format", "-f", choices=["csv", "json"], default="csv")
    report.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    add_profile_options(report)
    report.set_defaults(handler=cmd_report)


def _today(ctx: Context) -> datetime:
    return datetime.now(timezone.utc)


def cmd_cost(args: argparse.Namespace) -> int:
    """Prints the projection and the per-customer breakdown, optionally after a what-if."""
    changes = None
    if args.what_if is not None:
        try:
            changes = load_changes(args.what_if.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CliError(f"--what-if: cannot read {args.what_if}: {exc.strerror}", EXIT_USAGE) from exc
        except WhatIfError as exc:
            raise CliError(f"--what-if {args.what_if}: {exc}", EXIT_USAGE) from exc

    async def work(ctx: Context) -> str:
        snapshot = await live_snapshot(ctx)
        policy = ctx.settings.policy()
        today = _today(ctx).date()
        projection = project_snapshot(snapshot, policy, today)
        chargeback = build_chargeback(snapshot, policy, rate=projection.rate)
        if changes is not None:
            try:
                result = what_if(counts_from_snapshot(snapshot), changes, policy, today)
            except WhatIfError as exc:
                raise CliError(f"--what-if: {exc}", EXIT_USAGE) from exc
            if args.json:
                payload = reports.projection_to_json(projection, chargeback, currency=policy.prices.currency)
                payload["what_if"] = reports.what_if_to_json(result, policy)
                return to_json(payload)
            return _cost_text(ctx, projection, chargeback) + _what_if_text(result, policy)
        if args.json:
            return to_json(reports.projection_to_json(projection, chargeback, currency=policy.prices.currency))
        return _cost_text(ctx, projection, chargeback)

    write_output(run(args, work), None)
    return EXIT_OK


def _cost_text(ctx: Context, p: Projection, chargeback) -> str:
    prices = ctx.settings.pricing
    money = lambda d: format_money(d, prices)  # noqa: E731
    lines = [
        f"{ctx.profile.name}: {p.billed_users} billed users "
        f"({p.users_to_tier} to the {p.tier_threshold}-user tier)" if p.users_to_tier else
        f"{ctx.profile.name}: {p.billed_users} billed users (tier reached; "
        f"{p.margin_above_tier} above {p.tier_threshold})",
        f"This cycle (from {p.cycle_start}): {money(p.rate)}/user, {money(p.monthly_total)}/month",
        f"Next cycle ({p.next_cycle_date}): {money(p.next_cycle_rate)}/user, {money(p.next_cycle_total)}/month",
    ]
    if p.message:
        lines.append(p.message)
    lines.append("")
    width = max([len(line.org) for line in chargeback.lines] + [8])
    lines.append(f"{'Customer':<{width}}  {'Users':>5}  {'Devices':>7}  {'Monthly':>10}")
    for line in chargeback.lines:
        lines.append(f"{line.org:<{width}}  {line.users:>5}  {line.devices:>7}  {money(line.monthly_share):>10}")
    lines.append(f"{'Total':<{width}}  {chargeback.users:>5}  {chargeback.devices:>7}  {money(chargeback.monthly_total):>10}")
    return "\n".join(lines) + "\n"


def _what_if_text(result, policy) -> str:
    money = lambda d: format_money(d, policy.prices)  # noqa: E731
    before, after = result.before, result.after
    return (
        "\nWhat-if:\n"
        f"  billed users      {before.billed_users:>6} -> {after.billed_users}\n"
        f"  next cycle rate   {money(before.next_cycle_rate):>6} -> {money(after.next_cycle_rate)}\n"
        f"  next cycle total  {money(before.next_cycle_total)} -> {money(after.next_cycle_total)} "
        f"({'+' if result.delta >= 0 else ''}{money(result.delta)})\n"
        + (f"  {after.message}\n" if after.message else "")
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Lists findings at or above --severity; exit 1 when there is any."""
    try:
        severity = parse_severity(args.severity)
    except ValueError as exc:
        raise CliError(f"--severity: {exc}", EXIT_USAGE) from exc

    async def work(ctx: Context) -> list:
        snapshot = await live_snapshot(ctx)
        return at_least(run_checks(snapshot, ctx.settings.policy(), _today(ctx)), severity)

    findings = run(args, work)
    if args.json:
        write_output(to_json({"count": len(findings), "findings": reports.findings_to_json(findings)}), None)
    elif findings:
        for f in findings:
            print(f"{f.severity.value.upper():8} {f.code:24} {f.org}: {f.subject}: {f.message}")
    else:
        print(f"No findings at or above {severity.value}.")
    return EXIT_FAILURE if findings else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Writes the per-customer chargeback table."""

    async def work(ctx: Context) -> str:
        snapshot = await live_snapshot(ctx)
        policy = ctx.settings.policy()
        projection = project_snapshot(snapshot, policy, _today(ctx).date())
        chargeback = build_chargeback(snapshot, policy, rate=projection.rate, tree=build_tree(snapshot))
        rows = reports.chargeback_rows(chargeback)
        if args.format == "csv":
            return to_csv([*rows, reports.chargeback_total_row(chargeback)], reports.CHARGEBACK_COLUMNS)
        return to_json({
            "profile": ctx.profile.name,
            "rate": str(projection.rate),
            "customers": rows,
            "total": reports.chargeback_total_row(chargeback),
        })

    write_output(run(args, work), args.output)
    return EXIT_OK
