"""Provides `VirtualTable`, a Line-API table that shows 60,000 rows by rendering only the visible lines.

The stock `DataTable` builds per-row objects on the event loop (about 8 s for 50k rows, STYLE.md §5).
This widget keeps rows as an immutable sequence plus a *view* (a list of row indices after filter and
sort), renders a line on demand from a per-row `Strip` cache (toolong's `LogLines` model), and runs
filter/sort for large row sets in a thread worker that posts its result back as a message.

Keys: up/down, pageup/pagedown, home/end move the cursor; enter selects; `s` sorts by the next
column; `S` reverses the sort. A click moves the cursor, a second click selects, a header click sorts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import ClassVar

from rich.style import Style
from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState, get_current_worker

from msp_tui.domain.filtering import CompiledFilter, FilterError, compile_filter
from msp_tui.tui.widgets.virtual_table_model import (
    Column,
    RowLike,
    RowSet,
    TableRow,
    ViewRequest,
    compute_view,
    fit_widths,
    make_row,
    natural_widths,
)
from msp_tui.tui.widgets.virtual_table_render import (
    SEMANTIC_STYLES,
    render_empty,
    render_header,
    render_row,
)

__all__ = ["Column", "RowLike", "TableRow", "VirtualTable", "make_row"]

class VirtualTable(ScrollView, can_focus=True):
    """A read-only table over an immutable row sequence, with `/`-language filtering and sorting."""

    THREAD_THRESHOLD: ClassVar[int] = 20_000
    """Row sets larger than this are filtered and sorted in a thread worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "cursor_first", "First row", show=False),
        Binding("end", "cursor_last", "Last row", show=False),
        Binding("left", "column_left", "Columns left", show=False),
        Binding("right", "column_right", "Columns right", show=False),
        Binding("enter", "select_cursor", "Open", tooltip="Open the row's details"),
        Binding("s", "sort_next_column", "Sort", show=False, tooltip="Sort by the next column"),
        Binding("S,shift+s", "sort_reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
    ]
    """Cursor keys move the cursor (not just the viewport); left/right scroll a column at a time;
    `s`/`S` cycle and reverse the sort (listed in help and the palette, not the footer)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--empty",
        *(f"virtual-table--{name}" for name in SEMANTIC_STYLES),
    }
    """Header, cursor, the empty-view message, and one class per semantic row style."""

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
        scrollbar-color: $panel-lighten-2;
        scrollbar-color-hover: $panel-lighten-3;
        scrollbar-color-active: $accent;
        & > .virtual-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .virtual-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--critical { color: $text-error; }
        & > .virtual-table--warning { color: $text-warning; }
        & > .virtual-table--ok { color: $text-success; }
        & > .virtual-table--muted { color: $text-muted; }
        & > .virtual-table--empty { color: $text-muted; text-style: italic; }
    }
    """
    """Theme variables only, so themes, ANSI themes and NO_COLOR all apply."""

    class _RowMessage(Message):
        """A message about one row of a table (by its key)."""

        def __init__(self, table: VirtualTable, key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor rests on a new row; consecutive moves are coalesced into one message."""

        def can_replace(self, message: Message) -> bool:
            return (
                isinstance(message, VirtualTable.RowHighlighted)
                and message.table is self.table
            )

    class RowSelected(_RowMessage):
        """Enter (or a second click) on a row."""

    class ViewChanged(Message):
        """Rows, filter or sort changed: `shown` of `total` rows are in the view."""

        def __init__(
            self,
            table: VirtualTable,
            shown: int,
            total: int,
            filter_text: str,
            filter_error: str | None,
        ) -> None:
            super().__init__()
            self.table = table
            self.shown = shown
            self.total = total
            self.filter_text = filter_text
            self.filter_error = filter_error

        @property
        def control(self) -> VirtualTable:
            return self.table

    FilterChanged = ViewChanged
    """Alias: a filter change is reported as a `ViewChanged`."""

    class _ViewComputed(Message):
        """A thread worker finished a view (private)."""

        def __init__(self, request: ViewRequest, view: list[int]) -> None:
            super().__init__()
            self.request = request
            self.view = view

    def __init__(
        self,
        columns: Iterable[Column],
        *,
        fields: Iterable[str] | None = None,
        aliases: Mapping[str, str] | None = None,
        empty_text: str = "No rows",
        core_columns: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a table.

        Args:
            columns: Column definitions, left to right.
            fields: Field names the filter accepts; default: column keys plus the first row's values.
            aliases: Extra filter names for fields, e.g. {"age": "backup_age_days"}.
            empty_text: Shown when there are no rows at all.
            core_columns: How many leading columns should fit without scrolling (auto columns
                among them shrink to their `min_width` first); None: all of them.
            name: Widget name.
            id: Widget id.
            classes: CSS classes.
            disabled: Start disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._columns: tuple[Column, ...] = tuple(columns)
        if not self._columns:
            raise ValueError("VirtualTable needs at least one column")
        self._explicit_fields = None if fields is None else tuple(fields)
        self._fields: tuple[str, ...] = tuple(c.key for c in self._columns)
        self._aliases = dict(aliases or {})
        self._empty_text = empty_text
        self._core_columns = core_columns
        self._row_set = RowSet(())
        self._view: list[int] = []
        self._cursor = 0
        self._filter_text = ""
        self._filter: CompiledFilter | None = None
        self._filter_error: str | None = None
        self._sort_key: str | None = None
        self._sort_reverse = False
        self._generation = 0
        self._computing = False
        self._natural: list[int] = natural_widths(self._columns, ())
        self._widths: list[int] = list(self._natural)
        self._layout_width = -1
        self._table_width = 0
        self._line_cache: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._header: Strip | None = None
        self._styles: dict[str, Style] | None = None
        self._highlight_scheduled = False
        self._highlighted_key: object = object()

    # ----------------------------------------------------------------- public state

    @property
    def columns(self) -> tuple[Column, ...]:
        """The column definitions."""
        return self._columns

    @property
    def row_count(self) -> int:
        """Total rows, before filtering."""
        return len(self._row_set)

    @property
    def visible_count(self) -> int:
        """Rows in the view (matching the filter)."""
        return len(self._view)

    @property
    def cursor_position(self) -> int:
        """Cursor index within the view."""
        return self._cursor

    @property
    def cursor_row(self) -> RowLike | None:
        """The row under the cursor, or None when the view is empty."""
        if not self._view:
            return None
        return self._row_set.rows[self._view[self._cursor]]

    @property
    def cursor_key(self) -> Hashable | None:
        """Key of the row under the cursor, or None when the view is empty."""
        row = self.cursor_row
        return None if row is None else row.key

    @property
    def filter_text(self) -> str:
        """The filter as typed (it may be invalid; see `filter_error`)."""
        return self._filter_text

    @property
    def filter_error(self) -> str | None:
        """One-line message when `filter_text` does not compile; the view keeps the last valid filter."""
        return self._filter_error

    @property
    def sort_column(self) -> str | None:
        """Key of the sort column, or None for row order."""
        return self._sort_key

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._sort_reverse

    @property
    def is_computing(self) -> bool:
        """True while a thread worker computes the next view."""
        return self._computing

    def visible_keys(self) -> list[Hashable]:
        """Keys of the rows in the view, in display order (O(n); for tests and exports)."""
        rows = self._row_set.rows
        return [rows[i].key for i in self._view]

    # ----------------------------------------------------------------- data in

    def set_rows(self, rows: Sequence[RowLike]) -> None:
        """Replace all rows; the filter and sort are reapplied and the cursor stays on its key."""
        row_set = RowSet(rows)
        if self._explicit_fields is None:
            first_values = tuple(rows[0].values) if len(rows) else ()
            self._fields = tuple(dict.fromkeys((*(c.key for c in self._columns), *first_values)))
        self._request_view(row_set)

    def apply_filter(self, text: str) -> None:
        """Filter rows with the `/` query language (see `msp_tui.domain.filtering`).

        An invalid filter sets `filter_error` and keeps the previous view.
        """
        fields = self._explicit_fields if self._explicit_fields is not None else self._fields
        self._filter_text = text
        try:
            compiled = compile_filter(text, fields, self._aliases)
        except FilterError as error:
            self._filter_error = str(error)
            self._post_view_changed()
            return
        self._filter_error = None
        self._filter = None if compiled.is_empty else compiled
        self._request_view()

    def sort_by(self, column_key: str | None, reverse: bool | None = None) -> None:
        """Sort by a column; None restores row order.

        Args:
            column_key: The column's key.
            reverse: Descending when True; None toggles when already sorted by this column,
                else ascending.
        """
        if column_key is not None and column_key not in {c.key for c in self._columns}:
            raise KeyError(f"No column {column_key!r}")
        if reverse is None:
            reverse = (not self._sort_reverse) if column_key == self._sort_key else False
        self._sort_key = column_key
        self._sort_reverse = bool(reverse) and column_key is not None
        self._header = None
        self._request_view()

    def move_cursor_to_key(self, key: Hashable) -> bool:
        """Move the cursor to the row with `key` if it is in the view."""
        position = self._row_set.position_of(key)
        if position is None:
            return False
        try:
            self._move_cursor(self._view.index(position))
        except ValueError:
            return False
        return True

    # ----------------------------------------------------------------- view computation

    def _request_view(self, row_set: RowSet | None = None) -> None:
        self._generation += 1
        sort_column = None
        if self._sort_key is not None:
            position = next(i for i, c in enumerate(self._columns) if c.key == self._sort_key)
            sort_column = (self._columns[position], position)
        request = ViewRequest(
            generation=self._generation,
            row_set=row_set if row_set is not None else self._row_set,
            filter=self._filter,
            sort_column=sort_column,
            sort_reverse=self._sort_reverse,
            keep_key=self.cursor_key,
            keep_position=self._cursor,
        )
        needs_work = self._filter is not None or sort_column is not None
        if needs_work and len(request.row_set) > self.THREAD_THRESHOLD and self.is_mounted:
            self._computing = True
            self._compute_in_thread(request)
            return
        view = compute_view(request)
        assert view is not None  # only a cancelled computation returns None
        self._apply_view(request, view)

    @work(
        thread=True,
        group="virtual-table-view",
        exit_on_error=False,
        description="Filter and sort table rows",
    )
    def _compute_in_thread(self, request: ViewRequest) -> None:
        # Not `exclusive`: a superseded worker sees the newer generation and returns normally, so
        # `workers.wait_for_complete()` in tests and screens never raises WorkerCancelled.
        worker = get_current_worker()

        def is_stale() -> bool:
            return worker.is_cancelled or request.generation != self._generation

        view = compute_view(request, is_stale)
        if view is not None and not is_stale():
            self.post_message(self._ViewComputed(request, view))

    @on(_ViewComputed)
    def _adopt_computed_view(self, message: _ViewComputed) -> None:
        message.stop()
        if message.request.generation == self._generation:
            self._apply_view(message.request, message.view)

    @on(Worker.StateChanged)
    def _report_worker_error(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "virtual-table-view":
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            self._computing = False
            self._filter_error = f"Filter failed: {event.worker.error}"
            self._post_view_changed()

    def _apply_view(self, request: ViewRequest, view: list[int]) -> None:
        rows_changed = request.row_set is not self._row_set
        self._computing = False
        self._row_set = request.row_set
        self._view = view
        if rows_changed:
            self._natural = natural_widths(self._columns, self._row_set.rows)
            self._layout_width = -1
            self._line_cache.clear()
        position = None
        target = self._row_set.position_of(request.keep_key)
        if target is not None:
            try:
                position = view.index(target)
            except ValueError:
                position = None
        if position is None:
            # A refresh that drops the row keeps the cursor's place; a new filter or sort starts at the top.
            position = min(request.keep_position, len(view) - 1) if rows_changed else 0
        self._cursor = max(0, position)
        self._update_layout()
        self._scroll_cursor_into_view()
        self.refresh()
        self._post_view_changed()
        self._schedule_highlight()

    def _post_view_changed(self) -> None:
        self.post_message(
            self.ViewChanged(
                self, len(self._view), len(self._row_set), self._filter_text, self._filter_error
            )
        )

    # ----------------------------------------------------------------- layout

    def _content_width(self) -> int:
        return max(0, self.size.width - self.scrollbar_size_vertical)

    def _body_height(self) -> int:
        return max(1, self.size.height - self.scrollbar_size_horizontal - 1)

    def _update_layout(self) -> None:
        """Fit the columns to the available width (see `fit_widths`); update virtual size."""
        available = self._content_width()
        if available != self._layout_width:
            self._layout_width = available
            widths = fit_widths(self._columns, self._natural, available, self._core_columns)
            # Rows are padded to the full width so the cursor bar spans the line.
            table_width = max(available, 1 + sum(widths) + len(widths))
            if widths != self._widths or table_width != self._table_width:
                self._widths = widths
                self._line_cache.clear()
                self._header = None
            self._table_width = table_width
        size = Size(self._table_width, len(self._view) + 1)
        if self.virtual_size != size:
            self.virtual_size = size

    def _on_resize(self, event: events.Resize) -> None:
        self._update_layout()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._line_cache.clear()
        self._header = None
        self.refresh()

    # ----------------------------------------------------------------- rendering

    def _resolve_styles(self) -> dict[str, Style]:
        if self._styles is None:
            get = self.get_component_rich_style
            styles = {"base": self.rich_style}
            for name in ("header", "cursor", "empty", *SEMANTIC_STYLES):
                styles[name] = get(f"virtual-table--{name}")
            self._styles = styles
        return self._styles

    def render_lines(self, crop: Region) -> list[Strip]:
        # Scrollbars appear after the first layout; re-fit the last column when they do.
        if self._content_width() != self._layout_width:
            self._update_layout()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        styles = self._resolve_styles()
        scroll_x, scroll_y = self.scroll_offset
        width = self._content_width()
        if y == 0:
            strip = self._header_strip(styles)
        else:
            position = y - 1 + scroll_y
            if position >= len(self._view):
                if position == 0:
                    return self._empty_strip(styles, width)
                return Strip.blank(width, styles["base"])
            row_index = self._view[position]
            cursor = 0
            if position == self._cursor:
                cursor = 1 if self.has_focus else 2
            cache_key = (row_index, cursor)
            cached = self._line_cache.get(cache_key)
            if cached is None:
                cached = render_row(
                    self._row_set.rows[row_index], self._columns, self._widths,
                    self._table_width, styles, bool(cursor), self.app.console,
                )
                self._line_cache[cache_key] = cached
            strip = cached
        return strip.crop_extend(scroll_x, scroll_x + width, styles["base"])

    def _header_strip(self, styles: dict[str, Style]) -> Strip:
        if self._header is None:
            self._header = render_header(
                self._columns, self._widths, self._table_width, styles["header"],
                self._sort_key, self._sort_reverse,
            )
        return self._header

    def _empty_strip(self, styles: dict[str, Style], width: int) -> Strip:
        message = self._empty_text if not len(self._row_set) else "No rows match the filter"
        if self._computing:
            message = "Filtering…"
        return render_empty(message, width, styles["empty"])

    # ----------------------------------------------------------------- cursor

    def _move_cursor(self, position: int) -> None:
        if not self._view:
            return
        position = max(0, min(position, len(self._view) - 1))
        if position == self._cursor:
            return
        old = self._cursor
        self._cursor = position
        self.refresh_line(old + 1)
        self.refresh_line(position + 1)
        self._scroll_cursor_into_view()
        self._schedule_highlight()

    def _scroll_cursor_into_view(self) -> None:
        if not self.is_mounted or not self.size.height:
            return
        body = self._body_height()
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + body:
            self.scroll_to(y=self._cursor - body + 1, animate=False)

    def _schedule_highlight(self) -> None:
        if not self._highlight_scheduled:
            self._highlight_scheduled = True
            # Runs after the keys already queued, so a burst of moves posts one message.
            self.call_later(self._post_highlight)

    def _post_highlight(self) -> None:
        self._highlight_scheduled = False
        key = self.cursor_key
        if key is not None and key != self._highlighted_key:
            self._highlighted_key = key
            self.post_message(self.RowHighlighted(self, key))

    def action_cursor_up(self) -> None:
        """Move the cursor up one row."""
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down one row."""
        self._move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        """Move the cursor up one screen."""
        self._move_cursor(self._cursor - self._body_height())

    def action_page_down(self) -> None:
        """Move the cursor down one screen."""
        self._move_cursor(self._cursor + self._body_height())

    def action_cursor_first(self) -> None:
        """Move the cursor to the first row."""
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        """Move the cursor to the last row."""
        self._move_cursor(len(self._view) - 1)

    def _column_starts(self) -> list[int]:
        starts, x = [], 1
        for width in self._widths:
            starts.append(x - 1)
            x += width + 1
        return starts

    def action_column_left(self) -> None:
        """Scroll left to the previous column's start."""
        x = int(self.scroll_x)
        previous = [s for s in self._column_starts() if s < x]
        self.scroll_to(x=previous[-1] if previous else 0, animate=False)

    def action_column_right(self) -> None:
        """Scroll right to the next column's start (as far as the table goes)."""
        x = int(self.scroll_x)
        following = [s for s in self._column_starts() if s > x]
        if following and x < self.max_scroll_x:
            self.scroll_to(x=min(following[0], self.max_scroll_x), animate=False)

    def action_select_cursor(self) -> None:
        """Post `RowSelected` for the row under the cursor."""
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def action_sort_next_column(self) -> None:
        """Sort ascending by the next column (cycles through all columns)."""
        keys = [c.key for c in self._columns]
        current = keys.index(self._sort_key) if self._sort_key in keys else -1
        self.sort_by(keys[(current + 1) % len(keys)], reverse=False)

    def action_sort_reverse(self) -> None:
        """Reverse the sort order (sorting by the first column if unsorted)."""
        self.sort_by(self._sort_key or self._columns[0].key, reverse=not self._sort_reverse)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            x = offset.x + int(self.scroll_x) - 1
            for column, width in zip(self._columns, self._widths):
                if x < width + 1:
                    self.sort_by(column.key)
                    return
                x -= width + 1
            return
        position = offset.y - 1 + int(self.scroll_y)
        if position >= len(self._view):
            return
        if position == self._cursor:
            self.action_select_cursor()
        else:
            self._move_cursor(position)
