"""Pilot tests for VirtualTable: rendering, cursor, messages, sort, filter, and the large (threaded) path."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip

from msp_tui.tui.widgets.virtual_table import Column, TableRow, VirtualTable, make_row

COLUMNS = [
    Column("name", "Name"),
    Column("os", "OS"),
    Column("age", "Age", align="right"),
    Column("status", "Status"),
]
OSES = ("mac", "windows", "linux")


def device_rows(count: int, prefix: str = "dev") -> list[TableRow]:
    rows = []
    for i in range(count):
        age = None if i % 11 == 0 else (i * 7) % 40
        status = "deactivated" if i % 13 == 0 else "active"
        rows.append(
            make_row(
                f"{prefix}-{i}",
                (f"{prefix}-{i:05d}", OSES[i % 3], "" if age is None else str(age), status),
                {"name": f"{prefix}-{i:05d}", "os": OSES[i % 3], "age": age, "status": status},
                style="critical" if status == "deactivated" else None,
            )
        )
    return rows


class CountingTable(VirtualTable):
    """Records which lines were rendered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: list[int] = []

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)


class TableApp(App[None]):
    def __init__(self, rows: list[TableRow]) -> None:
        super().__init__()
        self.rows = rows
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield CountingTable(COLUMNS, aliases={"state": "status"}, id="table")

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows(self.rows)

    def on_virtual_table_row_highlighted(self, message: VirtualTable.RowHighlighted) -> None:
        self.messages.append(message)

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.messages.append(message)

    def on_virtual_table_view_changed(self, message: VirtualTable.ViewChanged) -> None:
        self.messages.append(message)


def of_type(app: TableApp, kind: type[Message]) -> list[Any]:
    return [m for m in app.messages if isinstance(m, kind)]


def screen_text(table: VirtualTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_renders_header_and_first_rows() -> None:
    app = TableApp(device_rows(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        lines = screen_text(table)
        assert lines[0].split() == ["Name", "OS", "Age", "Status"]
        assert lines[1].split()[0] == "dev-00000"
        assert lines[2].split()[:3] == ["dev-00001", "windows", "7"]
        assert all(len(line) == len(lines[0]) for line in lines)
        assert table.row_count == 50 and table.visible_count == 50


async def test_arrow_keys_move_cursor_and_post_highlighted() -> None:
    app = TableApp(device_rows(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.has_focus
        assert table.cursor_key == "dev-0"
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor_key == "dev-1"
        assert of_type(app, VirtualTable.RowHighlighted)[-1].key == "dev-1"
        await pilot.press("down", "down", "up")
        await pilot.pause()
        assert table.cursor_key == "dev-2"
        assert of_type(app, VirtualTable.RowHighlighted)[-1].key == "dev-2"
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "dev-49"
        assert table.scroll_y > 0  # the cursor row was scrolled into view
        await pilot.press("home", "pagedown")
        await pilot.pause()
        assert table.cursor_position == 23  # one page: 24 lines minus the header


async def test_enter_posts_row_selected_with_key() -> None:
    app = TableApp(device_rows(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        selected = of_type(app, VirtualTable.RowSelected)
        assert [m.key for m in selected] == ["dev-2"]
        assert selected[0].control is app.query_one(VirtualTable)


async def test_click_moves_cursor_then_selects() -> None:
    app = TableApp(device_rows(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        await pilot.click(VirtualTable, offset=(3, 4))
        await pilot.pause()
        assert table.cursor_key == "dev-3"
        await pilot.click(VirtualTable, offset=(3, 4))
        await pilot.pause()
        assert [m.key for m in of_type(app, VirtualTable.RowSelected)] == ["dev-3"]


async def test_sort_toggles_order_and_keeps_none_last() -> None:
    app = TableApp(device_rows(30))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        table.sort_by("age")
        ages = [r.values["age"] for r in (table_rows(table))]
        present = [a for a in ages if a is not None]
        assert present == sorted(present) and ages[-1] is None
        assert "Age▲" in table.render_line(0).text
        table.sort_by("age")
        assert table.sort_reverse
        ages = [r.values["age"] for r in table_rows(table)]
        present = [a for a in ages if a is not None]
        assert present == sorted(present, reverse=True) and ages[-1] is None
        assert "Age▼" in table.render_line(0).text
        table.sort_by(None)
        assert table.visible_keys()[:2] == ["dev-0", "dev-1"]


async def test_sort_keys_cycle_and_reverse() -> None:
    app = TableApp(device_rows(30))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        await pilot.press("s")
        assert (table.sort_column, table.sort_reverse) == ("name", False)
        await pilot.press("s")
        assert (table.sort_column, table.sort_reverse) == ("os", False)
        await pilot.press("S")
        await pilot.pause()
        assert (table.sort_column, table.sort_reverse) == ("os", True)
        assert table_rows(table)[0].values["os"] == "windows"
        assert table.cursor_key == "dev-0"  # a new sort keeps the cursor on its row


def table_rows(table: VirtualTable) -> list[TableRow]:
    lookup = {row.key: row for row in table._row_set.rows}  # noqa: SLF001 - test helper
    return [lookup[key] for key in table.visible_keys()]  # type: ignore[misc]


async def test_filter_reduces_rows_and_reports_shown_of_total() -> None:
    app = TableApp(device_rows(300))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        table.apply_filter("os:mac state:deact")
        await pilot.pause()
        expected = [f"dev-{i}" for i in range(300) if i % 3 == 0 and i % 13 == 0]
        assert table.visible_keys() == expected
        changed = of_type(app, VirtualTable.ViewChanged)[-1]
        assert (changed.shown, changed.total) == (len(expected), 300)
        assert changed.filter_error is None
        table.apply_filter("")
        await pilot.pause()
        assert table.visible_count == 300


async def test_filter_error_is_exposed_and_keeps_view() -> None:
    app = TableApp(device_rows(100))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        table.apply_filter("os:mac")
        shown = table.visible_count
        table.apply_filter("colour:red")
        await pilot.pause()
        assert table.filter_error is not None
        assert "colour" in table.filter_error and "status" in table.filter_error
        assert table.visible_count == shown
        assert of_type(app, VirtualTable.ViewChanged)[-1].filter_error == table.filter_error
        table.apply_filter("os:win")
        assert table.filter_error is None


async def test_empty_filter_result_shows_message() -> None:
    app = TableApp(device_rows(20))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        table.apply_filter("nothing-matches-this")
        await pilot.pause()
        assert table.visible_count == 0 and table.cursor_key is None
        assert "No rows match" in table.render_line(1).text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert of_type(app, VirtualTable.RowSelected) == []


async def test_set_rows_keeps_cursor_key() -> None:
    app = TableApp(device_rows(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        await pilot.press(*["down"] * 10)
        assert table.cursor_key == "dev-10"
        # New data: rows reversed and one extra row in front.
        fresh = device_rows(51)
        table.set_rows([fresh[50], *reversed(fresh[:50])])
        await pilot.pause()
        assert table.cursor_key == "dev-10"
        assert table.cursor_position == 40
        # The cursor row disappears: the cursor keeps its place.
        table.set_rows([r for r in fresh if r.key != "dev-10"])
        assert table.cursor_position == 40


async def test_rich_text_cells_and_semantic_styles_render() -> None:
    rows = [
        TableRow("a", (Text("● down", style="bold"), "mac", "3", "x" * 80), {}, "", "critical"),
        TableRow("b", ("plain", "win", "4", "ok"), {}, "", "muted"),
    ]
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        first = table.render_line(1)
        assert "● down" in first.text
        assert first.text.rstrip().endswith("…")
        assert first.cell_length == 80 - table.scrollbar_size_vertical
        critical = table.get_component_rich_style("virtual-table--critical")
        muted_line = table.render_line(2)
        assert list(muted_line)[0].style == table.get_component_rich_style("virtual-table--muted")
        assert critical.color is not None


async def test_60k_rows_mount_and_render_only_visible_lines() -> None:
    app = TableApp(device_rows(60_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(CountingTable)
        assert table.row_count == 60_000
        assert table.rendered and max(table.rendered) < 24
        assert len(table._line_cache) <= 23  # noqa: SLF001 - only visible rows were rendered
        table.rendered.clear()
        await pilot.press("pagedown")
        await pilot.pause()
        assert 0 < len(table.rendered) <= 2 * 24
        assert table.cursor_position == 23


async def test_large_threaded_path_matches_small_path() -> None:
    rows = device_rows(30_000)
    results = []
    for threshold in (10**9, 20_000):
        app = TableApp(rows)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            table = app.query_one(VirtualTable)
            table.THREAD_THRESHOLD = threshold
            table.sort_by("age", reverse=True)
            table.apply_filter("os:mac !state=deactivated age>=20")
            assert table.is_computing == (threshold == 20_000)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not table.is_computing
            changed = of_type(app, VirtualTable.ViewChanged)[-1]
            results.append((table.visible_keys(), changed.shown, changed.total))
    assert results[0] == results[1]
    assert results[0][1] > 0 and results[0][2] == 30_000


def test_sort_field_and_descending_columns() -> None:
    from msp_tui.tui.widgets.virtual_table_model import RowSet

    rows = device_rows(30)
    by_age_desc = Column("status", "Status", sort_field="age", sort_descending=True)
    row_set = RowSet(rows)
    order = row_set.order(by_age_desc, 3, reverse=False)
    ages = [rows[i].values["age"] for i in order]
    present = [a for a in ages if a is not None]
    assert present == sorted(present, reverse=True) and ages[-3:] == [None, None, None]
    # Equal ages keep their row order (stable), as sorting by the negated age would.
    for a, b in zip(order, order[1:]):
        if rows[a].values["age"] == rows[b].values["age"]:
            assert a < b
    again = row_set.order(by_age_desc, 3, reverse=True)
    assert [rows[i].values["age"] for i in again][:len(present)] == sorted(present)


def test_sort_reads_a_whole_column_when_the_row_list_offers_it() -> None:
    from msp_tui.tui.widgets.virtual_table_model import RowSet

    class Columnar(list[TableRow]):
        asked: list[str] = []

        def field_values(self, name: str) -> list[object] | None:
            self.asked.append(name)
            return [row.values.get(name) for row in self]

    rows = Columnar(device_rows(20))
    order = RowSet(rows).order(Column("name", "Name"), 0, reverse=True)
    assert order == RowSet(device_rows(20)).order(Column("name", "Name"), 0, reverse=True)
    assert rows.asked == ["name"]
