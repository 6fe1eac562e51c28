"""Provides the cross-customer views: `AllDevicesScreen` and `FindingsScreen`.

`AllDevicesScreen` lists every device of every customer, worst first (the morning check).

The rows (60,000 for a large MSP) are built once per dataset in a thread and memoised on the
dataset; the virtual table renders only the visible lines and filters big row sets in a thread,
so opening, scrolling and filtering stay instant. `enter` opens a device, `o` shows its org on
the main screen, `/` filters, `esc` goes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from msp_tui.domain.health import Health
from msp_tui.models.base import gc_paused
from msp_tui.tui.dataset import DETAILS_MARKER, HEALTH_STYLE, Dataset
from msp_tui.tui.messages import JumpTo
from msp_tui.tui.screens.detail import DetailScreen
from msp_tui.tui.widgets.customer_pane import (
    DEVICE_COLUMNS,
    DEVICE_CORE,
    FILTER_ALIASES,
    FilterBar,
    device_field_column,
    device_row,
)
from msp_tui.tui.widgets.findings_view import FindingsView
from msp_tui.tui.widgets.header_bar import HeaderBar
from msp_tui.tui.widgets.key_bar import KeyBar
from msp_tui.tui.widgets.virtual_table import Column, TableRow, VirtualTable
from msp_tui.tui.widgets.virtual_table_model import Cell

ALL_DEVICE_COLUMNS = (
    Column("customer", "Customer", min_width=12, max_width=24),
    *(replace(c, max_width=24) if c.key == "user" else c for c in DEVICE_COLUMNS),
)
"""The customer first, then the device columns (with a wider user: the screen has the width)."""
ALL_DEVICE_CORE = DEVICE_CORE + 1


class _AllRows:
    """What the lazy rows of one dataset share: the dataset, customer names, prebuilt haystacks."""

    __slots__ = ("dataset", "names", "haystacks")

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.names: dict[int | None, str] = {}
        self.haystacks: list[str] | None = None
        """Every row's haystack by row index, once `prebuild_haystacks` ran (in a thread)."""

    def customer(self, org_id: int | None) -> str:
        name = self.names.get(org_id)
        if name is None:
            name = self.names[org_id] = self.dataset.tree.line_name(org_id)
        return name


class LazyDeviceRow:
    """One all-devices row that holds only its key and position; cells are built when drawn.

    60,000 eager rows cost ~1.5 s and ~70 MB; the table draws ~40 of them, and the filter
    index keeps its own columns, so nothing here is kept per row (see `prebuild_haystacks`).
    """

    __slots__ = ("key", "index", "position", "_shared")

    def __init__(self, key: int, index: int, position: int, shared: _AllRows) -> None:
        self.key = key
        self.index = index
        """Position in the all-devices row list."""
        self.position = position
        """Position in the snapshot's devices."""
        self._shared = shared

    def _row(self) -> TableRow:
        shared = self._shared
        dataset = shared.dataset
        org_id = dataset.health.facts.summary.org_id[self.position]
        return device_row(dataset, self.position, customer=shared.customer(org_id))

    @property
    def cells(self) -> Sequence[Cell]:
        return self._row().cells

    @property
    def values(self) -> Mapping[str, object]:
        return self._row().values

    @property
    def haystack(self) -> str:
        prebuilt = self._shared.haystacks
        return prebuilt[self.index] if prebuilt is not None else self._row().haystack

    @property
    def style(self) -> str | None:
        return HEALTH_STYLE[_BY_RANK[self._shared.dataset.health.codes[self.position]]]


class DeviceRows(list[LazyDeviceRow]):
    """The all-devices rows, which also give whole field columns (filter and sort read those
    instead of building 60,000 rows to read one field; see `filtering.field_column`)."""

    def __init__(self, rows: list[LazyDeviceRow], shared: _AllRows) -> None:
        super().__init__(rows)
        self._shared = shared
        self._columns: dict[str, list[object] | None] = {}

    def field_values(self, field: str) -> list[object] | None:
        """Every row's `values[field]`, in row order (None for a field rows do not have)."""
        if field not in self._columns:
            shared = self._shared
            self._columns[field] = device_field_column(
                shared.dataset, [row.position for row in self], field, shared.customer)
        return self._columns[field]


def all_device_rows(dataset: Dataset) -> list[LazyDeviceRow]:
    """Every device, worst health first, then longest without a backup (memoised per dataset)."""

    def build() -> list[LazyDeviceRow]:
        codes, backup = dataset.health.codes, dataset.health.facts.backup_ts
        # Two stable sorts with C-level keys (a tuple key per row costs ~0.3 s at 60,000 rows):
        # by last backup, then by health rank, worst first (reverse keeps the sort stable).
        order = sorted(range(len(codes)), key=backup.__getitem__)
        order.sort(key=codes.__getitem__, reverse=True)
        ids = dataset.health.facts.summary.computer_id
        shared = _AllRows(dataset)
        with gc_paused():
            return DeviceRows([LazyDeviceRow(ids[i], n, i, shared) for n, i in enumerate(order)], shared)

    return dataset.memo("all-devices", build)


def prebuild_haystacks(dataset: Dataset) -> None:
    """Builds the filter text of every all-devices row (in a thread), so the first `/` keystroke
    on 60,000 rows does not have to."""
    rows = all_device_rows(dataset)
    if rows and rows[0]._shared.haystacks is None:
        rows[0]._shared.haystacks = [row._row().haystack for row in rows]


def morning_summary(dataset: Dataset) -> str:
    """One line: how many active devices are critical, never backed up, in warning."""
    counts = {h: 0 for h in Health}
    for code in dataset.health.codes:
        counts[_BY_RANK[code]] += 1
    active = len(dataset.health.codes) - counts[Health.INACTIVE]
    return (f"All devices · {active} active · ✗ {counts[Health.CRITICAL]} critical · "
            f"∅ {counts[Health.NEVER]} never · ! {counts[Health.WARNING]} warning · "
            f"✓ {counts[Health.OK]} ok")


_BY_RANK = {h.rank: h for h in Health}


class AllDevicesScreen(Screen[None]):
    """All devices across customers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter"),
        Binding("o", "open_org", "Show org"),
    ]
    AUTO_FOCUS = "#all-devices-table"

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        yield Static(id="all-devices-title", classes="pane-title")
        yield VirtualTable(ALL_DEVICE_COLUMNS, aliases=FILTER_ALIASES, id="all-devices-table",
                           empty_text="Loading devices…", core_columns=ALL_DEVICE_CORE)
        yield FilterBar(id="all-devices-filter")
        yield KeyBar()

    @property
    def table(self) -> VirtualTable:
        """The devices table."""
        return self.query_one("#all-devices-table", VirtualTable)

    def on_mount(self) -> None:
        self.query_one(FilterBar).retarget(self.table)
        self.watch(self.app, "dataset", self._show_dataset)
        self.watch(self.app, "details_loading", self._show_title, init=False)

    def _show_dataset(self, dataset: Dataset | None) -> None:
        self.query_one(HeaderBar).show(self.app.store)  # type: ignore[attr-defined]
        if dataset is None:
            return
        self._show_title()
        self._load_rows(dataset)

    def _show_title(self) -> None:
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is None:
            return
        title = morning_summary(dataset)
        if self.app.details_loading:  # type: ignore[attr-defined]
            title += f" · {DETAILS_MARKER}"
        self.query_one("#all-devices-title", Static).update(Content(title))

    @work(thread=True, exclusive=True, group="all-devices", exit_on_error=False,
          description="Build the all-devices rows")
    def _load_rows(self, dataset: Dataset) -> None:
        rows = all_device_rows(dataset)
        self.app.call_from_thread(self._adopt_rows, dataset, rows)

    def _adopt_rows(self, dataset: Dataset, rows: list[LazyDeviceRow]) -> None:
        if dataset is self.app.dataset:  # type: ignore[attr-defined]
            self.table.set_rows(rows)

    @on(VirtualTable.ViewChanged)
    def _show_count(self, event: VirtualTable.ViewChanged) -> None:
        self.query_one(FilterBar).show_count(event)

    @on(VirtualTable.RowSelected)
    def _open_device(self, event: VirtualTable.RowSelected) -> None:
        dataset = self.app.dataset  # type: ignore[attr-defined]
        if dataset is not None:
            self.app.push_screen(DetailScreen(dataset, "devices", int(event.key)))  # type: ignore[call-overload]

    def action_filter(self) -> None:
        """Opens the filter bar."""
        self.query_one(FilterBar).open()

    def action_back(self) -> None:
        """Clears an active filter, else goes back to the main screen."""
        if self.table.filter_text:
            self.query_one(FilterBar).clear()
        else:
            self.app.pop_screen()

    def action_open_org(self) -> None:
        """Goes back to the main screen with the device's org and the device selected."""
        dataset = self.app.dataset  # type: ignore[attr-defined]
        key = self.table.cursor_key
        if dataset is None or key is None:
            return
        computer_id = int(key)  # type: ignore[call-overload]
        if computer_id in dataset.health.facts.position:
            self.app.pop_screen()
            self.app.post_message(JumpTo(org_id=dataset.device_org(computer_id), computer_id=computer_id))


class FindingsScreen(Screen[None]):
    """The account's findings (health and best practice); `enter` jumps to the org, user or device."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter"),
    ]
    AUTO_FOCUS = "#findings-table"

    def compose(self) -> ComposeResult:
        yield HeaderBar()
        yield FindingsView(id="findings")
        yield FilterBar(id="findings-filter")
        yield KeyBar()

    def on_mount(self) -> None:
        view = self.query_one(FindingsView)
        self.query_one(FilterBar).retarget(view.table)
        self.watch(self.app, "dataset", self._show_dataset)

    def _show_dataset(self, dataset: Dataset | None) -> None:
        self.query_one(HeaderBar).show(self.app.store)  # type: ignore[attr-defined]
        if dataset is None:
            return
        view = self.query_one(FindingsView)
        if dataset.devices_loaded:
            view.loading = False
            view.findings = tuple(dataset.findings)
        else:
            # The checks read the full device records, still decoding after a staged start:
            # wait for them off the UI thread instead of freezing it.
            view.loading = True
            self._show_when_loaded(dataset)

    @work(exclusive=True, group="findings", exit_on_error=False, description="Load the findings")
    async def _show_when_loaded(self, dataset: Dataset) -> None:
        await self.app.wait_for_details(dataset)  # type: ignore[attr-defined]
        if dataset is self.app.dataset:  # type: ignore[attr-defined]
            view = self.query_one(FindingsView)
            view.findings = tuple(dataset.findings)
            view.loading = False

    @on(VirtualTable.ViewChanged)
    def _show_count(self, event: VirtualTable.ViewChanged) -> None:
        self.query_one(FilterBar).show_count(event)

    @on(FindingsView.FindingSelected)
    def _jump(self, event: FindingsView.FindingSelected) -> None:
        finding = event.finding
        if finding.org_id is None and finding.user_id is None and finding.computer_id is None:
            self.notify("This finding is about the whole account.", severity="information")
            return
        self.app.pop_screen()
        self.app.post_message(JumpTo(finding.org_id, finding.user_id, finding.computer_id))

    def action_filter(self) -> None:
        """Opens the filter bar."""
        self.query_one(FilterBar).open()

    def action_back(self) -> None:
        """Clears an active filter, else goes back to the main screen."""
        table = self.query_one(FindingsView).table
        if table.filter_text:
            self.query_one(FilterBar).clear()
        else:
            self.app.pop_screen()
