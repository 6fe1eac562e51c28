"""Fixtures for tests against the demo authority over real HTTP on loopback.

`demo_server` is a fresh, freshly seeded DemoAuthority (small scale, its own SQLite file
under tmp_path) served by uvicorn on 127.0.0.1 with an ephemeral port. Its clock is
`demo_clock`, frozen until a test advances it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority, RunningServer, start_in_thread

DEMO_NOW = datetime(2025, 6, 2, 15, 0, 0, tzinfo=timezone.utc)
"""The frozen "now" of every demo_server (a Monday afternoon, UTC)."""


class FakeClock:
    """A settable clock for DemoAuthority(now=...)."""

    def __init__(self, start: datetime = DEMO_NOW) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Moves the clock forward, e.g. advance(minutes=31)."""
        self.current += timedelta(**delta)


@pytest.fixture
def demo_clock() -> FakeClock:
    """The injectable clock of the demo authority."""
    return FakeClock()


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """Where the demo authority of this test persists its state."""
    return tmp_path / "demo-authority.sqlite"


@pytest.fixture
def demo_authority(demo_db: Path, demo_clock: FakeClock) -> Iterator[DemoAuthority]:
    """A freshly seeded small-scale DemoAuthority (not served)."""
    authority = DemoAuthority(demo_db, reset=True, now=demo_clock)
    try:
        yield authority
    finally:
        authority.close()


@pytest.fixture
def demo_server(demo_authority: DemoAuthority) -> Iterator[RunningServer]:
    """The demo authority served over real HTTP; `.base_url` is e.g. http://127.0.0.1:54321."""
    server = start_in_thread(demo_authority)
    try:
        yield server
    finally:
        server.stop()


def login(base_url: str, account_index: int = 0) -> httpx.Client:
    """Returns an httpx client for `base_url` carrying a fresh JWT of a demo account's admin."""
    account = DEMO_ACCOUNTS[account_index]
    response = httpx.get(f"{base_url}/api/v3/auth/jwt", params={"useBody": "True"},
                         auth=(account.username, account.password))
    response.raise_for_status()
    token = response.json()["data"]["v3_user_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def demo_login():
    """The `login(base_url, account_index)` helper, for tests that need more than one client."""
    return login


@pytest.fixture
def northwind(demo_server: RunningServer) -> Iterator[httpx.Client]:
    """An httpx client signed in as the Northwind MSP admin."""
    with login(demo_server.base_url, 0) as client:
        yield client


@pytest.fixture
def harbor(demo_server: RunningServer) -> Iterator[httpx.Client]:
    """An httpx client signed in as the Harbor IT Services admin."""
    with login(demo_server.base_url, 1) as client:
        yield client
