"""The dashboard under each fault kind: the last good data stays (marked stale), one error line,
no crash, and it recovers as soon as the faults stop.

The app runs headless (App.run_test) on an in-process demo authority whose fault plan is
switched on for one refresh and off again; the client's back-off is shrunk so nothing waits.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from msp_tui import session
from msp_tui.api import client as client_module
from msp_tui.api.retry import RetryPolicy
from msp_tui.config import AppSettings, Settings
from msp_tui.simulator import DemoAuthority
from msp_tui.simulator.faults import FaultPlan
from msp_tui.state import db
from msp_tui.tui.app import build_app
from msp_tui.tui.widgets.status_line import StatusLine

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)
FAILING = ["500", "503", "429@retry-after=30", "html", "slow@seconds=5", "drop", "truncate", "malformed",
           "expire-token", "skip-page"]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """The client's back-off in milliseconds (the app builds its clients itself)."""
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: RetryPolicy(base_delay=0.001, max_delay=0.005))


async def _until(pilot, condition, what: str, attempts: int = 400) -> None:
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def _ids(app) -> tuple:
    snap = app.store.dataset.snapshot
    return (sorted(o.org_id for o in snap.orgs), sorted(u.user_id for u in snap.users),
            sorted(d.computer_id for d in snap.devices))


@pytest.mark.parametrize("kind", FAILING + ["repeat-page"])
async def test_dashboard_keeps_stale_data_shows_one_line_and_recovers(kind, tmp_path):
    plan = FaultPlan.parse(f"{kind}@only=GET@path=/api/v1/", seed=1)
    plan.enabled = False
    authority = DemoAuthority(None, now=lambda: NOW, faults=plan)
    session.set_demo_authority(authority)
    app = build_app(Settings(app=AppSettings(timeout_seconds=0.05, page_size=25)), demo=True, now=NOW,
                    conn=db.connect(tmp_path / "state.sqlite"))
    async with app.run_test(size=(120, 40)) as pilot:
        store = app.store
        await _until(pilot, lambda: store.dataset is not None and not store.from_cache and not store.refreshing,
                     "the first load")
        good, good_ids = store.dataset, _ids(app)

        plan.enabled = True
        await pilot.press("r")
        if kind == "repeat-page":  # every page shifted alike: still complete, nothing lost
            await _until(pilot, lambda: store.dataset is not good and not store.refreshing, "a refresh")
            assert _ids(app) == good_ids and store.error is None
        else:
            await _until(pilot, lambda: store.error is not None, "the refresh to fail")
            assert store.dataset is good and store.stale  # all-or-nothing: the last good data stays
            assert "\n" not in store.error and "Traceback" not in store.error
            line = str(app.screen.query_one(StatusLine).render())
            assert line.startswith("✗ Refresh failed") and "\n" not in line.strip()
        assert sum(plan.stats.values()) >= 1

        plan.enabled = False
        await pilot.press("r")
        await _until(pilot, lambda: store.error is None and not store.stale and store.dataset is not good
                     and not store.refreshing, "recovery")
        assert _ids(app) == good_ids
    assert app.return_code in (None, 0)
    session.set_demo_authority(None)
    authority.close()
