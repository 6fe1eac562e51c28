"""Provides `msp-tui audit`: the local log of every mutating call msp-tui made."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from msp_tui.cli.common import EXIT_OK, CliError
from msp_tui.cli.output import to_json
from msp_tui.state.audit import AuditLog
from msp_tui.state.db import StateError, connect


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `audit` command."""
    parser = commands.add_parser(
        "audit",
        help="show the local audit log of mutating calls (newest first)",
        description="Every create, rename, deactivate, block... msp-tui sends is recorded locally, "
        "with its outcome (ok, error, refused in read-only mode, unknown when the answer was lost).",
    )
    parser.add_argument("--limit", type=int, default=50, help="rows to show (default 50)")
    parser.add_argument("--for-profile", metavar="P", help="only calls made with this profile")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    """Prints the newest audit rows."""
    if args.limit < 1:
        raise CliError("--limit must be at least 1", 2)
    try:
        rows = AuditLog(connect()).recent(args.limit, args.for_profile)
    except StateError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(to_json([asdict(row) for row in rows]), end="")
        return EXIT_OK
    if not rows:
        print("No mutating call recorded yet.")
    for row in rows:
        status = row.status if row.status is not None else "-"
        detail = f"  {row.detail}" if row.detail else ""
        print(f"{row.at[:19]}  {row.profile:12} {row.outcome:8} {status!s:>4}  {row.method:6} {row.path}{detail}")
    return EXIT_OK
