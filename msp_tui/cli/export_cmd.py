"""Provides `msp-tui export orgs|users|devices`: the inventory as JSON or CSV."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from msp_tui.cli.common import (
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
from msp_tui.domain import inventory
from msp_tui.domain.hierarchy import build_tree


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `export` command."""
    parser = commands.add_parser(
        "export",
        help="export orgs, users or devices as JSON or CSV",
        description="Export the account's inventory. JSON carries a schema tag "
        f"({inventory.EXPORT_SCHEMA}); CSV opens cleanly in a spreadsheet.",
    )
    parser.add_argument("kind", choices=["orgs", "users", "devices"], help="what to export")
    parser.add_argument("--format", "-f", choices=["json", "csv"], default="json", help="output format")
    parser.add_argument("--org", metavar="NAME", help="only this customer org (with its nested orgs)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    add_profile_options(parser)
    parser.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Fetches the account and writes the chosen rows."""

    async def work(ctx: Context) -> str:
        snapshot = await live_snapshot(ctx)
        tree = build_tree(snapshot)
        try:
            only = inventory.org_scope(tree, args.org)
        except LookupError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        now = datetime.now(timezone.utc)
        checks = ctx.settings.checks
        fields: tuple[str, ...]
        if args.kind == "orgs":
            rows, fields = inventory.org_rows(snapshot, only), inventory.ORG_FIELDS
        elif args.kind == "users":
            rows, fields = inventory.user_rows(snapshot, checks, now, only), inventory.USER_FIELDS
        else:
            rows, fields = inventory.device_rows(snapshot, checks, now, only), inventory.DEVICE_FIELDS
        if args.format == "csv":
            return to_csv(rows, fields)
        return to_json({
            "schema": inventory.EXPORT_SCHEMA,
            "kind": args.kind,
            "profile": ctx.profile.name,
            "generated_at": now.isoformat(),
            "count": len(rows),
            "items": rows,
        })

    write_output(run(args, work), args.output)
    return EXIT_OK
