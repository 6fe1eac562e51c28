"""Fixtures for the dashboard's Pilot tests: a fresh in-memory demo authority per test, a frozen
clock, a private state database, and helpers that wait on conditions instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from msp_tui import session
from msp_tui.config import Settings
from msp_tui.simulator import DemoAuthority
from msp_tui.state import db
from msp_tui.tui.app import MspApp, build_app

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)
"""The frozen "now" of the demo authority and of the app (a Monday afternoon, UTC)."""


@pytest.fixture
def authority() -> Iterator[DemoAuthority]:
    """A freshly seeded in-memory demo authority, injected as the session's demo authority."""
    demo = DemoAuthority(None, now=lambda: NOW)
    session.set_demo_authority(demo)
    yield demo
    session.set_demo_authority(None)
    demo.close()


@pytest.fixture
def make_app(authority: DemoAuthority, tmp_path: Path) -> Callable[..., MspApp]:
    """Builds the dashboard on the demo profiles with the frozen clock and a private state db."""
    conn = db.connect(tmp_path / "state.sqlite")

    def make(**kwargs: Any) -> MspApp:
        kwargs.setdefault("demo", True)
        kwargs.setdefault("now", NOW)
        app = build_app(kwargs.pop("settings", Settings()), conn=conn, **kwargs)
        app.export_dir = tmp_path / "exports"
        return app

    return make


async def settle(pilot: Pilot[Any]) -> None:
    """Waits for every worker that can finish (refreshes, row builds) and a refresh."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], what: str,
                     attempts: int = 200) -> None:
    """Lets the app run until `condition()` holds (no fixed sleeps); fails after `attempts`."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(name="settle")
def settle_fixture() -> Callable[[Pilot[Any]], Any]:
    """`await settle(pilot)`: see `settle`."""
    return settle


@pytest.fixture(name="wait_until")
def wait_until_fixture() -> Callable[..., Any]:
    """`await wait_until(pilot, condition, what)`: see `wait_until`."""
    return wait_until
