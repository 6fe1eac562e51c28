"""Provides `MainScreen`: header, org tree, customer pane, cost pane, status line and footer.

Layout: below 110 columns (`-narrow`) the tree narrows and the cost pane becomes one line
above the status line; from 110 columns (`-wide`) the cost pane sits under the tree. The
screen watches the App's `dataset` and passes data down to its widgets as attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen

from msp_tui.tui.dataset import Dataset
from msp_tui.tui.messages import JumpTo
from msp_tui.tui.screens.all_devices import AllDevicesScreen, FindingsScreen
from msp_tui.tui.screens.detail import DetailScreen
from msp_tui.tui.widgets.customer_pane import CustomerPane
from msp_tui.tui.widgets.header_bar import HeaderBar
from msp_tui.tui.widgets.key_bar import KeyBar
from msp_tui.tui.widgets.org_tree import OrgTree
from msp_tui.tui.widgets.cost_panel import CostPanel
from msp_tui.tui.widgets.status_line import StatusLine
from msp_tui.tui.widgets.virtual_table import VirtualTable


class MainScreen(Screen[None]):
    """The dashboard."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = "#org-tree"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the table shown"),
        Binding("a", "all_devices", "All devices", id="all_devices",
                tooltip="Every device of every customer, worst first"),
        Binding("f", "findings", "Findings", id="findings",
                tooltip="Health and best-practice findings; enter jumps to one"),
        Binding("n", "new_org", "New org", id="new_org", tooltip="Create a customer org"),
        Binding("u", "new_user", "New user", id="new_user",
                tooltip="Create a user in the selected customer org"),
        Binding("x", "deactivate", "Deactivate", id="deactivate",
                tooltip="Deactivate the selected user, device or org"),
        Binding("w", "what_if", "What-if", id="what_if",
                tooltip="Try adding or removing users and see the bill"),
        Binding("W", "wizards", "Wizards", id="wizards",
                tooltip="Migrate or offboard a customer, close the account, resume open runs"),
        Binding("question_mark", "help", "Help", id="main.help", tooltip="Every key, the program's facts and contacts"),
        Binding("q", "app.quit", "Quit", id="main.quit"),
        Binding("right_square_bracket", "switch_tab", "Users/Devices", id="switch_tab",
                tooltip="Switch between the customer's users and devices"),
        Binding("left_square_bracket", "switch_tab", "Prev tab", id="switch_tab_back", show=False),
        Binding("D", "toggle_deactivated", "Deactivated", id="toggle_deactivated", show=False,
                tooltip="Show or hide deactivated orgs in the tree"),
        Binding("escape", "back", "Back", show=False),
        Binding("R", "reactivate", "Reactivate", id="reactivate", show=False,
                tooltip="Reactivate the selected user, device or org"),
        Binding("b", "toggle_block", "Block/unblock", id="toggle_block", show=False,
                tooltip="Block or unblock the selected user or device"),
        Binding("e", "export", "Export", id="export", show=False,
                tooltip="Write the table shown to a CSV or JSON file"),
    ]
    """The key bar shows the first keys, most used first (it is cut at 80 columns), with help
    (`?`) and the command palette pinned at its right end; the rest are in those two. `q`
    repeats the App's key so it comes before the App's refresh/profile keys."""

    _progress_shown = False
    """True while the status line shows progress (cleared when the work ends)."""
    _pending_jump: JumpTo | None = None
    """A jump to a record that the next dataset will bring (see `jump_to`)."""

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield OrgTree(id="org-tree")
                yield CostPanel(id="cost-panel")
            yield CustomerPane(id="customer-pane")
        yield CostPanel(id="cost-summary", classes="-compact")
        yield StatusLine(id="status-line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", self._show_dataset)
        self.watch(self.app, "status_version", self._show_status)
        self._show_state_warnings()
        self.call_after_refresh(self._offer_open_runs)

    def _covered(self) -> bool:
        """True while a full screen (not a dialog, which shows this one around it) is above."""
        stack = self.app.screen_stack
        above = stack[stack.index(self) + 1:] if self in stack else []
        return any(not isinstance(screen, ModalScreen) for screen in above)

    def on_screen_resume(self) -> None:
        covered = self._covered_dataset
        if covered is not None and covered is self.app.dataset:  # type: ignore[attr-defined]
            self._show_dataset(covered)

    def _offer_open_runs(self) -> None:
        """Offers the wizard runs left open (dropped link, crash, esc) once, at start."""
        from msp_tui.state.journal import Journal

        try:
            has_open = bool(Journal(self.app.conn).list_runs(open_only=True))  # type: ignore[attr-defined]
        except Exception:  # the offer reports a damaged journal itself
            has_open = True
        if has_open:
            # Only then load the wizard screens (and the API client they need): the first
            # paint of an ordinary start stays free of them.
            from msp_tui.tui.screens.wizard_resume import open_runs_offer

            open_runs_offer(self.app)

    _warnings_shown: frozenset[str] = frozenset()
    """Repair warnings already notified (each is shown once)."""

    def _show_state_warnings(self) -> None:
        """Notifies, once each, state files that had to be replaced and a reseeded demo authority."""
        from msp_tui import session
        from msp_tui.state import db

        messages = list(db.take_warnings())
        # The demo authority is opened lazily (by the first refresh), so this runs again then.
        authority = getattr(session, "_demo_authority", None)
        messages += list(getattr(authority, "warnings", ()) or ())
        for message in messages:
            if message not in self._warnings_shown:
                self._warnings_shown = self._warnings_shown | {message}
                self.notify(message, title="State file repaired", severity="warning", timeout=15)

    # ---------------------------------------------------------------- accessors

    @property
    def store(self) -> Any:
        """The App's store."""
        return self.app.store  # type: ignore[attr-defined]

    @property
    def org_tree(self) -> OrgTree:
        """The org tree."""
        return self.query_one(OrgTree)

    @property
    def pane(self) -> CustomerPane:
        """The customer pane."""
        return self.query_one(CustomerPane)

    # ---------------------------------------------------------------- data down

    _covered_dataset: Dataset | None = None
    """A dataset that arrived while another screen covered this one (shown on resume)."""

    def _show_dataset(self, dataset: Dataset | None) -> None:
        if dataset is not None and self._covered():
            # Covered (e.g. the all-devices view opened at start): rebuilding the tree and the
            # panes now would only delay the screen on top; do it when this one shows again.
            self._covered_dataset = dataset
            return
        self._covered_dataset = None
        if dataset is None:
            self.org_tree.clear()
            return
        self._show_state_warnings()
        self.org_tree.show_dataset(dataset, self.org_tree.selected_org)
        org_id = self.org_tree.selected_org
        if org_id is not None:
            self.pane.show_org(dataset, org_id)
        self._show_costs(dataset, org_id)
        if self._pending_jump is not None:
            pending, self._pending_jump = self._pending_jump, None
            self.jump_to(pending)

    def _show_costs(self, dataset: Dataset, org_id: int | None) -> None:
        share = dataset.customer_share(org_id)
        for panel in self.query(CostPanel):
            if panel.projection is not dataset.projection:
                panel.whatif = None
            panel.prices = dataset.policy.prices
            panel.projection = dataset.projection
            panel.customer_share = share
        self.call_after_refresh(self._settle_cost_bars, dataset)

    def _settle_cost_bars(self, dataset: Dataset) -> None:
        # A ProgressBar rounds its fill to its width when the value is set; set before the first
        # layout it keeps an unrounded fill, so set it again once the panes have their size.
        for panel in self.query(CostPanel):
            if panel.projection is dataset.projection:
                panel.projection = None
                panel.projection = dataset.projection

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
        self._show_costs(dataset, event.org_id)
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
        """Selects an org (and a user or device in it) from a finding or another view.

        A target not in the data yet (just created; the refresh is on its way) is kept and
        shown when the next dataset arrives.
        """
        dataset = self.app.dataset  # type: ignore[attr-defined]
        org_id = message.org_id
        if dataset is not None and org_id is None and message.computer_id is not None:
            device = dataset.device(message.computer_id)
            org_id = device.org_id if device else None
        if dataset is not None and org_id is None and message.user_id is not None:
            user = dataset.user(message.user_id)
            org_id = user.org_id if user else None
        missing = (
            dataset is None or org_id is None or org_id not in dataset.tree.orgs
            or (message.user_id is not None and dataset.user(message.user_id) is None)
            or (message.computer_id is not None and dataset.device(message.computer_id) is None)
        )
        if missing or org_id is None:  # (org_id is None is part of missing; said again for mypy)
            self._pending_jump = message
            return
        self._pending_jump = None
        if not self.org_tree.select_org(org_id):
            self.org_tree.show_deactivated = True
            self.org_tree.show_dataset(dataset, org_id)
        self.pane.show_org(dataset, org_id)
        self._show_costs(dataset, org_id)
        key = message.computer_id if message.computer_id is not None else message.user_id
        if key is not None:
            self.pane.show_tab("devices" if message.computer_id is not None else "users")
            self.pane.active_table.move_cursor_to_key(key)
            self.pane.active_table.focus()

    # ---------------------------------------------------------------- actions

    def action_switch_tab(self) -> None:
        """Switches the customer pane between users and devices (`]`, `[`)."""
        self.pane.action_switch_tab()

    def action_filter(self) -> None:
        """Opens the filter bar on the table shown (`/`)."""
        self.pane.open_filter()

    def action_back(self) -> None:
        """`esc`: clears the table's filter, else returns focus to the tree."""
        table = self.pane.active_table
        if table.filter_text:
            self.pane.filter_bar.clear()
        elif self.focused is not self.org_tree:
            self.org_tree.focus()

    def action_toggle_deactivated(self) -> None:
        """Shows or hides deactivated orgs in the tree (`D`)."""
        self.org_tree.show_deactivated = not self.org_tree.show_deactivated
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is not None:
            self.org_tree.show_dataset(dataset, self.org_tree.selected_org)
        state = "shown" if self.org_tree.show_deactivated else "hidden"
        self.show_notice(f"Deactivated orgs {state} (D toggles).")

    def action_all_devices(self) -> None:
        """Opens the all-devices view (`a`)."""
        self.app.push_screen(AllDevicesScreen())

    def action_findings(self) -> None:
        """Opens the findings view (`f`)."""
        self.app.push_screen(FindingsScreen())

    # ---------------------------------------------------------------- account actions

    def _subject(self) -> Any:
        """The user or device under the table cursor, else the org selected in the tree."""
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None:
            return None
        table = self.pane.active_table
        if self.focused is table and table.cursor_key is not None:
            key = int(table.cursor_key)  # type: ignore[call-overload]
            return dataset.device(key) if self.pane.active_kind == "devices" else dataset.user(key)
        org_id = self.org_tree.selected_org
        return dataset.tree.orgs.get(org_id) if org_id is not None else None

    def _start_flow(self, name: str, *args: Any) -> None:
        if self.app.dataset is None:  # type: ignore[attr-defined]
            self.show_notice("No data yet: wait for the account to load.", error=True)
            return
        self.run_worker(self._flow(name, *args), group="actions", exclusive=True,
                        exit_on_error=False, description=f"Action {name}")

    async def _flow(self, name: str, *args: Any) -> None:
        from msp_tui.tui import actions

        app: Any = self.app
        dataset: Dataset = app.dataset
        try:
            client = await app.signed_in_client()
        except Exception as exc:  # sign-in problems are one line, like any refresh failure
            self.show_notice(f"Cannot sign in: {exc}", error=True)
            return
        # Previews read the full device records: after a staged start they may still be
        # decoding (in a thread); wait for them without blocking the UI.
        await app.wait_for_details(dataset)
        ctx = actions.ActionContext(app, client, dataset.snapshot, dataset.policy,
                                    app.clock().date())
        if name == "create_org":
            outcome = await actions.create_org(ctx)
        elif name == "create_user":
            outcome = await actions.create_user(ctx, *args)
        else:
            outcome = await actions.run_action(ctx, *args)
        if outcome.message:
            self.show_notice(outcome.message, error=not outcome.ok)
        if outcome.refresh:
            await app.refresh_data().wait()
            created = outcome.created
            if created is not None:
                user_id = getattr(created, "user_id", None) if hasattr(created, "username") else None
                self.jump_to(JumpTo(org_id=getattr(created, "org_id", None), user_id=user_id))
            if outcome.message:
                self.show_notice(outcome.message, error=not outcome.ok)

    def action_new_org(self) -> None:
        """Creates a customer org directly under the top-level org (`n`)."""
        self._start_flow("create_org")

    def action_new_user(self) -> None:
        """Creates a user in the customer org selected in the tree (`u`)."""
        dataset = self.app.dataset  # type: ignore[attr-defined]
        org_id = self.org_tree.selected_org
        if dataset is None or org_id is None or dataset.tree.is_top(org_id):
            self.show_notice("Select a customer org in the tree first, then press u.", error=True)
            return
        self._start_flow("create_user", dataset.tree.orgs[org_id])

    def _subject_action(self, pick: Any) -> None:
        from msp_tui.tui import actions

        subject = self._subject()
        if subject is None:
            self.show_notice("Select a user, device or org first.", error=True)
            return
        action = pick(actions.available_actions(subject), subject)
        if action is None:
            return
        self._start_flow("run_action", action, subject)

    def action_deactivate(self) -> None:
        """Deactivates the selected user, device or org after showing the consequences (`x`)."""
        self._subject_action(lambda acts, s: self._pick(acts, s, "deactivate"))

    def action_reactivate(self) -> None:
        """Reactivates the selected user, device or org (`R`)."""
        self._subject_action(lambda acts, s: self._pick(acts, s, "reactivate"))

    def action_toggle_block(self) -> None:
        """Blocks or unblocks the selected user or device (`b`)."""
        self._subject_action(lambda acts, s: self._pick(acts, s, "block", "unblock"))

    def _pick(self, available: list[Any], subject: Any, *verbs: str) -> Any:
        for action in available:
            if action.verb in verbs:
                return action
        name = getattr(subject, "username", None) or getattr(subject, "org_name", None) or getattr(
            subject, "display_name", "it")
        self.show_notice(f"Cannot {verbs[0]} {name} in its current state.", error=True)
        return None

    def action_export(self) -> None:
        """Writes the rows shown (filter applied) to a CSV or JSON file (`e`)."""
        from msp_tui.tui.screens.export import ExportScreen

        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None or self.pane.org_id is None:
            return
        kind, org_id = self.pane.active_kind, self.pane.org_id
        by_key = {row.key: row for row in dataset.memo((kind, org_id), list)}
        rows = [{k: v for k, v in by_key[key].values.items() if k != "rank"}
                for key in self.pane.active_table.visible_keys() if key in by_key]
        fields = list(rows[0]) if rows else []
        view = f"{dataset.tree.orgs[org_id].org_name}-{kind}"
        self.app.push_screen(
            ExportScreen(rows, fields, view=view, folder=self.app.export_dir),  # type: ignore[attr-defined]
            lambda path: self.show_notice(f"Exported {len(rows)} rows to {path}") if path else None,
        )

    def action_wizards(self) -> None:
        """Opens the wizard chooser for the selected customer (`W`)."""
        from msp_tui.tui.screens.wizard_start import open_wizards, selected_customer

        open_wizards(self.app, selected_customer(self.app, self.org_tree.selected_org))

    def action_what_if(self) -> None:
        """Opens the what-if editor; its result shows in the cost pane until the data changes (`w`)."""
        from msp_tui.tui.screens.whatif import WhatIfScreen

        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None:
            return

        def show(result: Any) -> None:
            for panel in self.query(CostPanel):
                panel.whatif = result

        self.app.push_screen(WhatIfScreen(dataset.snapshot, dataset.policy, dataset.now), show)

    def action_help(self) -> None:
        """Opens help: every key, the program facts and contacts, a BAA draft (`?`)."""
        from msp_tui.tui.screens.help import HelpScreen, bindings_help
        from msp_tui.tui.widgets.findings_view import FindingsView

        from msp_tui.tui.screens.wizard_run import WizardRunScreen

        # `?` and `q` are repeated on this screen (footer order): list them once.
        own = {b.key for b in Binding.make_bindings(self.BINDINGS)}
        app_keys = [b for b in Binding.make_bindings(self.app.BINDINGS) if b.key not in own]
        sources: list[tuple[str, Sequence[BindingType]]] = [("Dashboard", self.BINDINGS), ("App", app_keys),
                   ("Org tree", OrgTree.BINDINGS), ("Tables", VirtualTable.BINDINGS),
                   ("All devices", AllDevicesScreen.BINDINGS), ("Findings", FindingsView.BINDINGS),
                   ("Wizard", WizardRunScreen.BINDINGS)]
        dataset = self.app.dataset  # type: ignore[attr-defined]
        customer = ""
        if dataset is not None and self.org_tree.selected_org is not None:
            org = dataset.tree.customer_for(self.org_tree.selected_org)
            customer = org.org_name if org is not None else ""
        self.app.push_screen(HelpScreen(bindings_help(sources), partner=self.store.account,
                                        customer=customer))
