"""SVG snapshots of the migration wizard's plan and progress stages at 80x24 and 120x40.

On a freshly seeded in-memory demo authority with a frozen clock; run ids are made fixed by
patching the journal's random part, so the run id line reads the same on every run.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from msp_tui.tui.screens.wizard_run import WizardRunScreen
from msp_tui.tui.screens.wizard_start import WizardChoice, open_run_screen
from msp_tui.tui.screens.wizard_views import PlanView

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
CUSTOMER = "Cedar & Pine Interiors"


@pytest.fixture(autouse=True)
def fixed_run_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ids end in "0000" instead of random hex."""
    monkeypatch.setattr("msp_tui.state.journal.secrets.token_hex", lambda n=8: "0" * (2 * n))


async def _until(pilot: Pilot[Any], condition: Any) -> None:
    for _ in range(300):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
    raise AssertionError("timed out")


async def _plan(pilot: Pilot[Any]) -> WizardRunScreen:
    app: Any = pilot.app
    await _until(pilot, lambda: app.dataset is not None and not app.store.refreshing)
    open_run_screen(app, WizardChoice(kind="migrate"), CUSTOMER)  # type: ignore[arg-type]
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, WizardRunScreen)
    await pilot.press("ctrl+n")
    await _until(pilot, lambda: screen.plan is not None and bool(screen.query(PlanView)))
    return screen


async def _show_plan(pilot: Pilot[Any]) -> None:
    await _plan(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def _show_progress(pilot: Pilot[Any]) -> None:
    screen = await _plan(pilot)
    await pilot.press("ctrl+n")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = CUSTOMER
    await pilot.pause()
    await pilot.press("enter")
    await _until(pilot, lambda: screen.run_id is not None and not screen._busy)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@SIZES
def test_wizard_plan(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_show_plan)


@SIZES
def test_wizard_progress(snap_compare: Any, dashboard: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), terminal_size=size, run_before=_show_progress)
