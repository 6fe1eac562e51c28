"""Provides `launch`: what `msp-tui` with no command runs (the dashboard).

Configuration problems are reported as one line on stderr with exit code 2; the dashboard
itself never shows a traceback (see `MspApp._handle_exception`).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from datetime import datetime

from msp_tui import paths
from msp_tui.config import ConfigError, Settings, load_settings


def launch(args: argparse.Namespace) -> int:
    """Opens the dashboard for `args.profile` (or the default / demo profile).

    Args:
        args: Parsed CLI arguments with `profile`, `demo` and `read_only`.

    Returns:
        The process exit code.
    """
    from msp_tui.state.db import StateError

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"msp-tui: {exc}", file=sys.stderr)
        settings = Settings()
    try:
        from msp_tui.tui.app import build_app

        app = build_app(
            settings,
            profile_name=getattr(args, "profile", None),
            demo=bool(getattr(args, "demo", False)),
            read_only=bool(getattr(args, "read_only", False)),
        )
    except (ConfigError, StateError) as exc:
        print(f"msp-tui: {exc}", file=sys.stderr)
        return 2
    result = app.run()
    return app.return_code if app.return_code is not None else int(result or 0)


def log_exception(error: BaseException) -> str:
    """Appends the traceback to the error log; returns its path (shown instead of a traceback)."""
    try:
        path = paths.log_dir() / "msp-tui-error.log"
        paths.ensure_private_dir(path.parent)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat()}\n")
            handle.write("".join(traceback.format_exception(error)))
        return str(path)
    except OSError:
        return "the log could not be written"
