"""Provides `msp-tui locate config|data|log`: where msp-tui keeps its files."""

from __future__ import annotations

import argparse

from msp_tui import paths
from msp_tui.cli.common import EXIT_OK

_WHAT = {
    "config": paths.config_file,
    "data": paths.data_dir,
    "log": paths.log_dir,
    "state": paths.state_db,
    "demo": paths.demo_db,
}


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `locate` command."""
    parser = commands.add_parser("locate", help="print where msp-tui keeps a file")
    parser.add_argument("what", choices=sorted(_WHAT), help="which location")
    parser.set_defaults(handler=lambda args: _print(args.what))


def _print(what: str) -> int:
    print(_WHAT[what]())
    return EXIT_OK
