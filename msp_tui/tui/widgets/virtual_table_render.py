"""Provides the line renderers of `VirtualTable`: header, rows and the empty-view message as `Strip`s.

Pure functions of columns, widths and resolved styles, so the widget can cache their output per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from msp_tui.tui.widgets.virtual_table_model import Column, RowLike, fit_text

__all__ = ["SEMANTIC_STYLES", "render_empty", "render_header", "render_row"]

SEMANTIC_STYLES = ("critical", "warning", "ok", "muted")
"""Row `style` names with a component class `virtual-table--<name>`; other names render unstyled."""


def render_header(
    columns: Sequence[Column],
    widths: Sequence[int],
    table_width: int,
    style: Style,
    sort_key: str | None,
    sort_reverse: bool,
) -> Strip:
    """The header line: labels, with ▲/▼ after the sort column's label."""
    labels = []
    for column, width in zip(columns, widths):
        if column.key == sort_key and width > 1:
            arrow = "▼" if sort_reverse else "▲"
            label = fit_text(column.label, width - 1).rstrip()
            labels.append(fit_text(label + arrow, width, column.align))
        else:
            labels.append(fit_text(column.label, width, column.align))
    return Strip([Segment(" " + " ".join(labels) + _tail(widths, table_width), style)], table_width)


def _tail(widths: Sequence[int], table_width: int) -> str:
    """The trailing space, plus padding when the table is narrower than the line."""
    return " " * max(1, table_width - sum(widths) - len(widths))


def render_empty(message: str, width: int, style: Style) -> Strip:
    """The single line shown in place of rows when the view is empty."""
    return Strip([Segment(" " + fit_text(message, max(0, width - 1)), style)], width)


def render_row(
    row: RowLike,
    columns: Sequence[Column],
    widths: Sequence[int],
    table_width: int,
    styles: Mapping[str, Style],
    cursor: bool,
    console: Console,
) -> Strip:
    """One row at full table width (the widget crops it for horizontal scrolling).

    Plain-string rows become a single segment, which is the fast path for big tables.
    """
    semantic = getattr(row, "style", None)
    row_style = styles[semantic] if semantic in SEMANTIC_STYLES else styles["base"]
    cursor_style = styles["cursor"] if cursor else None
    cells = row.cells
    count = len(cells)
    if all(isinstance(cell, str) for cell in cells):
        parts = [
            fit_text(cells[i] if i < count else "", width, column.align)  # type: ignore[arg-type]
            for i, (column, width) in enumerate(zip(columns, widths))
        ]
        style = row_style + cursor_style if cursor_style is not None else row_style
        return Strip([Segment(" " + " ".join(parts) + _tail(widths, table_width), style)], table_width)
    segments: list[Segment] = [Segment(" ", row_style)]
    for i, (column, width) in enumerate(zip(columns, widths)):
        if i:
            segments.append(Segment(" ", row_style))
        cell = cells[i] if i < count else ""
        if isinstance(cell, str):
            segments.append(Segment(fit_text(cell, width, column.align), row_style))
            continue
        text = cell.copy()
        text.truncate(width, overflow="ellipsis")
        text.align(column.align, width)
        text.end = ""
        segments.extend(Segment.apply_style(text.render(console), style=row_style))
    segments.append(Segment(_tail(widths, table_width), row_style))
    if cursor_style is not None:
        segments = list(Segment.apply_style(segments, post_style=cursor_style))
    return Strip(segments, table_width)
