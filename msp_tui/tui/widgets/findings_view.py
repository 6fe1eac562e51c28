"""Provides FindingsView: the account's findings as a table, filterable by severity.

The parent sets `findings` (from `domain.checks.run_checks`). Severity shows as a word and a
symbol, never colour alone. `a` shows all, `w` warnings and worse, `c` critical only. The
highlighted finding is shown in full under the table (its message wrapped); `enter` on a row
posts `FindingsView.FindingSelected` so the shell can jump to the org, user or device.
The table is a `VirtualTable`, so thousands of findings stay fast and `/` filters apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from msp_tui.domain.checks import Finding, Severity
from msp_tui.tui.widgets.virtual_table import Column, TableRow, VirtualTable, make_row

SEVERITY_LABELS = {
    Severity.CRITICAL: "✖ critical",
    Severity.WARNING: "▲ warning",
    Severity.INFO: "· info",
}
"""Severity as symbol + word."""

_ROW_STYLE = {Severity.CRITICAL: "critical", Severity.WARNING: "warning", Severity.INFO: "muted"}

FINDING_COLUMNS = (
    Column("severity", "Severity", width=11,
           sort_key=lambda row: -Severity(row.values["severity"]).rank),
    Column("code", "Code", min_width=10, max_width=18),
    Column("org", "Org", min_width=10, max_width=18),
    Column("subject", "Subject", min_width=12, max_width=26),
    Column("message", "Message", min_width=16, max_width=200),
)
"""Columns of the findings table; the message takes the rest of the line and is shown in full,
wrapped, under the table for the highlighted finding."""


def finding_row(index: int, finding: Finding) -> TableRow:
    """The table row of one finding (key: its position in the list)."""
    return make_row(
        index,
        (SEVERITY_LABELS[finding.severity], finding.code, finding.org, finding.subject,
         finding.message),
        {"severity": finding.severity.value, "code": finding.code, "org": finding.org,
         "subject": finding.subject, "message": finding.message},
        _ROW_STYLE[finding.severity],
    )


def finding_detail(finding: Finding) -> Content:
    """The detail block: severity, code, org and subject on one line, then the whole message."""
    where = " · ".join(part for part in (finding.org, finding.subject) if part)
    head = Content.from_markup("[b]$severity[/b] · $code", severity=SEVERITY_LABELS[finding.severity],
                               code=finding.code)
    if where:
        head += Content(f" · {where}")
    jump = "" if finding.org_id is None and finding.user_id is None and finding.computer_id is None \
        else "  (enter: go there)"
    return head + Content(jump).stylize("dim") + Content("\n") + Content(finding.message)


class FindingsView(Widget, can_focus=False):
    """A severity bar over a table of findings."""

    DEFAULT_CSS = """
    FindingsView {
        height: 1fr;
    }
    FindingsView #findings-bar {
        height: 1;
        color: $text-muted;
    }
    FindingsView VirtualTable {
        height: 1fr;
    }
    FindingsView #finding-detail {
        height: auto;
        max-height: 8;
        padding: 0 1;
        background: $panel;
        border-top: solid $panel-lighten-2;
    }
    FindingsView #finding-detail.-empty {
        display: none;
    }
    """

    BINDINGS = [
        Binding("a", "severity('info')", "All findings", id="findings.all"),
        Binding("w", "severity('warning')", "Warnings+", id="findings.warning"),
        Binding("c", "severity('critical')", "Critical only", id="findings.critical"),
    ]
    """a/w/c choose the lowest severity shown."""

    findings: reactive[tuple[Finding, ...]] = reactive((), init=False)
    """The findings shown (set by the parent)."""
    min_severity: reactive[Severity] = reactive(Severity.INFO, init=False)
    """The lowest severity shown."""

    class FindingSelected(Message):
        """enter on a finding."""

        def __init__(self, view: FindingsView, finding: Finding) -> None:
            super().__init__()
            self.view = view
            self.finding = finding

        @property
        def control(self) -> FindingsView:
            """The view that posted the message."""
            return self.view

    def __init__(self, findings: Sequence[Finding] = (), *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        """Builds the view, optionally with findings."""
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(FindingsView.findings, tuple(findings))

    def compose(self) -> ComposeResult:
        """The severity bar and the table."""
        yield Static(id="findings-bar", markup=False)
        yield VirtualTable(FINDING_COLUMNS, empty_text="No findings: nothing to do.",
                           id="findings-table")
        yield Static(id="finding-detail", classes="-empty")

    @property
    def table(self) -> VirtualTable:
        """The findings table."""
        return self.query_one("#findings-table", VirtualTable)

    def on_mount(self) -> None:
        """Fills the table once the table itself is mounted."""
        self.call_after_refresh(self._fill)

    def watch_findings(self) -> None:
        self._fill()

    def watch_min_severity(self) -> None:
        self._fill()

    def shown(self) -> list[Finding]:
        """The findings at or above `min_severity`, in list order."""
        floor = self.min_severity.rank
        return [f for f in self.findings if f.severity.rank >= floor]

    def _fill(self) -> None:
        if not self.is_mounted:
            return
        floor = self.min_severity.rank
        rows = [finding_row(i, f) for i, f in enumerate(self.findings) if f.severity.rank >= floor]
        self.table.set_rows(rows)
        counts = {s: sum(1 for f in self.findings if f.severity is s) for s in Severity}
        scope = {Severity.INFO: "all", Severity.WARNING: "warning and critical",
                 Severity.CRITICAL: "critical only"}[self.min_severity]
        self.query_one("#findings-bar", Static).update(
            f"Showing {scope}: {len(rows)} of {len(self.findings)} "
            f"(✖ {counts[Severity.CRITICAL]} critical, ▲ {counts[Severity.WARNING]} warning, "
            f"· {counts[Severity.INFO]} info) · a all · w warning+ · c critical"
        )

    def action_severity(self, value: str) -> None:
        """Shows findings at or above severity `value`."""
        self.min_severity = Severity(value)

    @on(VirtualTable.RowHighlighted, "#findings-table")
    def show_detail(self, event: VirtualTable.RowHighlighted) -> None:
        """Shows the highlighted finding in full (the message wraps) under the table."""
        event.stop()
        key = event.key
        detail = self.query_one("#finding-detail", Static)
        if not isinstance(key, int) or not 0 <= key < len(self.findings):
            detail.add_class("-empty")
            return
        detail.update(finding_detail(self.findings[key]))
        detail.remove_class("-empty")

    @on(VirtualTable.ViewChanged, "#findings-table")
    def _hide_detail_when_empty(self, event: VirtualTable.ViewChanged) -> None:
        # Not stopped: the screen shows the filter count from it.
        if not event.shown:
            self.query_one("#finding-detail", Static).add_class("-empty")

    @on(VirtualTable.RowSelected, "#findings-table")
    def select_finding(self, event: VirtualTable.RowSelected) -> None:
        """Posts FindingSelected for the row under the cursor."""
        event.stop()
        key = event.key
        if isinstance(key, int) and 0 <= key < len(self.findings):
            self.post_message(self.FindingSelected(self, self.findings[key]))
