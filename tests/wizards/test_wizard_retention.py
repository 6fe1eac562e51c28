"""The org's cold-storage retention in wizard plans, asked from the demo authority while planning.

Maple Street Veterinary keeps archives 90 days; the other demo orgs inherit 365. A lookup that
fails or hangs leaves the plan's general wording, and the wizard still plans.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from msp_tui import session
from msp_tui.api import Code42Client
from msp_tui.api.errors import ServerError
from msp_tui.api.sync import fetch_snapshot
from msp_tui.cli.main import main
from msp_tui.config import Settings
from msp_tui.domain.wizards.model import Plan, WizardKind
from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority
from msp_tui.wizards.planning import build_plan, fetch_retention

from wizard_support import FIXED_NOW, Demo, make_client

MAPLE = "Maple Street Veterinary"
TODAY = FIXED_NOW.date()  # 2025-06-02: 90 days on is 2025-08-31, 365 days 2026-06-02
GENERAL_OFFBOARD = ("Backups stop. The archives go to cold storage and stay there until purged or until the "
                    "org's retention period ends; reactivating a user (or the org) within that time brings them back.")


class RetentionTransport(httpx.AsyncBaseTransport):
    """Forwards to the authority; org lookups with settings (the retention) fail or hang."""

    def __init__(self, authority: DemoAuthority, mode: str) -> None:
        self.inner = httpx.ASGITransport(app=authority)
        self.mode = mode
        self.asked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "incSettings" in request.url.params:
            self.asked += 1
            if self.mode == "hang":
                await asyncio.sleep(60)
            if self.mode == "down":
                raise httpx.ConnectError("connection refused", request=request)
            if self.mode == "error":
                return httpx.Response(500, json=[{"name": "SYSTEM", "description": "boom"}], request=request)
            if self.mode == "odd":
                return httpx.Response(200, json={"data": ["not an org"]}, request=request)
        return await self.inner.handle_async_request(request)


async def _plan(source: Code42Client, target: Code42Client, kind: WizardKind, org: str | None = MAPLE,
                **options: float) -> tuple[Plan, dict[int, int]]:
    """What the wizard front ends do: fetch the accounts, then the retention, then plan."""
    async with source, target:
        snaps = {"source": await fetch_snapshot(source, "northwind"), "target": await fetch_snapshot(target, "harbor")}
        retention = await fetch_retention(kind, snaps["source"], source, org, **options)
    plan = build_plan(kind, snaps, settings=Settings(), today=TODAY, profiles={"source": "northwind", "target": "harbor"},
                      org_name=org, own_usernames=[DEMO_ACCOUNTS[0].username], retention=retention)
    return plan, retention


@pytest.mark.parametrize("kind", [WizardKind.OFFBOARD, WizardKind.MIGRATE])
async def test_planning_maple_street_states_its_90_days(demo: Demo, kind: WizardKind) -> None:
    clients = demo.clients()
    plan, retention = await _plan(clients["source"], clients["target"], kind)
    assert list(retention.values()) == [90]
    text = " ".join(plan.summary)
    assert "the org's retention period (90 days, around 2025-08-31) ends" in text
    assert GENERAL_OFFBOARD not in plan.summary
    # The plan the journal stores carries the sentence itself.
    run_id = demo.journal().create_run(plan)
    assert "90 days, around 2025-08-31" in " ".join(demo.journal().run(run_id).plan.summary)


async def test_an_inheriting_org_states_the_parent_retention_and_a_closure_names_the_exception(demo: Demo) -> None:
    clients = demo.clients()
    plan, retention = await _plan(clients["source"], clients["target"], WizardKind.OFFBOARD, "Greenfield Engineering")
    assert sorted(retention.values()) == [365, 365]  # the customer and its nested field office
    assert any("retention period (365 days, around 2026-06-02) ends" in line for line in plan.summary)
    clients = demo.clients()
    plan, _ = await _plan(clients["source"], clients["target"], WizardKind.CLOSE_ACCOUNT, None)
    assert any("each org's retention period (365 days, around 2026-06-02; 90 days for Maple Street Veterinary, "
               "around 2025-08-31) ends" in line for line in plan.summary)


@pytest.mark.parametrize("mode", ["down", "error", "odd"])
async def test_a_failing_retention_lookup_leaves_the_general_wording(demo: Demo, mode: str) -> None:
    transport = RetentionTransport(demo.authority, mode)
    plan, retention = await _plan(make_client(demo.authority, 0, transport), demo.clients()["target"],
                                  WizardKind.OFFBOARD)
    assert transport.asked >= 1 and retention == {}
    assert GENERAL_OFFBOARD in plan.summary
    assert [s.kind.value for s in plan.steps][-1] == "deactivate-org"  # still a whole plan


async def test_a_hanging_retention_lookup_is_given_up_after_the_timeout(demo: Demo) -> None:
    transport = RetentionTransport(demo.authority, "hang")
    started = time.monotonic()
    plan, retention = await _plan(make_client(demo.authority, 0, transport), demo.clients()["target"],
                                  WizardKind.MIGRATE, timeout=0.2)
    assert time.monotonic() - started < 10
    assert transport.asked == 1 and retention == {}
    assert any("(or until the org's retention period ends)" in line for line in plan.summary)
    assert plan.org_name == MAPLE and plan.steps


# -- the CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_demo(monkeypatch: pytest.MonkeyPatch):
    authority = DemoAuthority(None, now=lambda: FIXED_NOW)
    session.set_demo_authority(authority)
    monkeypatch.setattr("msp_tui.cli.wizard_cmd._today", lambda: TODAY)
    yield authority
    session.set_demo_authority(None)


def test_cli_dry_runs_state_the_retention(capsys, cli_demo) -> None:
    assert main(["offboard", "--demo", "--org", MAPLE, "--dry-run"]) == 0
    assert "the org's retention period (90 days, around 2025-08-31) ends;" in capsys.readouterr().out
    assert main(["migrate", "--demo", "--org", MAPLE, "--dry-run"]) == 0
    assert "or until the org's retention period (90 days, around 2025-08-31) ends," in capsys.readouterr().out
    assert main(["close-account", "--demo", "--dry-run"]) == 0
    assert "365 days, around 2026-06-02; 90 days for Maple Street Veterinary, around 2025-08-31" in (
        capsys.readouterr().out)


def test_cli_plans_without_the_number_when_the_lookup_fails(capsys, cli_demo, monkeypatch) -> None:
    async def refuse(self: Code42Client, org_guid: str) -> int | None:
        raise ServerError("the server had a problem")

    monkeypatch.setattr(Code42Client, "get_org_retention_days", refuse)
    assert main(["offboard", "--demo", "--org", MAPLE, "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "until purged or until the org's retention period ends; reactivating" in captured.out
    assert "Dry run: nothing was sent" in captured.out
    assert "Traceback" not in captured.out + captured.err
