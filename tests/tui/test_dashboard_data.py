"""Pilot tests of the dashboard's data flow: cache-first start, failed refreshes, TOTP sign-in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from textual.widgets import Static

from msp_tui import session
from msp_tui.api import LocalAccount, fetch_snapshot
from msp_tui.config import Settings
from msp_tui.simulator import DEMO_TOTP_CODE
from msp_tui.tui.app import MspApp
from msp_tui.tui.dataset import restamp
from msp_tui.tui.screens.signin import TotpScreen
from msp_tui.tui.widgets.org_tree import OrgTree

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)
"""Same frozen time as the fixtures (conftest.NOW)."""


def unreachable(request: httpx.Request) -> httpx.Response:
    """A transport handler for a console that cannot be reached."""
    raise httpx.ConnectError("connection refused", request=request)


def text_of(app: MspApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def cached_snapshot(app: MspApp, age: timedelta) -> Any:
    """Fetches the demo account and stores it in the app's cache as if fetched `age` ago."""
    profile = session.demo_profiles()["northwind"]
    async with session.open_client(profile, Settings()) as client:
        snapshot = restamp(await fetch_snapshot(client, "northwind"), NOW - age)
    app.cache.save(snapshot)
    return snapshot


async def test_starts_from_the_cache_when_the_console_is_unreachable(
    make_app: Any, settle: Any
) -> None:
    app = make_app(transport=httpx.MockTransport(unreachable))
    snapshot = await cached_snapshot(app, timedelta(hours=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.dataset is not None
        assert len(app.dataset.snapshot.devices) == len(snapshot.devices)
        assert app.store.stale
        right = text_of(app, "#header-right")
        assert "as of 14:00" in right and "stale" in right
        line = text_of(app, "#status-line")
        assert line.startswith("✗ Refresh failed") and "Cannot reach" in line
        assert "\n" not in line and "Traceback" not in line
        assert len(app.screen.query_one(OrgTree).org_ids()) > 5


async def test_no_cache_and_no_console_shows_an_error_not_a_crash(make_app: Any, settle: Any) -> None:
    app = make_app(transport=httpx.MockTransport(unreachable))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.dataset is None and not app.store.stale
        assert "no data yet" in text_of(app, "#header-right")
        assert text_of(app, "#status-line").startswith("✗ Refresh failed")


async def test_a_failed_refresh_keeps_the_data_and_a_good_one_clears_the_error(
    make_app: Any, settle: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = app.dataset
        assert shown is not None and not app.store.from_cache
        await app._close_client()
        app.transport = httpx.MockTransport(unreachable)
        await pilot.press("r")
        await settle(pilot)
        assert app.dataset is shown and app.store.stale
        assert "stale" in text_of(app, "#header-right")
        assert "retry in 5s" in text_of(app, "#status-line")
        await pilot.press("r")
        await settle(pilot)
        assert "retry in 15s" in text_of(app, "#status-line")  # back-off grows
        await app._close_client()
        app.transport = None
        await pilot.press("r")
        await settle(pilot)
        assert app.dataset is not shown and not app.store.stale and app.store.error is None
        assert "stale" not in text_of(app, "#header-right")
        assert text_of(app, "#status-line") == ""


async def test_two_factor_account_is_asked_for_its_totp_code(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    def tech(profile: Any, totp: str | None) -> LocalAccount:
        return LocalAccount("tech@northwind-msp.example", "northwind-tech", totp)

    app = make_app(credentials=tech)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, TotpScreen), "the TOTP prompt")
        await pilot.press(*"000000", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TotpScreen)
                         and app.screen.problem is not None, "the prompt to come back")
        assert "refused" in app.screen.problem
        await pilot.press(*DEMO_TOTP_CODE, "enter")
        await settle(pilot)
        assert app.dataset is not None and app.store.error is None


async def test_cancelling_the_totp_prompt_is_one_error_line(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    app = make_app(credentials=lambda p, totp: LocalAccount(
        "tech@northwind-msp.example", "northwind-tech", totp))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, TotpScreen), "the TOTP prompt")
        await pilot.press("escape")
        await settle(pilot)
        assert "Sign-in cancelled" in text_of(app, "#status-line")
