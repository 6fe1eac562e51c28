"""Fixtures for the dashboard snapshot tests: frozen clock, UTC, a fresh demo authority per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from msp_tui import session
from msp_tui.config import Settings
from msp_tui.simulator import DemoAuthority
from msp_tui.state import db
from msp_tui.tui.app import MspApp, build_app

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)
"""The frozen "now" of the demo authority and the app."""


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[Callable[..., MspApp]]:
    """Builds the dashboard on a freshly seeded in-memory demo authority."""
    demo = DemoAuthority(None, now=lambda: NOW)
    session.set_demo_authority(demo)

    def make(**kwargs: Any) -> MspApp:
        app = build_app(Settings(), demo=True, now=NOW, conn=db.connect(tmp_path / "state.sqlite"),
                        **kwargs)
        app.export_dir = tmp_path
        return app

    yield make
    session.set_demo_authority(None)
    demo.close()
