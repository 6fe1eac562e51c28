"""Pilot tests of the dashboard's actions against the demo authority: create an org and a user,
deactivate a user, and see the tree, the tables and the cost pane follow; read-only refuses."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from msp_tui.tui.app import MspApp
from msp_tui.tui.messages import JumpTo
from msp_tui.tui.screens.accounts import AccountsSummaryScreen, ProfileSwitchScreen
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.forms import CreateOrgScreen, CreateUserScreen
from msp_tui.tui.screens.help import HelpScreen
from msp_tui.tui.screens.main import MainScreen
from msp_tui.tui.screens.all_devices import FindingsScreen
from msp_tui.tui.widgets.cost_panel import CostPanel
from msp_tui.tui.widgets.customer_pane import CustomerPane
from msp_tui.tui.widgets.org_tree import OrgTree
from msp_tui.tui.widgets.virtual_table import VirtualTable


def cost_line(app: MspApp) -> str:
    panel = app.screen.query_one("#cost-summary", CostPanel)
    return str(panel.query_one("#cost-line", Static).render())


async def deactivation_preview(pilot: Any, user: Any, settle: Any, wait_until: Any) -> str:
    """Selects `user`, presses `x`, returns the confirmation's lines, then cancels (the user
    stays active)."""
    app = pilot.app
    app.screen.jump_to(JumpTo(org_id=user.org_id, user_id=user.user_id))
    await settle(pilot)
    users = app.screen.query_one("#users-table", VirtualTable)
    assert users.cursor_key == user.user_id and app.screen.focused is users
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
    lines = str(app.screen.query_one("#lines Static", Static).render())
    await pilot.press("escape")
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog to close")
    assert app.dataset.user(user.user_id).is_active
    return lines


async def test_create_org_then_user_updates_tree_tables_and_cost(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.dataset.projection.billed_users
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateOrgScreen), "the org form")
        await pilot.press(*"Lakeside Optometry", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        await settle(pilot)
        dataset = app.dataset
        org = next(o for o in dataset.tree.customers if o.org_name == "Lakeside Optometry")
        tree = app.screen.query_one(OrgTree)
        assert org.org_id in tree.org_ids() and tree.selected_org == org.org_id
        assert "Created customer org Lakeside Optometry" in str(
            app.screen.query_one("#status-line", Static).render())

        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateUserScreen), "the user form")
        await pilot.press(*"nina.park@lakeside-optometry.example", "tab", "tab", *"Nina", "tab",
                          *"Park", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        await settle(pilot)
        users = app.screen.query_one("#users-table", VirtualTable)
        assert app.screen.query_one(CustomerPane).org_id == org.org_id
        assert users.row_count == 1
        assert app.dataset.projection.billed_users == before + 1
        assert f"Users {before + 1}/51" in cost_line(app)
        assert f"{before + 1}/51 users" in str(app.screen.query_one("#header-right", Static).render())


async def test_deactivate_user_asks_for_the_name_and_updates_everything(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.dataset.projection.billed_users
        await pilot.press("down", "down", "enter")  # a customer's users
        users = app.screen.query_one("#users-table", VirtualTable)
        user = app.dataset.user(users.cursor_key)
        assert user.is_active
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press(*user.username, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog to close")
        await settle(pilot)
        after = app.dataset.user(user.user_id)
        assert not after.is_active
        assert app.screen.query_one(CustomerPane).org_id == user.org_id
        assert users.cursor_row.values["status"] == "deactivated"
        # Deactivated users stay billed while their archive is in cold storage.
        assert app.dataset.projection.billed_users == before
        assert users.cursor_key == user.user_id


async def test_deactivation_preview_shows_the_org_retention(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        maple = next(o for o in app.dataset.tree.customers if o.org_name == "Maple Street Veterinary")
        user = next(u for u in app.dataset.users_in(maple.org_id) if u.is_active)
        lines = await deactivation_preview(pilot, user, settle, wait_until)
        assert "cold-storage retention period (90 days), around 2025-08-31;" in lines


async def test_deactivating_the_signed_in_login_warns_first(
    make_app: Any, settle: Any, wait_until: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        login = app.profile.username
        me = next(u for u in app.dataset.snapshot.users if u.username == login)
        lines = await deactivation_preview(pilot, me, settle, wait_until)
        assert lines.lstrip("• ").startswith(f"⚠ {login} is the login msp-tui signs in with")


async def test_read_only_session_refuses_actions(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        users = app.screen.query_one("#users-table", VirtualTable)
        user = app.dataset.user(users.cursor_key)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog to close")
        await settle(pilot)
        assert "Read-only session" in str(app.screen.query_one("#status-line", Static).render())
        assert not app.dataset.user(user.user_id).is_blocked


async def test_new_user_needs_a_customer_org(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")  # the top-level org is selected
        assert isinstance(app.screen, MainScreen)
        assert "Select a customer org" in str(app.screen.query_one("#status-line", Static).render())


async def test_help_findings_profiles_and_summary(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {(key, text) for _where, key, text in app.screen.entries}
        assert ("x", "Deactivate") in keys and ("/", "Filter") in keys
        await pilot.press("escape")
        await pilot.press("f")
        assert isinstance(app.screen, FindingsScreen)
        await settle(pilot)
        table = app.screen.query_one("#findings-table", VirtualTable)
        assert table.row_count == len(app.dataset.findings) > 0
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, AccountsSummaryScreen), "the summary")
        assert {row.profile for row in app.screen.summaries} >= {"northwind", "harbor"}
        await pilot.press("escape")
        await pilot.press("p")
        assert isinstance(app.screen, ProfileSwitchScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.store.profile == "harbor"
        assert "Harbor IT Services" in str(app.screen.query_one("#header-left", Static).render())


async def test_wizards_key_opens_the_chooser_for_the_selected_customer(
    make_app: Any, settle: Any
) -> None:
    from msp_tui.tui.screens.wizard_start import WizardStartScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "W")
        await pilot.pause()
        assert isinstance(app.screen, WizardStartScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_read_only_dashboard_trying_every_action_sends_no_mutation(
    make_app: Any, settle: Any, wait_until: Any, authority: Any
) -> None:
    """A scripted read-only session goes through every action to the end; the demo authority
    must see zero mutating requests (the client refuses them before they leave)."""
    app = make_app(read_only=True)

    async def confirm_by_typing() -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        inputs = app.screen.query("#confirm-input")
        if inputs:
            inputs.first().value = app.screen.consequences.confirm_text
            await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog to close")
        await settle(pilot)

    async def fill_form(values: dict[str, str]) -> None:
        await wait_until(pilot, lambda: not isinstance(app.screen, MainScreen), "the form")
        for key, value in values.items():
            app.screen.query_one(f"#{key}").value = value
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form to close")
        await settle(pilot)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # a customer's users
        for key in ("x", "b"):  # deactivate, block the highlighted (active) user
            await pilot.press(key)
            await confirm_by_typing()
        await pilot.press("end", "R")  # reactivate the deactivated user at the bottom
        await confirm_by_typing()
        await pilot.press("]")  # devices
        await settle(pilot)
        for key in ("x", "b"):
            await pilot.press(key)
            await confirm_by_typing()
        await pilot.press("n")
        await fill_form({"name": "Read Only Test Org"})
        await pilot.press("u")
        await fill_form({"username": "ro.test@example.com"})
        await settle(pilot)
    mutating = {k: n for k, n in authority.requests_seen.items() if k[0] != "GET"}
    assert mutating == {}
    # ...and every one of the seven actions did reach the client, which refused and recorded it.
    refused = [row for row in app.audit.recent() if row.outcome == "refused"]
    assert len(refused) == 7
    assert {row.method for row in refused} >= {"POST", "PUT"}
