"""Pilot tests of the action flows against the in-memory demo authority, through a real client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from msp_tui import session
from msp_tui.api.errors import ApiError, ReadOnlyError, UnknownOutcomeError
from msp_tui.api.resources import Code42Client
from msp_tui.api.sync import fetch_snapshot
from msp_tui.config import Settings
from msp_tui.domain.consequences import Action
from msp_tui.domain.hierarchy import build_tree
from msp_tui.domain.policy import Policy
from msp_tui.models import AccountSnapshot
from msp_tui.simulator import DemoAuthority
from msp_tui.simulator.faults import FaultPlan
from msp_tui.tui import actions
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.forms import CreateOrgScreen, CreateUserScreen

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)


class Host(App[None]):
    """A bare app that records every notification line."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.lines.append((message, str(kwargs.get("severity", "information"))))
        super().notify(message, **kwargs)


@pytest.fixture
def authority() -> Iterator[DemoAuthority]:
    demo = DemoAuthority(None, now=lambda: NOW)
    session.set_demo_authority(demo)
    yield demo
    session.set_demo_authority(None)
    demo.close()


def _client(read_only: bool = False, audit: list[Any] | None = None) -> Code42Client:
    profile = session.demo_profiles()["northwind"]
    return session.open_client(profile, Settings(), read_only=read_only,
                               audit=audit.append if audit is not None else None)


@pytest.fixture
async def client(authority: DemoAuthority) -> AsyncIterator[Code42Client]:
    async with _client() as c:
        yield c


@pytest.fixture
async def snapshot(client: Code42Client) -> AccountSnapshot:
    return await fetch_snapshot(client, "northwind")


def _ctx(app: App[Any], client: Code42Client, snapshot: AccountSnapshot) -> actions.ActionContext:
    return actions.ActionContext(app, client, snapshot, Policy(), NOW.date())


async def _wait_for(pilot: Pilot[Any], screen_type: type, task: asyncio.Task[Any]) -> None:
    for _ in range(200):
        await pilot.pause()
        if isinstance(pilot.app.screen, screen_type) or task.done():
            return
    raise AssertionError(f"{screen_type.__name__} never showed")


async def _finish(pilot: Pilot[Any], task: asyncio.Task[Any]) -> actions.ActionOutcome:
    for _ in range(400):
        await pilot.pause()
        if task.done():
            return task.result()
    raise AssertionError("the flow did not finish")


def _customer(snapshot: AccountSnapshot, name: str = "BrightSmile Dental"):
    org = build_tree(snapshot).find_by_name(name)
    assert org is not None
    return org


async def test_create_user_in_customer_org(client: Code42Client, snapshot: AccountSnapshot) -> None:
    app = Host()
    org = _customer(snapshot)
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(actions.create_user(_ctx(app, client, snapshot), org))
        await _wait_for(pilot, CreateUserScreen, task)
        await pilot.press(*"nina.park@brightsmile-dental.example", "tab", "tab", *"Nina", "tab",
                          *"Park", "ctrl+s")
        outcome = await _finish(pilot, task)
    assert outcome.ok and outcome.refresh
    assert outcome.created is not None and outcome.created.org_uid == org.org_uid
    assert ("Created user nina.park@brightsmile-dental.example in BrightSmile Dental.",
            "information") in app.lines
    user = await client.find_user("nina.park@brightsmile-dental.example")
    assert user is not None and user.first_name == "Nina" and user.org_id == org.org_id


async def test_create_user_duplicate_is_reported_clearly(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    app = Host()
    org = _customer(snapshot)
    existing = next(u for u in snapshot.users if u.is_active and u.org_id == org.org_id)
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(actions.create_user(_ctx(app, client, snapshot), org))
        await _wait_for(pilot, CreateUserScreen, task)
        await pilot.press(*existing.username, "enter")
        for _ in range(200):  # the form comes back with the reason under the field
            await pilot.pause()
            if isinstance(app.screen, CreateUserScreen) and app.screen.query_one(
                "#username-error"
            ).has_class("-shown"):
                break
        form = app.screen
        assert isinstance(form, CreateUserScreen)
        assert form.query_one("#username", Input).value == existing.username
        shown = str(form.query_one("#username-error", Static).content)
        assert "A user with that email already exists." in shown
        await pilot.press("escape")
        outcome = await _finish(pilot, task)
    assert ("Not created: a user with that email already exists.", "error") in app.lines
    assert not outcome.ok and outcome.cancelled and outcome.error_name == "USER_DUPLICATE"


async def test_create_user_form_blocks_invalid_email_locally(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    audit: list[Any] = []
    app = Host()
    async with _client(audit=audit) as audited, app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(
            actions.create_user(_ctx(app, audited, snapshot), _customer(snapshot))
        )
        await _wait_for(pilot, CreateUserScreen, task)
        await pilot.press(*"nina@localhost", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CreateUserScreen)
        assert "domain needs a dot" in str(app.screen.query_one("#username-error", Static).content)
        await pilot.press("escape")
        outcome = await _finish(pilot, task)
    assert outcome.cancelled and not audit  # nothing was sent


async def test_read_only_client_refuses_and_says_so(
    authority: DemoAuthority, snapshot: AccountSnapshot
) -> None:
    audit: list[Any] = []
    app = Host()
    async with _client(read_only=True, audit=audit) as ro, app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(actions.create_org(_ctx(app, ro, snapshot)))
        await _wait_for(pilot, CreateOrgScreen, task)
        await pilot.press(*"Lakeside Optometry", "enter")
        outcome = await _finish(pilot, task)
        orgs = await ro.list_orgs()
    assert not outcome.ok and not outcome.refresh
    assert outcome.message == "Read-only session: nothing was changed (POST /api/v3/orgs was not sent)."
    assert (outcome.message, "error") in app.lines
    assert any("Read-only session" in line for line, severity in app.lines if severity == "warning")
    assert [e.outcome for e in audit] == ["refused"]
    assert all(o.org_name != "Lakeside Optometry" for o in orgs)


async def test_create_org_goes_directly_under_top_level(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(actions.create_org(_ctx(app, client, snapshot)))
        await _wait_for(pilot, CreateOrgScreen, task)
        await pilot.press(*"Zahnarztpraxis Müller", "ctrl+s")
        outcome = await _finish(pilot, task)
    assert outcome.ok
    top = snapshot.top_org
    assert top is not None
    created = next(o for o in await client.list_orgs() if o.org_name == "Zahnarztpraxis Müller")
    assert created.parent_org_id == top.org_id


async def test_deactivate_user_needs_the_exact_username(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    app = Host()
    user = next(u for u in snapshot.users if u.is_active and u.org_id != snapshot.top_org.org_id)
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(
            actions.run_action(_ctx(app, client, snapshot), Action.DEACTIVATE_USER, user)
        )
        await _wait_for(pilot, ConfirmScreen, task)
        confirm = app.screen.query_one("#confirm", Button)
        await pilot.press(*user.username.upper(), "enter")
        await pilot.pause()
        assert confirm.disabled and isinstance(app.screen, ConfirmScreen)
        app.screen.query_one("#confirm-input", Input).value = ""
        await pilot.press(*user.username)
        await pilot.pause()
        assert not confirm.disabled
        await pilot.press("enter")
        outcome = await _finish(pilot, task)
    assert outcome.ok and outcome.refresh
    assert f"Deactivated user {user.username}." in [line for line, _ in app.lines]
    after = await client.get_user(user.user_id)
    assert not after.is_active


async def test_cancelled_action_sends_nothing(client: Code42Client, snapshot: AccountSnapshot) -> None:
    app = Host()
    device = next(d for d in snapshot.devices if d.is_active)
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(
            actions.run_action(_ctx(app, client, snapshot), Action.DEACTIVATE_DEVICE, device)
        )
        await _wait_for(pilot, ConfirmScreen, task)
        await pilot.press("escape")
        outcome = await _finish(pilot, task)
    assert outcome.cancelled and not outcome.refresh
    assert (await client.get_device(device.computer_id)).is_active


async def test_block_user_needs_only_a_plain_confirmation(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    app = Host()
    user = next(u for u in snapshot.users if u.is_active and not u.is_blocked)
    async with app.run_test(size=(80, 24)) as pilot:
        task = asyncio.create_task(
            actions.run_action(_ctx(app, client, snapshot), Action.BLOCK_USER, user)
        )
        await _wait_for(pilot, ConfirmScreen, task)
        assert not app.screen.query(Input)
        await pilot.press("enter")
        outcome = await _finish(pilot, task)
    assert outcome.ok
    assert (await client.get_user(user.user_id)).is_blocked


async def test_action_not_applicable_is_refused_without_a_modal(
    client: Code42Client, snapshot: AccountSnapshot
) -> None:
    app = Host()
    user = next(u for u in snapshot.users if u.is_active)
    async with app.run_test(size=(80, 24)):
        outcome = await actions.run_action(
            _ctx(app, client, snapshot), Action.REACTIVATE_USER, user
        )
    assert not outcome.ok and "current state" in outcome.message


def test_available_actions_follow_the_state(snapshot: AccountSnapshot) -> None:
    user = next(u for u in snapshot.users if u.is_active and not u.is_blocked)
    assert actions.available_actions(user) == [Action.DEACTIVATE_USER, Action.BLOCK_USER]
    gone = user.model_copy(update={"active": False})
    assert actions.available_actions(gone) == [Action.REACTIVATE_USER]
    top = snapshot.top_org
    assert top is not None and actions.available_actions(top) == []


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (ReadOnlyError("x", method="POST", path="/api/v1/User"),
         "Read-only session: nothing was changed (POST /api/v1/User was not sent)."),
        (ApiError("boom", status=500, error_name="USER_DUPLICATE"),
         "Not created: a user with that email already exists."),
        (ApiError("bad", status=500, error_name="EMAIL_INVALID"),
         "Refused by the server: the email address is not valid."),
        (UnknownOutcomeError("lost"),
         "No answer from the server: the change may or may not have happened; refresh to check."),
        (ApiError("Server said\nno"), "Server said no"),
    ],
)
def test_error_line(error: ApiError, line: str) -> None:
    assert actions.error_line(error) == line


def _preview(app: App[Any]) -> str:
    """The effect lines the confirm dialog shows."""
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return str(screen.query_one("#lines Static", Static).render())


def _org_gets(authority: DemoAuthority, org: Any) -> int:
    return authority.requests_seen[("GET", f"/api/v3/orgs/{org.org_guid}")]


async def _open_and_cancel(app: App[Any], ctx: actions.ActionContext, action: Action, subject: Any) -> str:
    async with app.run_test(size=(100, 40)) as pilot:
        task = asyncio.create_task(actions.run_action(ctx, action, subject))
        await _wait_for(pilot, ConfirmScreen, task)
        text = _preview(app)
        await pilot.press("escape")
        assert (await _finish(pilot, task)).cancelled
    return text


async def test_deactivation_preview_states_the_org_retention_and_asks_once(
    authority: DemoAuthority, snapshot: AccountSnapshot
) -> None:
    maple = _customer(snapshot, "Maple Street Veterinary")
    users = [u for u in snapshot.users if u.is_active and u.org_id == maple.org_id]
    device = next(d for d in snapshot.devices if d.is_active and d.org_id == maple.org_id)
    async with _client(read_only=True) as client:  # a GET: read-only sessions get it too
        ctx = _ctx(Host(), client, snapshot)
        text = await _open_and_cancel(ctx.app, ctx, Action.DEACTIVATE_USER, users[0])
        assert "purged at the end of the org's cold-storage retention period (90 days), around 2025-08-31;" in text
        assert "check it in the console" not in text
        assert _org_gets(authority, maple) == 1
        ctx.app = Host()
        text = await _open_and_cancel(ctx.app, ctx, Action.DEACTIVATE_DEVICE, device)
        assert "retention period (90 days), around 2025-08-31;" in text
        assert _org_gets(authority, maple) == 1  # cached with the snapshot


async def test_org_deactivation_preview_uses_the_inherited_default(
    authority: DemoAuthority, client: Code42Client, snapshot: AccountSnapshot
) -> None:
    org = _customer(snapshot)
    app = Host()
    text = await _open_and_cancel(app, _ctx(app, client, snapshot), Action.DEACTIVATE_ORG, org)
    assert "retention period (365 days), around 2026-06-02." in text


async def test_non_destructive_actions_do_not_ask(
    authority: DemoAuthority, client: Code42Client, snapshot: AccountSnapshot
) -> None:
    maple = _customer(snapshot, "Maple Street Veterinary")
    user = next(u for u in snapshot.users if u.is_active and u.org_id == maple.org_id)
    app = Host()
    await _open_and_cancel(app, _ctx(app, client, snapshot), Action.BLOCK_USER, user)
    assert _org_gets(authority, maple) == 0


@pytest.mark.parametrize(
    ("spec", "reason"),
    [("malformed@only=GET@path=/api/v3/orgs/", "not JSON"),
     ("slow@only=GET@path=/api/v3/orgs/@seconds=40", "no answer in time")],
    ids=["api-error", "no-answer"],
)
async def test_preview_falls_back_when_the_retention_cannot_be_read(
    authority: DemoAuthority, client: Code42Client, snapshot: AccountSnapshot,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, spec: str, reason: str,
) -> None:
    monkeypatch.setattr(actions, "RETENTION_TIMEOUT", 0.5)
    caplog.set_level("INFO", logger="msp_tui.tui.actions")
    maple = _customer(snapshot, "Maple Street Veterinary")
    user = next(u for u in snapshot.users if u.is_active and u.org_id == maple.org_id)
    authority.faults = FaultPlan.parse(spec, seed=1)
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        task = asyncio.create_task(
            actions.run_action(_ctx(app, client, snapshot), Action.DEACTIVATE_USER, user)
        )
        await _wait_for(pilot, ConfirmScreen, task)
        text = _preview(app)
        assert ("purged at the end of the org's cold-storage retention period "
                "(a per-org setting; check it in the console);") in text
        assert "days)" not in text
        assert reason in caplog.text
        asked = _org_gets(authority, maple)
        await pilot.press(*user.username, "enter")
        outcome = await _finish(pilot, task)
    assert outcome.ok
    assert not (await client.get_user(user.user_id)).is_active
    assert _org_gets(authority, maple) == asked  # the failure is not retried on every open
