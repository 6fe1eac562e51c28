"""Provides the data side of `VirtualTable`: columns, rows, column widths, and view (filter + sort) computation.

Nothing here touches a widget, so the view computation can run in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Union

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from msp_tui.domain.filtering import CompiledFilter, FilterIndex, field_column

__all__ = [
    "AUTO_WIDTH_SAMPLE",
    "Cell",
    "Column",
    "RowLike",
    "RowSet",
    "TableRow",
    "ViewRequest",
    "compute_view",
    "fit_text",
    "fit_widths",
    "make_row",
    "natural_widths",
]

Cell = Union[str, Text]
AUTO_WIDTH_SAMPLE = 200
"""Auto column widths are measured on this many rows, so width work stays constant for 60,000 rows."""


class RowLike(Protocol):
    """What `VirtualTable.set_rows` accepts; `TableRow` is the ready-made implementation.

    An optional `style` attribute names a semantic class ("critical", "warning", "ok", "muted").
    """

    @property
    def key(self) -> Hashable: ...

    @property
    def cells(self) -> Sequence[Cell]: ...

    @property
    def values(self) -> Mapping[str, object]: ...

    @property
    def haystack(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TableRow:
    """One table row.

    Attributes:
        key: Stable id (device guid, user id); the cursor follows it across updates.
        cells: One display value per column.
        values: Raw values by field name, used by sorting and `field:value` filters.
        haystack: Lowercase text searched by bare filter words.
        style: Semantic style name, e.g. "critical"; rendered via `virtual-table--<style>`.
    """

    key: Hashable
    cells: tuple[Cell, ...]
    values: Mapping[str, object] = field(default_factory=dict)
    haystack: str = ""
    style: str | None = None


def make_row(
    key: Hashable,
    cells: Sequence[Cell],
    values: Mapping[str, object] | None = None,
    style: str | None = None,
) -> TableRow:
    """Build a `TableRow` whose haystack is the plain text of its cells."""
    plain = " ".join(cell if isinstance(cell, str) else cell.plain for cell in cells)
    return TableRow(key, tuple(cells), values or {}, plain.lower(), style)


@dataclass(frozen=True)
class Column:
    """One column of a `VirtualTable`.

    Attributes:
        key: Field name; also the default sort field when rows carry it in `values`.
        label: Header text.
        width: Fixed width in cells, or None for auto (measured on the first rows).
        min_width: Lower bound for auto and flexible widths.
        max_width: Upper bound for auto widths, so one long value cannot take the screen.
        align: "left" or "right" (numbers).
        sort_key: Maps a row to its sort key; None sorts by `values[sort_field]`, else the
            cell text.
        sort_field: The field sorted by when there is no `sort_key` (default: `key`); read as
            a whole column when the row list offers one (see `filtering.field_column`).
        sort_descending: Sort this column high to low first (e.g. a rank, worst first).
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 3
    max_width: int = 40
    align: Literal["left", "right"] = "left"
    sort_key: Callable[[Any], Any] | None = None
    sort_field: str | None = None
    sort_descending: bool = False


def fit_text(text: str, width: int, align: str = "left") -> str:
    """Pad or truncate (with "…") plain text to exactly `width` cells."""
    if width <= 0:
        return ""
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    if length == width:
        return text
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


def _cell_width(cell: Cell) -> int:
    if isinstance(cell, str):
        return len(cell) if cell.isascii() else cell_len(cell)
    return cell.cell_len


def natural_widths(columns: Sequence[Column], rows: Sequence[RowLike]) -> list[int]:
    """Widths before the last column is stretched: fixed, or measured on `AUTO_WIDTH_SAMPLE` rows."""
    sample = rows[:AUTO_WIDTH_SAMPLE]
    widths: list[int] = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(max(1, column.width))
            continue
        # +1 leaves room for the sort indicator next to the label.
        measured = cell_len(column.label) + 1
        for row in sample:
            cells = row.cells
            if index < len(cells):
                measured = max(measured, _cell_width(cells[index]))
        widths.append(max(column.min_width, min(measured, column.max_width)))
    return widths


def _span(widths: Sequence[int], count: int) -> int:
    """Cells taken by the first `count` columns: the leading space, the cells and the separators."""
    return 1 + sum(widths[:count]) + count if count else 0


def fit_widths(
    columns: Sequence[Column], natural: Sequence[int], available: int, core: int | None = None
) -> list[int]:
    """Column widths for `available` cells: shrink auto columns so the leading columns fit, then stretch.

    The first `core` columns (all when None) are the ones worth seeing without scrolling. When they
    do not fit, auto-width columns among them give up cells (the one with the most room above its
    `min_width` first) until they fit; if even their minimums do not fit, the same is tried with
    fewer leading columns, so a narrow terminal still shows the first few columns whole. Columns
    after those keep their natural width (they are reached by scrolling).

    The last column, when its width is auto, fills the rest of the line (stretched, or cut with
    "…") if at least its `min_width` is left; otherwise it keeps its natural width, off to the right.
    """
    widths = list(natural)
    count = len(columns)
    core = count if core is None else max(1, min(core, count))
    floors = [c.min_width if c.width is None else w for c, w in zip(columns, widths)]
    for k in range(core, 0, -1):
        if _span(widths, k) <= available:
            break
        floor = [min(floors[i], widths[i]) for i in range(k)]
        if _span(floor, k) > available:
            continue
        excess = _span(widths, k) - available
        while excess > 0:
            i = max(range(k), key=lambda j: widths[j] - floor[j])
            if widths[i] <= floor[i]:
                break
            widths[i] -= 1
            excess -= 1
        break
    last = columns[-1]
    if last.width is None:
        rest = available - (1 + sum(widths[:-1]) + count)
        widths[-1] = rest if rest >= last.min_width else natural[-1]
    return widths


class RowSet:
    """An immutable row list plus caches derived from it (filter columns, sort keys, orders)."""

    def __init__(self, rows: Sequence[RowLike]) -> None:
        self.rows: Sequence[RowLike] = rows
        self.index = FilterIndex(rows)
        self._sort_keys: dict[str, list[Any]] = {}
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._positions: dict[Hashable, int] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def position_of(self, key: Hashable | None) -> int | None:
        """Index of the row with `key` (the key map is built on first use)."""
        if key is None:
            return None
        if self._positions is None:
            self._positions = {row.key: i for i, row in enumerate(self.rows)}
        return self._positions.get(key)

    def sort_keys(self, column: Column, position: int) -> list[Any]:
        """Each row's sort key for `column` (cached)."""
        keys = self._sort_keys.get(column.key)
        if keys is None:
            field = column.sort_field or column.key
            if column.sort_key is None and len(self.rows) and field in self.rows[0].values:
                keys = [v.casefold() if isinstance(v, str) else v
                        for v in field_column(self.rows, field)]
            else:
                keys = [_default_key(row, column, position) for row in self.rows]
            self._sort_keys[column.key] = keys
        return keys

    def order(self, column: Column, position: int, reverse: bool) -> list[int]:
        """Row indices sorted by `column`; None keys last in both directions; stable."""
        cached = self._orders.get((column.key, reverse))
        if cached is not None:
            return cached
        descending = reverse != column.sort_descending
        keys = self.sort_keys(column, position)
        present = [i for i, k in enumerate(keys) if k is not None]
        missing = [i for i, k in enumerate(keys) if k is None]
        try:
            present.sort(key=keys.__getitem__, reverse=descending)
        except TypeError:
            # Mixed types in one column (e.g. int and str): order by type, then text.
            present.sort(
                key=lambda i: (type(keys[i]).__name__, str(keys[i])), reverse=descending
            )
        order = present + missing
        self._orders[(column.key, reverse)] = order
        return order


def _default_key(row: RowLike, column: Column, position: int) -> Any:
    if column.sort_key is not None:
        return column.sort_key(row)
    values = row.values
    field = column.sort_field or column.key
    if field in values:
        value = values[field]
        return value.casefold() if isinstance(value, str) else value
    cells = row.cells
    if position < len(cells):
        cell = cells[position]
        text = cell if isinstance(cell, str) else cell.plain
        return text.casefold() or None
    return None


@dataclass
class ViewRequest:
    """Everything needed to compute a view, captured so a thread can work on it safely.

    Attributes:
        generation: Increases with every request; stale results are dropped.
        row_set: The rows (possibly not yet shown, for `set_rows`).
        filter: The compiled filter, or None for all rows.
        sort_column: The column to sort by (with its position), or None.
        sort_reverse: Descending when True.
        keep_key: Key to keep the cursor on.
        keep_position: Cursor position to fall back to.
    """

    generation: int
    row_set: RowSet
    filter: CompiledFilter | None
    sort_column: tuple[Column, int] | None
    sort_reverse: bool
    keep_key: Hashable | None
    keep_position: int


def compute_view(
    request: ViewRequest, is_cancelled: Callable[[], bool] | None = None
) -> list[int] | None:
    """Filter then order the rows; returns row indices, or None if cancelled."""
    row_set = request.row_set
    order: list[int] | None = None
    if request.sort_column is not None:
        column, position = request.sort_column
        order = row_set.order(column, position, request.sort_reverse)
        if is_cancelled is not None and is_cancelled():
            return None
    if request.filter is not None and not request.filter.is_empty:
        return request.filter.select(row_set.index, order, is_cancelled)
    return list(order) if order is not None else list(range(len(row_set)))
