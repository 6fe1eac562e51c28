"""Provides the one-line status line and the one-line cost summary used on narrow terminals.

The status line shows the last error (one line, never a traceback) or the last outcome; the
cost line condenses the cost pane to one line when there is no room for the pane itself.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from msp_tui.domain.pricing import format_money
from msp_tui.tui.dataset import Dataset


class StatusLine(Static):
    """Errors and outcomes, one line; words and symbols carry the meaning, colour only helps."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusLine.-error { color: $text-error; }
    """

    def show(self, text: str, *, error: bool = False) -> None:
        """Shows `text`; errors get a ✗ and the error style."""
        self.set_class(error, "-error")
        self.update(Content(f"✗ {text}" if error and text else text))

    @property
    def text(self) -> str:
        """The plain text shown."""
        return str(self.render())


def cost_summary(dataset: Dataset | None) -> str:
    """Returns the cost pane in one line: users vs tier, this month, next cycle, the cliff."""
    if dataset is None:
        return ""
    p = dataset.projection
    prices = dataset.policy.prices
    parts = [
        f"Cost {format_money(p.monthly_total, prices)}/mo @ {format_money(p.rate, prices)}",
        f"next {p.next_cycle_date:%b %d} {format_money(p.next_cycle_total, prices)}",
    ]
    if p.in_cliff:
        parts.append(f"⚠ +{p.users_to_tier} users saves {format_money(p.saving_at_tier, prices)}")
    elif p.at_tier:
        parts.append(f"✓ tier, margin {p.margin_above_tier}")
    else:
        parts.append(f"{p.users_to_tier} to tier")
    return " · ".join(parts)


class CostLine(Static):
    """The cost pane condensed to one line (shown instead of the pane on narrow terminals)."""

    DEFAULT_CSS = """
    CostLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(self, dataset: Dataset | None) -> None:
        """Renders the summary of `dataset`."""
        self.update(Content(cost_summary(dataset)))
