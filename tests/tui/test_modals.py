"""Pilot tests of the modal screens and the cost/findings widgets, each in a tiny host app."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Static

from msp_tui.domain.accounts_summary import AccountSummaryRow, failed_row
from msp_tui.domain.chargeback import build_chargeback
from msp_tui.domain.checks import Finding, Severity
from msp_tui.domain.consequences import Action, user_consequences
from msp_tui.domain.policy import Policy
from msp_tui.domain.projection import project
from msp_tui.models import AccountSnapshot, Org, User
from msp_tui.tui.screens.accounts import AccountsSummaryScreen, ProfileSwitchScreen
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.export import ExportScreen
from msp_tui.tui.screens.forms import CreateOrgRequest, CreateOrgScreen, CreateUserScreen
from msp_tui.tui.screens.help import HelpScreen, bindings_help
from msp_tui.tui.screens.whatif import WhatIfScreen
from msp_tui.tui.widgets.cost_panel import CostPanel
from msp_tui.tui.widgets.findings_view import FindingsView

NOW = datetime(2025, 6, 2, 15, tzinfo=timezone.utc)
TODAY = NOW.date()



class Host(App[None]):
    """Holds the widget under test (if any) and records dismiss results and messages."""

    def __init__(self, widget: Any = None) -> None:
        super().__init__()
        self.widget = widget
        self.results: list[Any] = []
        self.selected: list[Finding] = []

    def compose(self) -> ComposeResult:
        if self.widget is not None:
            yield self.widget

    def on_findings_view_finding_selected(self, message: FindingsView.FindingSelected) -> None:
        self.selected.append(message.finding)


async def show(pilot: Pilot[Any], screen: Screen[Any]) -> Screen[Any]:
    app = pilot.app
    assert isinstance(app, Host)
    await app.push_screen(screen, app.results.append)
    await pilot.pause()
    return screen


def text(widget: Static) -> str:
    return str(widget.content)


def account(n_users: int) -> AccountSnapshot:
    top = Org(org_id=1, org_guid="top", org_name="Partner")
    acme = Org(org_id=2, org_guid="acme", org_uid="acme-uid", org_name="Acme Dental", parent_org_id=1)
    users = tuple(User(user_id=10 + i, user_uid=f"u{i}", username=f"user{i}@acme.example",
                       org_id=2, active=True) for i in range(n_users))
    return AccountSnapshot("p", NOW, orgs=(top, acme), users=users)


# -- ConfirmScreen ---------------------------------------------------------------------------


async def test_confirm_needs_the_exact_name() -> None:
    snap = account(51)
    consequences = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, ConfirmScreen(consequences))
        button = screen.query_one("#confirm", Button)
        assert app.focused is screen.query_one("#confirm-input", Input)
        await pilot.press(*"user0@acme.exampl")
        assert button.disabled
        await pilot.press("enter")  # a wrong name never confirms
        assert app.results == [] and "does not match" in text(screen.query_one("#match", Static))
        await pilot.press("e")
        assert not button.disabled and "✓ matches" in text(screen.query_one("#match", Static))
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [True]


async def test_confirm_escape_cancels_and_the_cost_is_visible() -> None:
    snap = account(51)
    consequences = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, ConfirmScreen(consequences))
        cost = text(screen.query_one("#cost", Static))
        assert "$381.99 → $499.50 a month (+$117.51)" in cost
        assert screen.query_one("#confirm", Button).region.bottom <= 24  # fits 80x24
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]


async def test_non_destructive_confirm_is_one_key() -> None:
    snap = account(3)
    consequences = user_consequences(Action.BLOCK_USER, snap.users[0], snap, Policy(), TODAY)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, ConfirmScreen(consequences))
        assert not screen.query(Input) and app.focused is screen.query_one("#confirm", Button)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [True]


# -- forms -------------------------------------------------------------------------------------


async def test_create_org_form_validates_inline() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, CreateOrgScreen("Northwind MSP"))
        await pilot.press("enter")
        error = screen.query_one("#name-error", Static)
        assert text(error) == "✗ Org name is required." and error.has_class("-shown")
        await pilot.press(*"Łódź Księgowość")
        assert not error.has_class("-shown")  # the message follows the text as it is fixed
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [CreateOrgRequest("Łódź Księgowość")]


async def test_create_user_form_messages_and_cancel() -> None:
    org = account(1).orgs[1]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, CreateUserScreen(org))
        await pilot.press(*"ann", "tab", *"ann@", "enter")
        assert "exactly one @" in text(screen.query_one("#username-error", Static))
        assert "domain after the @" in text(screen.query_one("#email-error", Static))
        assert app.focused is screen.query_one("#username", Input)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_create_user_form_returns_the_request() -> None:
    org = account(1).orgs[1]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, CreateUserScreen(org))
        await pilot.press(*"ann@acme.example", "tab", "tab", *"José", "tab", *"Nuñez", "enter")
        await pilot.pause()
    (request,) = app.results
    assert (request.org_uid, request.username, request.email) == (
        "acme-uid", "ann@acme.example", "ann@acme.example")
    assert (request.first_name, request.last_name) == ("José", "Nuñez")


# -- what-if -------------------------------------------------------------------------------------


async def test_whatif_shows_before_and_after_across_the_tier() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, WhatIfScreen(account(48), Policy(), NOW))
        users = screen.query_one("#users", Input)
        users.value = "3"
        await pilot.pause()
        table = text(screen.query_one("#table", Static))
        assert "Billed users" in table and "48" in table and "51" in table
        assert "$479.52" in table and "$381.99" in table
        assert "-$97.53 a month" in table
        assert "▲ Reaches the 51-user tier from 2025-07-01." in table
        users.value = "x"
        await pilot.pause()
        assert "whole number" in text(screen.query_one("#problem", Static))
        users.value = "3"
        await pilot.press("ctrl+s")
        await pilot.pause()
    (result,) = app.results
    assert result.after.billed_users == 51 and result.delta == Decimal("-97.53")


# -- CostPanel -----------------------------------------------------------------------------------


async def test_cost_panel_renders_the_projection() -> None:
    snap = account(48)
    panel = CostPanel(project(48, Policy().prices, TODAY))
    app = Host(panel)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert text(panel.query_one("#cost-users", Static)) == "Billed users  48 / 51  ▲ cliff"
        cycles = text(panel.query_one("#cost-cycles", Static)).splitlines()
        assert cycles == ["This cycle    $9.99 × 48 = $479.52", "Next (Jul 01) $9.99 × 48 = $479.52"]
        assert all(len(line) <= panel.content_region.width for line in cycles)
        assert text(panel.query_one("#cost-advice", Static)) == (
            "Add 3 users and pay $97.53 less each month.")
        bar = panel.query_one("#cost-bar")
        assert (bar.progress, bar.total) == (48, 51)
        panel.customer_share = build_chargeback(snap, Policy()).lines[0]
        await pilot.pause()
        assert text(panel.query_one("#cost-share", Static)).splitlines() == [
            "Customer      Acme Dental", "Share         $479.52/mo · 48 users"]
        panel.add_class("-compact")
        await pilot.pause()
        line = text(panel.query_one("#cost-line", Static))
        assert "Users 48/51" in line and "add 3: -$97.53" in line and panel.size.height == 1


# -- help, accounts, export, findings ------------------------------------------------------------


async def test_help_lists_bindings_facts_and_copies_the_baa_draft(tmp_path: Path) -> None:
    entries = bindings_help([("Help", HelpScreen.BINDINGS)])
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, HelpScreen(entries, partner="Northwind MSP",
                                              customer="Oakridge Family Medicine",
                                              save_dir=tmp_path))
        body = "\n".join(text(s) for s in screen.query(Static))
        for fact in ("$9.99", "$7.49", "51 users", "4 devices", "US only", "msp-billing@code42.com",
                     "support@2checkout.com", "support portal", "host running msp-tui"):
            assert fact in body
        assert "esc q ?" in body and "Copy BAA email" in body
        await pilot.press("c")
        assert app.clipboard.startswith("To: msp-billing@code42.com")
        await pilot.press("s")
        saved = tmp_path / "baa-request-oakridge-family-medicine.txt"
        assert "Oakridge Family Medicine" in saved.read_text(encoding="utf-8")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_accounts_summary_and_profile_switch() -> None:
    rows = [AccountSummaryRow("northwind", NOW, 51, Decimal("7.49"), Decimal("381.99"),
                              Decimal("7.49"), Decimal("381.99"), 0, 11, 91, 4, 2),
            failed_row("acme", "sign-in failed")]
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show(pilot, AccountsSummaryScreen(rows))
        table = screen.query_one(DataTable)
        assert table.row_count == 3  # two accounts and the totals row
        assert table.get_row("northwind")[1:6] == ["51", "$7.49", "$381.99", "$381.99", "✓ at tier"]
        assert table.get_row("acme")[-1] == "✗ sign-in failed"
        await pilot.press("escape")
        await show(pilot, ProfileSwitchScreen(["northwind", "harbor"], "northwind"))
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.results == [None, "harbor"]


async def test_export_writes_csv_then_json(tmp_path: Path) -> None:
    rows = [{"name": "PC-1", "status": "=cmd", "size": 10}]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, ExportScreen(rows, ["name", "status"], view="devices", folder=tmp_path))
        await pilot.press("enter")
        await pilot.pause()
        screen = await show(pilot, ExportScreen(rows, ["name", "status"], view="devices",
                                                folder=tmp_path))
        screen.query_one("#json").value = True
        await pilot.pause()
        assert screen.query_one("#path", Input).value.endswith("devices.json")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [tmp_path / "devices.csv", tmp_path / "devices.json"]
    assert (tmp_path / "devices.csv").read_bytes() == b"name,status\r\nPC-1,'=cmd\r\n"
    assert json.loads((tmp_path / "devices.json").read_text()) == [{"name": "PC-1", "status": "=cmd"}]


async def test_findings_view_filters_by_severity_and_selects() -> None:
    findings = [
        Finding("backup.critical", Severity.CRITICAL, "Acme", "PC-1", "No backup for 9 days.",
                computer_id=5),
        Finding("tier.near", Severity.INFO, "", "50 billed users", "1 user to the tier."),
        Finding("backup.warning", Severity.WARNING, "Acme", "PC-2", "No backup for 4 days."),
    ]
    view = FindingsView(findings)
    app = Host(view)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert view.table.row_count == 3
        view.table.focus()
        await pilot.press("w")
        await pilot.pause()
        assert view.table.row_count == 2
        assert "2 of 3" in text(view.query_one("#findings-bar", Static))
        await pilot.press("c")
        await pilot.pause()
        assert [f.code for f in view.shown()] == ["backup.critical"]
        await pilot.press("enter")
        await pilot.pause()
    assert [f.computer_id for f in app.selected] == [5]




class NarrowHost(App[None]):
    """The cost panel at the width it has under the tree (40 columns)."""

    CSS = "CostPanel { width: 40; }"

    def __init__(self, panel: CostPanel) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        yield self.panel


async def test_cost_panel_rows_fit_the_pane_with_a_share_and_a_what_if() -> None:
    from msp_tui.domain.whatif import AddUsers, counts_from_snapshot, what_if

    snap = account(48)
    policy = Policy()
    panel = CostPanel(project(48, policy.prices, TODAY))
    app = NarrowHost(panel)
    async with app.run_test(size=(80, 30)) as pilot:
        panel.customer_share = build_chargeback(snap, policy).lines[0]
        panel.whatif = what_if(counts_from_snapshot(snap), [AddUsers(org="Acme Dental", users=3)],
                               policy, TODAY)
        await pilot.pause()
        width = panel.content_region.width
        lines = [line for key in ("users", "cycles", "share", "whatif")
                 for line in text(panel.query_one(f"#cost-{key}", Static)).splitlines()]
        assert all(len(line) <= width for line in lines), lines
        assert "What-if       48 → 51 users" in lines
        assert "  next cycle  $479.52 → $381.99" in lines
        assert any(line.strip() == "-$97.53 a month" for line in lines)
