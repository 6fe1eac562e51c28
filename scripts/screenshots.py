"""Regenerates the README screenshots (screenshots/*.svg) on a fresh demo authority.

Runs the dashboard headless under `run_test` with a frozen clock and UTC local time, drives it
with Pilot like a user would, and saves one SVG per view at 120x40 (and the main view at 80x24),
including the migration wizard's plan and progress steps.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)

SHOTS: Sequence[tuple[str, tuple[int, int], Sequence[str] | Callable[[Any], Awaitable[None]]]] = (
    ("main-120x40", (120, 40), ("down", "down")),
    ("main-80x24", (80, 24), ("down", "down")),
    ("customer-devices", (120, 40), ("down", "down", "enter", "right_square_bracket")),
    ("all-devices", (120, 40), ("a",)),
    ("findings", (120, 40), ("f",)),
    ("help", (120, 40), ("question_mark",)),
    ("what-if", (120, 40), ("down", "down", "w")),
    ("create-user", (120, 40), ("down", "down", "u")),
    ("confirm-deactivate", (120, 40), ("down", "down", "enter", "x")),
    ("wizard-plan", (120, 40), lambda pilot: _wizard(pilot, run=False)),
    ("wizard-progress", (120, 40), lambda pilot: _wizard(pilot, run=True)),
)
"""(file name, terminal size, keys pressed after the data loaded, or a coroutine driving the app)."""

WIZARD_CUSTOMER = "Cedar & Pine Interiors"
"""The customer the wizard screenshots migrate (a small one, so the whole plan shows)."""


async def _until(pilot: Any, condition: Callable[[], bool]) -> None:
    for _ in range(300):
        await _settle(pilot)
        if condition():
            return
    raise RuntimeError("the app did not reach the expected state")


async def _wizard(pilot: Any, *, run: bool) -> None:
    """Opens the migration wizard on a customer, shows its plan, and (`run`) confirms and runs it."""
    from textual.widgets import Input

    from msp_tui.tui.screens.wizard_start import WizardChoice, open_run_screen
    from msp_tui.tui.screens.wizard_views import PlanView

    app = pilot.app
    open_run_screen(app, WizardChoice(kind="migrate"), WIZARD_CUSTOMER)  # type: ignore[arg-type]
    await pilot.pause()
    screen = app.screen
    await pilot.press("ctrl+n")
    await _until(pilot, lambda: screen.plan is not None and bool(screen.query(PlanView)))
    if run:
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one(Input).value = WIZARD_CUSTOMER
        await pilot.pause()
        await pilot.press("enter")
        await _until(pilot, lambda: screen.run_id is not None and not screen._busy)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def _settle(pilot: Any) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(name: str, size: tuple[int, int],
                keys: Sequence[str] | Callable[[Any], Awaitable[None]], state: Path) -> Path:
    """Runs a fresh app on a fresh demo authority and saves one screenshot."""
    from msp_tui import session
    from msp_tui.config import Settings
    from msp_tui.simulator import DemoAuthority
    from msp_tui.state import db, journal
    from msp_tui.tui.app import build_app

    demo = DemoAuthority(None, now=lambda: NOW)
    session.set_demo_authority(demo)
    # Run ids end in "0000" (not random hex), so the wizard screenshots read the same every time.
    journal_secrets = journal.secrets
    token_hex = journal_secrets.token_hex
    journal_secrets.token_hex = lambda n=8: "0" * (2 * n)  # type: ignore[assignment]
    try:
        app = build_app(Settings(), demo=True, now=NOW, conn=db.connect(state / f"{name}.sqlite"))
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            if callable(keys):
                await keys(pilot)
            else:
                for key in keys:
                    await pilot.press(key)
                    # Modals wait for the user inside action workers, so only pause here.
                    await pilot.pause()
            await pilot.pause()
            path = app.save_screenshot(f"{name}.svg", path=str(OUT))
    finally:
        journal_secrets.token_hex = token_hex  # type: ignore[assignment]
        session.set_demo_authority(None)
        demo.close()
    return Path(path)


async def main() -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("MSP_TUI_DATA_DIR", tmp)
        for name, size, keys in SHOTS:
            print(await shoot(name, size, keys, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(asyncio.run(main()))
