"""Provides `MainScreen`: header, org tree, customer pane, cost pane, status line and footer.

Layout: below 110 columns (`-narrow`) the tree narrows and the cost pane becomes one line
above the status line; from 110 columns (`-wide`) the cost pane sits under the tree. The
screen watches the App's `dataset` and passes data down to its widgets as attributes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from msp_tui.tui.dataset import Dataset
from msp_tui.tui.messages import JumpTo
from msp_tui.tui.screens.all_devices import AllDevicesScreen
from msp_tui.tui.screens.detail import DetailScreen
from msp_tui.tui.widgets.customer_pane import CustomerPane
from msp_tui.tui.widgets.header_bar import HeaderBar
from msp_tui.tui.widgets.org_tree import OrgTree
from msp_tui.tui.widgets.status_line import CostLine, StatusLine
from msp_tui.tui.widgets.virtual_table import VirtualTable


class MainScreen(Screen[None]):
    """The dashboard."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = "#org-tree"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the table shown"),
        Binding("a", "all_devices", "All devices", id="all_devices"),
        Binding("f", "findings", "Findings", id="findings"),
        Binding("D", "toggle_deactivated", "Deactivated", id="toggle_deactivated", show=False),
        Binding("escape", "back", "Back", show=False),
    ]
    """View keys; actions (n, u, x, R, b, w, e) are added where their flows exist."""

    _progress_shown = False
    """True while the status line shows progress (cleared when the work ends)."""

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield OrgTree(id="org-tree")
            yield CustomerPane(id="customer-pane")
        yield CostLine(id="cost-line")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", self._show_dataset)
        self.watch(self.app, "status_version", self._show_status)

    # ---------------------------------------------------------------- accessors

    @property
    def store(self) -> Any:
        """The App's store."""
        return self.app.store  # type: ignore[attr-defined]

    @property
    def tree(self) -> OrgTree:
        """The org tree."""
        return self.query_one(OrgTree)

    @property
    def pane(self) -> CustomerPane:
        """The customer pane."""
        return self.query_one(CustomerPane)

    # ---------------------------------------------------------------- data down

    def _show_dataset(self, dataset: Dataset | None) -> None:
        if dataset is None:
            self.tree.clear()
            return
        self.tree.show_dataset(dataset, self.tree.selected_org)
        org_id = self.tree.selected_org
        if org_id is not None:
            self.pane.show_org(dataset, org_id)
        self.query_one(CostLine).show(dataset)

    def _show_status(self, _version: int) -> None:
        store = self.store
        self.query_one(HeaderBar).show(store)
        line = self.query_one(StatusLine)
        progress = None
        if store.dataset is None:
            progress = "Signing in and fetching the account…" if store.refreshing else "No data yet."
        elif store.refreshing:
            progress = "Refreshing in the background…"
        if store.error:
            line.show(store.error, error=True)
            self._progress_shown = False
        elif progress is not None:
            line.show(progress)
            self._progress_shown = True
        elif self._progress_shown or line.has_class("-error"):
            line.show("")
            self._progress_shown = False

    def show_notice(self, text: str, *, error: bool = False) -> None:
        """Shows an outcome in the status line."""
        self._progress_shown = False
        self.query_one(StatusLine).show(text, error=error)

    # ---------------------------------------------------------------- events up

    @on(OrgTree.OrgSelected)
    def _show_org(self, event: OrgTree.OrgSelected) -> None:
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None:
            return
        self.pane.show_org(dataset, event.org_id)
        if event.opened:
            self.pane.active_table.focus()

    @on(VirtualTable.RowSelected)
    def _open_detail(self, event: VirtualTable.RowSelected) -> None:
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None or event.key is None:
            return
        kind = "devices" if event.table.id == "devices-table" else "users"
        self.app.push_screen(DetailScreen(dataset, kind, int(event.key)))  # type: ignore[call-overload]

    @on(JumpTo)
    def jump_to(self, message: JumpTo) -> None:
        """Selects an org (and a user or device in it) from a finding or another view."""
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None:
            return
        org_id = message.org_id
        if org_id is None and message.computer_id is not None:
            device = dataset.device(message.computer_id)
            org_id = device.org_id if device else None
        if org_id is None and message.user_id is not None:
            user = dataset.user(message.user_id)
            org_id = user.org_id if user else None
        if org_id is None:
            return
        if not self.tree.select_org(org_id):
            self.tree.show_deactivated = True
            self.tree.show_dataset(dataset, org_id)
        self.pane.show_org(dataset, org_id)
        if message.computer_id is not None or message.user_id is not None:
            kind = "devices" if message.computer_id is not None else "users"
            self.pane.show_tab(kind)
            self.pane.active_table.move_cursor_to_key(message.computer_id or message.user_id)
            self.pane.active_table.focus()

    # ---------------------------------------------------------------- actions

    def action_filter(self) -> None:
        """Opens the filter bar on the table shown (`/`)."""
        self.pane.open_filter()

    def action_back(self) -> None:
        """`esc`: clears the table's filter, else returns focus to the tree."""
        table = self.pane.active_table
        if table.filter_text:
            self.pane.filter_bar.clear()
        elif self.focused is not self.tree:
            self.tree.focus()

    def action_toggle_deactivated(self) -> None:
        """Shows or hides deactivated orgs in the tree (`D`)."""
        self.tree.show_deactivated = not self.tree.show_deactivated
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is not None:
            self.tree.show_dataset(dataset, self.tree.selected_org)
        state = "shown" if self.tree.show_deactivated else "hidden"
        self.show_notice(f"Deactivated orgs {state} (D toggles).")

    def action_all_devices(self) -> None:
        """Opens the all-devices view (`a`)."""
        self.app.push_screen(AllDevicesScreen())

    def action_findings(self) -> None:
        """Opens the findings view (`f`)."""
        self.show_notice("Findings view is not available yet.", error=True)

    def action_help(self) -> None:
        """Opens help (`?`)."""
        self.show_notice("Help is not available yet.", error=True)
