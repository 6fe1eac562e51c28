"""Regenerates the README screenshots (screenshots/*.svg) on a fresh demo authority.

Runs the dashboard headless under `run_test` with a frozen clock and UTC local time, drives it
with Pilot like a user would, and saves one SVG per view at 120x40 (and the main view at 80x24).

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)

SHOTS: Sequence[tuple[str, tuple[int, int], Sequence[str]]] = (
    ("main-120x40", (120, 40), ("down", "down")),
    ("main-80x24", (80, 24), ("down", "down")),
    ("customer-devices", (120, 40), ("down", "down", "enter", "right_square_bracket")),
    ("all-devices", (120, 40), ("a",)),
    ("findings", (120, 40), ("f",)),
    ("help", (120, 40), ("question_mark",)),
    ("what-if", (120, 40), ("down", "down", "w")),
    ("create-user", (120, 40), ("down", "down", "u")),
    ("confirm-deactivate", (120, 40), ("down", "down", "enter", "x")),
)
"""(file name, terminal size, keys pressed after the data loaded)."""


async def _settle(pilot: Any) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(name: str, size: tuple[int, int], keys: Sequence[str], state: Path) -> Path:
    """Runs a fresh app on a fresh demo authority and saves one screenshot."""
    from msp_tui import session
    from msp_tui.config import Settings
    from msp_tui.simulator import DemoAuthority
    from msp_tui.state import db
    from msp_tui.tui.app import build_app

    demo = DemoAuthority(None, now=lambda: NOW)
    session.set_demo_authority(demo)
    try:
        app = build_app(Settings(), demo=True, now=NOW, conn=db.connect(state / f"{name}.sqlite"))
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            for key in keys:
                await pilot.press(key)
                # Modals wait for the user inside action workers, so only pause here.
                await pilot.pause()
            await pilot.pause()
            path = app.save_screenshot(f"{name}.svg", path=str(OUT))
    finally:
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
