"""Provides the `msp-tui` command line: the dashboard by default, and headless commands."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from msp_tui import __version__
from msp_tui.cli import (
    audit_cmd,
    billing_cmd,
    demo_cmd,
    export_cmd,
    locate_cmd,
    profile_cmd,
    wizard_cmd,
)
from msp_tui.cli.common import CliError, add_profile_options, fail
from msp_tui.logs import configure_logging

_COMMAND_MODULES = [
    demo_cmd, profile_cmd, export_cmd, billing_cmd, wizard_cmd, audit_cmd, locate_cmd,
]


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="msp-tui",
        description="Terminal dashboard for MSPs reselling Code42/CrashPlan cloud backup. "
        "With no command it opens the dashboard (on the demo authority when no profile is configured).",
    )
    parser.add_argument("--version", action="version", version=f"msp-tui {__version__}")
    add_profile_options(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs msp-tui and returns the exit code (0 ok, 1 failure/findings, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        configure_logging()
    except OSError:
        pass  # a read-only home must not stop the tool; it just runs without a log
    try:
        if handler is None:
            from msp_tui.tui.launch import launch

            return launch(args)
        return int(handler(args))
    except CliError as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
