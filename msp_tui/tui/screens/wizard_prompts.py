"""Provides the small questions a wizard asks: the typed confirmation, a rollback, a skip reason.

The confirmations reuse the dashboard's `ConfirmScreen` (the same typed-name rule as every
destructive action); the skip reason is a one-field form like the dashboard's create forms.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from msp_tui.domain.consequences import Action, Consequences
from msp_tui.domain.wizards.model import Plan, Step, WizardKind
from msp_tui.tui.screens.forms import FORM_CSS, _FormScreen
from msp_tui.tui.screens.wizard_views import cost_line_text

_FIRST_ACTION = {
    WizardKind.MIGRATE: Action.DEACTIVATE_USER,
    WizardKind.OFFBOARD: Action.DEACTIVATE_USER,
    WizardKind.CLOSE_ACCOUNT: Action.DEACTIVATE_ORG,
}
"""The kind of the first destructive step of each wizard (for the dialog's record)."""


def start_consequences(plan: Plan) -> Consequences:
    """The typed confirmation before a plan's first destructive step: type the org/account name."""
    auto = sum(1 for s in plan.steps if not s.manual)
    lines = [
        plan.summary[0] if plan.summary else plan.title,
        f"{auto} automatic steps run now, one at a time, each journaled before and after; "
        f"{len(plan.steps) - auto} manual steps then wait for a person.",
        "Closing the wizard never loses anything: the run stays in the journal and resumes later.",
        *(f"Billing: {cost_line_text(c, compact=True)}" for c in plan.costs),
    ]
    return Consequences(
        action=_FIRST_ACTION[plan.kind], title=f"Start: {plan.title}", subject=plan.title,
        lines=tuple(lines), destructive=True, confirm_text=plan.confirm_name,
    )


def rollback_consequences(plan: Plan) -> Consequences:
    """The confirmation of a rollback (undo what is reversible, last done first)."""
    lines = (
        "Undoes the done, reversible steps in reverse order: renamed users get their name back, "
        "deactivated users and orgs are reactivated, users created in the target are renamed and "
        "deactivated.",
        "Manual steps already done on devices are not undone by the wizard.",
        "A rolled-back run is closed; plan again to start over.",
    )
    return Consequences(action=Action.REACTIVATE_USER, title="Roll back", subject=plan.title,
                        lines=lines, destructive=False, confirm_text=None)


class SkipReasonScreen(_FormScreen):
    """Asks why a step is skipped; the reason is recorded in the journal."""

    DEFAULT_CSS = FORM_CSS.format(cls="SkipReasonScreen")

    FIELDS = (("reason", "Reason", "why this step is skipped (recorded)"),)

    def __init__(self, number: int, step: Step) -> None:
        """Builds the form for step `number` (1-based)."""
        super().__init__()
        self.number = number
        self.step = step

    def compose(self) -> ComposeResult:
        """Title, the step, the reason field and the buttons."""
        with Vertical(id="dialog"):
            yield Static(f"Skip step {self.number}", id="title")
            yield Static(self.step.title, classes="hint", markup=False)
            yield from self._field_rows()
            yield from self._buttons("Skip step")

    def errors(self) -> dict[str, str]:
        """A reason is required."""
        text = self.query_one("#reason", Input).value
        return {} if text.strip() else {"reason": "Say why (it is recorded in the journal)."}

    def result(self) -> str:
        """The trimmed reason."""
        return self.value("reason")
