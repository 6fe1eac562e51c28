"""Shared fixtures: every test runs with its own config, data and log directories."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points every msp-tui path at a temporary directory so no test touches a real home."""
    home = tmp_path / "msp-home"
    monkeypatch.setenv("MSP_TUI_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.setenv("MSP_TUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("MSP_TUI_LOG_DIR", str(home / "log"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "xdg-state"))
    for name in ("MSP_TUI_PASSWORD", "MSP_TUI_SECRET", "MSP_TUI_PROFILE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def fresh_demo_authority():
    """Each test gets its own embedded demo authority (opened lazily in its data dir)."""
    from msp_tui import session

    session.set_demo_authority(None)
    yield
    authority = session._demo_authority
    session.set_demo_authority(None)
    if authority is not None:
        authority.close()


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so times on screen ("as of 15:00") read the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
