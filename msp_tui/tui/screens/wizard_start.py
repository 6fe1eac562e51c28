"""Provides `WizardStartScreen`, the wizard chooser, and `open_wizards`, which the dashboard calls.

The chooser offers the three wizards for the open account (migrate the selected customer to
another partner account, offboard it, close the partner account) and every open run in the
journal with its status, to resume. Choosing opens `WizardRunScreen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from msp_tui.domain.wizards.model import WizardKind
from msp_tui.state.journal import RunRecord
from msp_tui.tui.screens.dialog import DialogScreen
from msp_tui.tui.screens.wizard_progress import RUN_WORDS
from msp_tui.tui.screens.wizard_run import KIND_TITLES, WizardRunScreen
from msp_tui.tui.wizard_session import journal_for


@dataclass(frozen=True)
class WizardChoice:
    """What the chooser was asked for: a new wizard of `kind`, or the open run `run_id`."""

    kind: WizardKind | None = None
    run_id: str | None = None


def run_line(record: RunRecord) -> str:
    """One line for an open run: id, status (glyph and word), progress, title."""
    status = RUN_WORDS.get(record.status.value, record.status.value)
    return f"{record.id} · {status} · {record.machine().progress().line()} · {record.plan.title}"


class WizardStartScreen(DialogScreen["WizardChoice | None"]):
    """Chooses a wizard, or an open run to resume."""

    DEFAULT_CSS = """
    WizardStartScreen #choices {
        height: auto;
        max-height: 1fr;
        margin: 1 0 0 0;
    }
    """
    """A centred dialog; the list scrolls when many runs are open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="wizards.close"),
    ]
    """esc closes; enter (in the list) chooses."""

    AUTO_FOCUS = "#choices"

    def __init__(self, *, customer: str | None, account: str, can_migrate: bool,
                 runs: list[RunRecord]) -> None:
        """Builds the chooser.

        Args:
            customer: The customer org selected on the dashboard (None: none selected).
            account: The open partner account's name.
            can_migrate: A second profile exists (a migration target).
            runs: The open runs of the journal.
        """
        super().__init__()
        self.customer = customer
        self.account = account
        self.can_migrate = can_migrate
        self.runs = runs

    def compose(self) -> ComposeResult:
        """The wizards, then the open runs."""
        who = self.customer or "a customer"
        options: list[Option | None] = [
            Option(f"→ Migrate {who} to another partner account"
                   + ("" if self.can_migrate else " (needs a second profile)"),
                   id="kind:migrate", disabled=not self.can_migrate),
            Option(f"→ Offboard {who} (deactivate its users and org)", id="kind:offboard"),
            Option(f"→ Close this partner account ({self.account}) and email msp-billing", id="kind:close-account"),
        ]
        if self.runs:
            options.append(None)
            options += [Option(f"↻ Resume {run_line(r)}", id=f"run:{r.id}") for r in self.runs]
        with Vertical(id="dialog"):
            yield Static("Wizards", id="title")
            yield Static("Each wizard shows its whole plan and cost first; nothing changes before you type "
                         "the name to confirm. Runs are journaled and resume after any interruption.",
                         classes="hint", markup=False)
            yield OptionList(*options, id="choices")
            yield Static(f"{len(self.runs)} open run(s) · enter chooses · esc closes", classes="hint", markup=False)

    @on(OptionList.OptionSelected, "#choices")
    def choose(self, event: OptionList.OptionSelected) -> None:
        """Dismisses with the chosen wizard or run."""
        what, _, value = (event.option.id or "").partition(":")
        if what == "kind":
            self.dismiss(WizardChoice(kind=WizardKind(value)))
        elif what == "run":
            self.dismiss(WizardChoice(run_id=value))

    def action_cancel(self) -> None:
        """Closes the chooser."""
        self.dismiss(None)


def selected_customer(app: Any, org_id: int | None) -> str | None:
    """The name of the customer org that `org_id` (a tree selection) belongs to, if any."""
    dataset = getattr(app, "dataset", None)
    if dataset is None or org_id is None:
        return None
    org = dataset.tree.customer_for(org_id)
    return org.org_name if org is not None else None


def open_run_screen(app: Any, choice: WizardChoice | None, customer: str | None = None) -> None:
    """Pushes the wizard for `choice` (nothing for None); the dashboard refreshes after a change."""
    if choice is None:
        return

    def closed(_run_id: str | None) -> None:
        if screen.changed and hasattr(app, "action_refresh"):
            app.action_refresh()

    screen = WizardRunScreen(choice.kind, org_name=customer, run_id=choice.run_id)
    app.push_screen(screen, closed)


def open_wizards(app: Any, customer: str | None = None) -> WizardStartScreen:
    """Opens the chooser (the dashboard's `W`); `customer` is preselected in the wizards."""
    runs = journal_for(app).list_runs(open_only=True)
    store = app.store
    screen = WizardStartScreen(customer=customer, account=store.account or store.profile,
                               can_migrate=len(app.profiles) > 1, runs=runs)
    app.push_screen(screen, lambda choice: open_run_screen(app, choice, customer))
    return screen


__all__ = ["KIND_TITLES", "WizardChoice", "WizardStartScreen", "open_run_screen", "open_wizards",
           "run_line", "selected_customer"]
