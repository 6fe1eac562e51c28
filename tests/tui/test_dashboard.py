"""Pilot tests of the dashboard shell: start-up, tree navigation, customer tables, filter, details,
all-devices view, layout breakpoints and the command palette entries."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from msp_tui.tui.app import MspApp
from msp_tui.tui.commands import palette_entries
from msp_tui.tui.screens.all_devices import AllDevicesScreen
from msp_tui.tui.screens.detail import DetailScreen
from msp_tui.tui.screens.main import MainScreen
from msp_tui.tui.widgets.customer_pane import CustomerPane
from msp_tui.tui.widgets.org_tree import OrgTree
from msp_tui.tui.widgets.virtual_table import VirtualTable


def text_of(app: MspApp, selector: str) -> str:
    """Plain text of a Static on the current screen."""
    return str(app.screen.query_one(selector, Static).render())


def header(app: MspApp) -> str:
    return text_of(app, "#header-left") + " | " + text_of(app, "#header-right")


async def test_opens_on_the_demo_with_every_pane_filled(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        dataset = app.dataset
        assert dataset is not None and app.store.error is None
        top = header(app)
        assert "Northwind MSP" in top and "DEMO" in top and "as of 15:00" in top
        assert f"{dataset.projection.billed_users}/51 users" in top
        tree = app.screen.query_one(OrgTree)
        shown = tree.org_ids()
        assert dataset.tree.top.org_id == shown[0]
        customers = [o for o in dataset.tree.customers if o.is_active]
        assert {o.org_id for o in customers} <= set(shown)
        # Deactivated orgs are hidden until D.
        hidden = [o.org_id for o in dataset.tree.customers if not o.is_active]
        assert hidden and not set(hidden) & set(shown)
        await pilot.press("D")
        assert set(hidden) <= set(tree.org_ids())
        summary = app.screen.query_one("#cost-summary").query_one("#cost-line", Static)
        assert f"Users {dataset.projection.billed_users}/51" in str(summary.render())


async def test_tree_keys_select_a_customer_and_show_its_users_and_devices(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dataset = app.dataset
        tree = app.screen.query_one(OrgTree)
        pane = app.screen.query_one(CustomerPane)
        await pilot.press("down", "down")
        org_id = tree.selected_org
        assert org_id == tree.org_ids()[2]
        users = app.screen.query_one("#users-table", VirtualTable)
        assert pane.org_id == org_id
        assert users.row_count == len(dataset.users_in(org_id))
        assert dataset.tree.orgs[org_id].org_name in text_of(app, "#pane-title")
        await pilot.press("enter")  # opens the org: focus moves to its users
        assert app.focused is users
        await pilot.press("]")
        devices = app.screen.query_one("#devices-table", VirtualTable)
        assert app.focused is devices
        assert devices.row_count == len(dataset.devices_in(org_id))
        # Worst health first.
        first = dataset.device(devices.cursor_key)
        ranks = [dataset.health.device(d.computer_id).health.rank for d in dataset.devices_in(org_id)]
        assert dataset.health.device(first.computer_id).health.rank == max(ranks)
        await pilot.press("tab")
        assert app.focused is tree


async def test_filter_as_you_type_and_escape_clears(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter", "]")
        devices = app.screen.query_one("#devices-table", VirtualTable)
        total = devices.row_count
        await pilot.press("slash", *"health:critical")
        assert devices.filter_text == "health:critical"
        critical = {d.computer_id for d in app.dataset.devices_in(app.screen.query_one(OrgTree).selected_org)
                    if app.dataset.health.device(d.computer_id).health.value == "critical"}
        assert set(devices.visible_keys()) == critical
        assert f"{len(critical)} of {total}" in text_of(app, "#filter-count")
        await pilot.press("enter")  # keeps the filter, back to the table
        assert app.focused is devices and devices.visible_count == len(critical)
        await pilot.press("slash", "escape")
        assert devices.filter_text == "" and devices.visible_count == total
        assert app.focused is devices
        await pilot.press("slash", *"nosuchfield:x")
        assert "✗" in text_of(app, "#filter-count")


async def test_enter_opens_details_with_every_destination(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter", "]")
        devices = app.screen.query_one("#devices-table", VirtualTable)
        device = app.dataset.device(devices.cursor_key)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.plain_text()
        assert device.display_name in body
        for usage in device.backup_usage:
            assert (usage.target_computer_name or "") in body
        assert "archiveBytes" in body
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("[", "enter")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")


async def test_all_devices_view_is_worst_first_and_jumps_to_the_org(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AllDevicesScreen)
        await settle(pilot)
        table = app.screen.query_one("#all-devices-table", VirtualTable)
        dataset = app.dataset
        assert table.row_count == len(dataset.snapshot.devices)
        codes = [dataset.health.device(k).health.rank for k in table.visible_keys()]
        assert codes == sorted(codes, reverse=True)
        device = dataset.device(table.cursor_key)
        await pilot.press("o")
        assert isinstance(app.screen, MainScreen)
        await pilot.pause()
        pane = app.screen.query_one(CustomerPane)
        assert pane.active_kind == "devices"
        assert pane.active_table.cursor_key == device.computer_id


async def test_layout_collapses_at_80x24_and_grows_at_120x40(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        assert not app.screen.query_one("#cost-panel").display
        assert app.screen.query_one("#cost-summary").display
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert app.screen.has_class("-wide")
        assert app.screen.query_one("#cost-panel").display
        assert not app.screen.query_one("#cost-summary").display


async def test_read_only_badge(make_app: Any, settle: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in header(app)
        assert app.client is not None and app.client.read_only


async def test_every_binding_is_a_palette_entry(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {title for title, *_ in palette_entries(app.screen, app)}
        assert {"Filter", "All devices", "Findings", "Refresh", "Quit", "Help", "New org",
                "New user", "Deactivate", "Reactivate", "Block/unblock", "Export"} - {"Quit"} <= titles
