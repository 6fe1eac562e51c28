"""SVG snapshots of the modals and the cost panel at 80x24 and 120x40 (fixed data, no clock)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from msp_tui.domain.chargeback import build_chargeback
from msp_tui.domain.consequences import Action, user_consequences
from msp_tui.domain.policy import Policy
from msp_tui.domain.projection import project
from msp_tui.models import AccountSnapshot, BackupUsage, Device, Org, User
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.forms import CreateUserRequest, CreateUserScreen
from msp_tui.tui.screens.help import HelpScreen, bindings_help
from msp_tui.tui.widgets.cost_panel import CostPanel

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
NOW = datetime(2025, 6, 2, 15, tzinfo=timezone.utc)
TODAY = date(2025, 6, 2)


def account(n_users: int = 51) -> AccountSnapshot:
    """Northwind-like: `n_users` billed users, one customer org, one device per user."""
    top = Org(org_id=1, org_guid="top", org_name="Northwind MSP")
    org = Org(org_id=2, org_guid="bs", org_uid="bs-uid", org_name="BrightSmile Dental",
              parent_org_id=1)
    users = tuple(
        User(user_id=10 + i, user_uid=f"u{i}", username=f"user{i}@brightsmile-dental.example",
             first_name="Chloe" if i == 0 else None, last_name="Schmidt" if i == 0 else None,
             org_id=2, active=True)
        for i in range(n_users)
    )
    usage = [BackupUsage(target_computer_name="PROe Cloud, US", archive_bytes=1)]
    devices = tuple(Device(computer_id=100 + i, name=f"PC-{i}", user_id=10 + i, org_id=2,
                           active=True, status="Active", backup_usage=usage) for i in range(n_users))
    return AccountSnapshot("northwind", NOW, orgs=(top, org), users=users, devices=devices)


class ModalHost(App[None]):
    """Pushes one screen over a plain background."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen

    def compose(self) -> ComposeResult:
        yield Static("msp-tui (background)")

    def on_mount(self) -> None:
        self.push_screen(self.modal)


class PanelHost(App[None]):
    """Shows the cost panel full and compact."""

    def compose(self) -> ComposeResult:
        snap = account(48)
        policy = Policy()
        projection = project(48, policy.prices, TODAY)
        share = build_chargeback(snap, policy).lines[0]
        full = CostPanel(projection)
        yield full
        compact = CostPanel(projection, classes="-compact")
        yield compact
        at_tier = CostPanel(project(51, policy.prices, TODAY))
        yield at_tier
        self._share = share

    def on_mount(self) -> None:
        self.query(CostPanel).first().customer_share = self._share


@SIZES
def test_confirm_deactivate_user(snap_compare: Any, size: tuple[int, int]) -> None:
    snap = account()
    consequences = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    app = ModalHost(ConfirmScreen(consequences))
    assert snap_compare(app, terminal_size=size, press=[*"user0@bright"])


@SIZES
def test_create_user_with_errors(snap_compare: Any, size: tuple[int, int]) -> None:
    org = account().orgs[1]
    request = CreateUserRequest(org.org_id, "bs-uid", org.org_name, "user1@brightsmile-dental.example",
                                "user1@brightsmile-dental.example", "Ann", "")
    screen = CreateUserScreen(org, request=request,
                              errors={"username": "A user with that email already exists."})
    app = ModalHost(screen)
    # The server's refusal stays under the username; the email being typed is not checked yet.
    assert snap_compare(app, terminal_size=size, press=["tab", *"ann@"])


@SIZES
def test_cost_panel(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(PanelHost(), terminal_size=size)


@SIZES
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    entries = bindings_help([
        ("Dashboard", [("r", "refresh", "Refresh"), ("slash", "filter", "Filter"),
                       ("question_mark", "help", "Help"), ("q", "quit", "Quit")]),
        ("Help", HelpScreen.BINDINGS),
    ])
    app = ModalHost(HelpScreen(entries, partner="Northwind MSP", customer="Oakridge Family Medicine"))
    assert snap_compare(app, terminal_size=size)
