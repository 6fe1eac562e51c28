"""Benchmarks VirtualTable against Textual's DataTable with 60,000 synthetic device rows.

Run: `.venv/bin/python benchmarks/bench_table.py [--rows N] [--skip-datatable]` (a couple of minutes;
DataTable's add_rows dominates). Everything runs headless via `App.run_test` at 80x24.

Measures, in one run:
- first paint: app start until the table's first `render_line`, and the widget's own work
  (`set_rows` + rendering the first screen);
- sort: 60,000 rows by a text and a numeric column (cold keys, then cached keys);
- filter: per-keystroke time while typing queries, median and worst;
- idle: `render_line` calls during a quiet half second (must be 0);
- scrolling: lines rendered per page-down.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from msp_tui.domain.filtering import FilterIndex, compile_filter
from msp_tui.tui.widgets.virtual_table import Column, TableRow, VirtualTable

COLUMNS = [
    Column("name", "Device"),
    Column("user", "User"),
    Column("org", "Org"),
    Column("os", "OS", width=8),
    Column("status", "Status", width=11),
    Column("backup_age_days", "Age", width=4, align="right"),
    Column("last_seen", "Last seen", width=10),
]
ALIASES = {"age": "backup_age_days", "seen": "last_seen"}
QUERIES = ["os:mac age>7", "status:deact", "!active", "dev-0123", 'org:"acme co" age<=3']


def build_rows(count: int) -> list[TableRow]:
    """Synthetic devices with realistic variety (some missing ages, a few statuses and orgs)."""
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    oses = ("macOS", "Windows", "Linux")
    statuses = ("Active", "Active", "Active", "Deactivated", "Deauthorized")
    orgs = ("Acme Co", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay")
    rows = []
    for i in range(count):
        age = None if i % 17 == 0 else (i * 7919) % 120
        seen = now - timedelta(days=age or 0)
        status = statuses[i % len(statuses)]
        values: dict[str, Any] = {
            "name": f"dev-{i:05d}",
            "user": f"user{i % 9000:04d}@example.com",
            "org": orgs[i % len(orgs)],
            "os": oses[i % 3],
            "status": status,
            "backup_age_days": age,
            "last_seen": seen if age is not None else None,
        }
        cells = (
            values["name"],
            values["user"],
            values["org"],
            values["os"],
            status,
            "—" if age is None else str(age),
            seen.strftime("%Y-%m-%d") if age is not None else "never",
        )
        style = "critical" if status != "Active" else ("warning" if (age or 0) > 7 else None)
        rows.append(TableRow(i, cells, values, " ".join(cells).lower(), style))
    return rows


class Marks:
    """Timestamps shared between the benchmark and the instrumented widgets."""

    start = 0.0
    first_line = 0.0
    lines = 0


class TimedVirtualTable(VirtualTable):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        Marks.lines += 1
        if not Marks.first_line:
            Marks.first_line = time.perf_counter()
        return strip


class TimedDataTable(DataTable[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not Marks.first_line:
            Marks.first_line = time.perf_counter()
        return strip


class VirtualApp(App[None]):
    def __init__(self, rows: list[TableRow]) -> None:
        super().__init__()
        self.rows = rows
        self.set_rows_seconds = 0.0

    def compose(self) -> ComposeResult:
        yield TimedVirtualTable(COLUMNS, aliases=ALIASES)

    def on_mount(self) -> None:
        started = time.perf_counter()
        self.query_one(VirtualTable).set_rows(self.rows)
        self.set_rows_seconds = time.perf_counter() - started


class DataTableApp(App[None]):
    def __init__(self, rows: list[TableRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield TimedDataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        table.add_rows(([str(c) for c in row.cells] for row in self.rows))


def reset_marks() -> None:
    Marks.start = time.perf_counter()
    Marks.first_line = 0.0
    Marks.lines = 0


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def bench_virtual(rows: list[TableRow]) -> dict[str, float]:
    results: dict[str, float] = {}
    reset_marks()
    app = VirtualApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        results["first_paint"] = Marks.first_line - Marks.start
        results["set_rows"] = app.set_rows_seconds
        table = app.query_one(VirtualTable)
        table._line_cache.clear()  # noqa: SLF001 - time a cold first screen
        results["first_screen_render"] = timed(
            lambda: [table.render_line(y) for y in range(table.size.height)]
        )
        # Synchronous path, so the numbers are pure compute (the UI uses a thread above 20k rows).
        table.THREAD_THRESHOLD = 10**9
        results["sort_text_cold"] = timed(lambda: table.sort_by("name", reverse=True))
        results["sort_int_cold"] = timed(lambda: table.sort_by("backup_age_days"))
        results["sort_int_reverse"] = timed(lambda: table.sort_by("backup_age_days"))
        results["sort_date_cold"] = timed(lambda: table.sort_by("last_seen"))
        table.sort_by(None)
        per_key: list[float] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                per_key.append(timed(lambda: table.apply_filter(query[:end])))  # noqa: B023 (called at once)
            table.apply_filter("")
        results["filter_key_median"] = statistics.median(per_key)
        results["filter_key_max"] = max(per_key)
        table.sort_by("backup_age_days")
        sorted_keys: list[float] = []
        for end in range(1, len(QUERIES[0]) + 1):
            sorted_keys.append(timed(lambda: table.apply_filter(QUERIES[0][:end])))  # noqa: B023 (called at once)
        results["filter_sorted_median"] = statistics.median(sorted_keys)
        table.apply_filter("")
        await pilot.pause()
        # Threaded path end to end: sort request until the view is swapped in.
        table.THREAD_THRESHOLD = 20_000
        started = time.perf_counter()
        table.sort_by("user")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results["sort_threaded_wall"] = time.perf_counter() - started
        Marks.lines = 0
        await pilot.press("pagedown")
        await pilot.pause()
        results["lines_per_pagedown"] = Marks.lines
        Marks.lines = 0
        await asyncio.sleep(0.5)
        results["idle_lines"] = Marks.lines
    return results


def bench_filter_engine(rows: list[TableRow]) -> dict[str, float]:
    """The domain filter alone: compile + select over a warm FilterIndex."""
    index = FilterIndex(rows)
    fields = [c.key for c in COLUMNS]
    compile_filter("os:x age>1 seen<2024-01-01 status=x org:x user:x name:x", fields, ALIASES).select(index)
    times = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            try:
                compile_filter(query[:end], fields, ALIASES).select(index)
            except ValueError:
                pass
            times.append(time.perf_counter() - started)
    return {"engine_key_median": statistics.median(times), "engine_key_max": max(times)}


async def bench_datatable(rows: list[TableRow]) -> dict[str, float]:
    results: dict[str, float] = {}
    reset_marks()
    app = DataTableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        results["first_paint"] = Marks.first_line - Marks.start
        table = app.query_one(DataTable)
        results["sort_text_cold"] = timed(lambda: table.sort("name", reverse=True))
        results["sort_int_cold"] = timed(lambda: table.sort("backup_age_days"))
        await pilot.pause()
    return results


def report(virtual: dict[str, float], datatable: dict[str, float] | None, rows: int) -> None:
    print(f"\nVirtualTable vs DataTable, {rows:,} rows, 80x24 headless\n")
    print(f"{'metric':<34}{'VirtualTable':>14}{'DataTable':>14}{'ratio':>10}")
    print("-" * 72)
    for key, label in [
        ("first_paint", "first paint (app start → 1st line)"),
        ("sort_text_cold", "sort by text, cold"),
        ("sort_int_cold", "sort by number, cold"),
    ]:
        other = datatable.get(key) if datatable else None
        ratio = f"{other / virtual[key]:9.1f}x" if other else "         -"
        print(f"{label:<34}{ms(virtual[key]):>14}{ms(other) if other else '-':>14}{ratio}")
    print("-" * 72)
    for key, label in [
        ("set_rows", "set_rows (widget work)"),
        ("first_screen_render", "render first screen (cold)"),
        ("sort_int_reverse", "sort by number, reverse"),
        ("sort_date_cold", "sort by date, cold"),
        ("sort_threaded_wall", "sort in thread, wall clock"),
        ("filter_key_median", "filter per keystroke, median"),
        ("filter_key_max", "filter per keystroke, worst"),
        ("filter_sorted_median", "filter per key while sorted, med"),
        ("engine_key_median", "filter engine only, median"),
        ("engine_key_max", "filter engine only, worst"),
    ]:
        print(f"{label:<34}{ms(virtual[key]):>14}")
    print(f"{'lines rendered per pagedown':<34}{virtual['lines_per_pagedown']:>14.0f}")
    print(f"{'render_line calls in 0.5 s idle':<34}{virtual['idle_lines']:>14.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--skip-datatable", action="store_true", help="skip the slow DataTable run")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = build_rows(args.rows)
    print(f"built {args.rows:,} rows in {ms(time.perf_counter() - started).strip()}")
    virtual = asyncio.run(bench_virtual(rows))
    virtual.update(bench_filter_engine(rows))
    datatable = None if args.skip_datatable else asyncio.run(bench_datatable(rows))
    report(virtual, datatable, args.rows)


if __name__ == "__main__":
    main()
