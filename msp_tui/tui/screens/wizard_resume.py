"""Provides the start-up offer to resume open wizard runs (`open_runs_offer`).

A run interrupted by a dropped SSH link, a crash or esc stays open in the journal. When the
dashboard starts, `open_runs_offer(app)` shows a small dialog listing them; enter resumes the
highlighted run (each step is checked on the server before anything is repeated), esc leaves
them for later (`W` → Resume at any time).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from msp_tui.state.journal import RunRecord
from msp_tui.tui.screens.dialog import DialogScreen
from msp_tui.tui.screens.wizard_start import WizardChoice, open_run_screen, run_line
from msp_tui.tui.wizard_session import journal_for


class ResumeOfferScreen(DialogScreen["WizardChoice | None"]):
    """Lists the open runs; enter resumes one, esc keeps them for later."""

    DEFAULT_CSS = """
    ResumeOfferScreen > #dialog {
        border: thick $warning;
    }
    ResumeOfferScreen #runs {
        height: auto;
        max-height: 12;
        margin: 1 0;
    }
    """
    """A small dialog; theme variables only."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", "Later", id="resume.later")]
    """esc: later (W → Resume shows them again)."""

    AUTO_FOCUS = "#runs"

    def __init__(self, runs: list[RunRecord]) -> None:
        super().__init__()
        self.runs = runs

    def compose(self) -> ComposeResult:
        """Title, the runs, the keys."""
        with Vertical(id="dialog"):
            yield Static(f"⏸ {len(self.runs)} wizard run(s) not finished", id="title")
            yield Static("Resuming checks every step on the server first: nothing is done twice.",
                         classes="hint", markup=False)
            yield OptionList(*(Option(f"↻ {run_line(r)}", id=r.id) for r in self.runs), id="runs")
            yield Static("enter resumes · esc later (W → Resume)", classes="hint", markup=False)

    @on(OptionList.OptionSelected, "#runs")
    def resume(self, event: OptionList.OptionSelected) -> None:
        """Dismisses with the chosen run."""
        self.dismiss(WizardChoice(run_id=event.option.id))

    def action_later(self) -> None:
        """Keeps the runs for later."""
        self.dismiss(None)


def open_runs_offer(app: Any) -> int:
    """Offers the journal's open runs for resumption; returns how many there are (0: nothing shown).

    Call it once after the dashboard is mounted.
    """
    try:
        runs = journal_for(app).list_runs(open_only=True)
    except Exception as exc:  # a damaged journal must not stop the dashboard from starting
        app.notify(f"Could not read the wizard journal: {exc}", severity="error")
        return 0
    if runs:
        app.push_screen(ResumeOfferScreen(runs), lambda choice: open_run_screen(app, choice))
    return len(runs)
