"""SVG snapshots of the dashboard's main views on the demo authority at 80x24 and 120x40."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # The cost pane's progress bar animates its fill; let it reach its value.
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _keys(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run_before


@SIZES
def test_main_view(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_keys("down", "down"))


@SIZES
def test_customer_devices(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size,
                        run_before=_keys("down", "down", "enter", "right_square_bracket"))


@SIZES
def test_findings(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_keys("f"))


@SIZES
def test_help(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_keys("question_mark"))


@SIZES
def test_all_devices(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_keys("a"))
