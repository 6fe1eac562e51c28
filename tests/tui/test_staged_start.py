"""Staged start from the cache: the tree, the cost pane and the all-devices rows come from the
cached per-device summary; the full device records load afterwards in a thread behind a one-line
"loading device details…" marker, and everything then reads as from full records."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from msp_tui.api import ApiError
from msp_tui.domain.health import device_health
from msp_tui.models.summary import DeferredDevices
from msp_tui.tui.dataset import DETAILS_MARKER, build_dataset, device_status
from msp_tui.tui.screens.all_devices import AllDevicesScreen, all_device_rows
from msp_tui.tui.screens.detail import DetailScreen
from msp_tui.tui.widgets.cost_panel import CostPanel
from msp_tui.tui.widgets.customer_pane import device_row
from msp_tui.tui.widgets.org_tree import OrgTree
from msp_tui.tui.widgets.virtual_table import VirtualTable


class Gate:
    """Holds the decode of the full device records until `open()`; records who asked for it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.on_main_thread: list[bool] = []

    def open(self) -> None:
        self.event.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    g = Gate()
    original = DeferredDevices.load

    def load(self: DeferredDevices) -> Any:
        if not self.loaded:
            g.on_main_thread.append(threading.current_thread() is threading.main_thread())
            g.event.wait(10)
        return original(self)

    monkeypatch.setattr(DeferredDevices, "load", load)
    yield g
    g.open()


async def _warm_cache(make_app: Any, settle: Any) -> Any:
    first = make_app()
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        return first.dataset


def _staged_app(make_app: Any) -> Any:
    app = make_app()
    app.staged_devices = 0  # the demo account is small: stage it anyway

    async def offline() -> Any:
        raise ApiError("offline")

    app.signed_in_client = offline  # type: ignore[method-assign]
    return app


def _pane_title(app: Any) -> str:
    return str(app.screen.query_one("#pane-title").render())


async def test_tree_and_costs_paint_before_device_details(make_app: Any, settle: Any, wait_until: Any,
                                                          gate: Gate) -> None:
    fresh = await _warm_cache(make_app, settle)
    app = _staged_app(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.dataset is not None and app.details_loading, "the cached dataset")
        await wait_until(pilot, lambda: DETAILS_MARKER in _pane_title(app), "the marker")
        dataset = app.dataset
        assert not dataset.devices_loaded
        tree = app.screen.query_one(OrgTree)
        assert tree.org_ids() and set(tree.org_ids()) <= set(fresh.tree.orgs)
        assert app.screen.query_one("#cost-panel", CostPanel).projection == fresh.projection
        assert dataset.chargeback == fresh.chargeback
        assert dataset.health.codes == fresh.health.codes
        assert dataset.customer_health == fresh.customer_health
        assert "✗" in app.export_screenshot() or "✓" in app.export_screenshot()
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AllDevicesScreen), "the all-devices view")
        table = app.screen.query_one("#all-devices-table", VirtualTable)
        await wait_until(pilot, lambda: table.row_count == len(fresh.snapshot.devices), "the rows")
        title = str(app.screen.query_one("#all-devices-title").render())
        assert title.endswith(DETAILS_MARKER)
        assert not dataset.devices_loaded and not any(gate.on_main_thread)
        gate.open()
        await wait_until(pilot, lambda: not app.details_loading, "the device details")
        assert dataset.devices_loaded and app.dataset is dataset
        await pilot.pause()
        assert DETAILS_MARKER not in str(app.screen.query_one("#all-devices-title").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AllDevicesScreen), "the main screen")
        assert DETAILS_MARKER not in _pane_title(app)
        assert dataset.snapshot.devices == fresh.snapshot.devices
        assert dataset.findings == fresh.findings
        assert not any(gate.on_main_thread)


async def test_summary_rows_equal_rows_from_full_records(make_app: Any, settle: Any, wait_until: Any,
                                                         gate: Gate) -> None:
    fresh = await _warm_cache(make_app, settle)
    app = _staged_app(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.dataset is not None, "the cached dataset")
        staged = app.dataset
        assert not staged.devices_loaded
        rows = [(r.key, r.cells, dict(r.values), r.haystack, r.style) for r in all_device_rows(staged)]
        gate.open()
        await settle(pilot)
    # The same rows from a dataset of the full records (its summary built from the models)…
    full = build_dataset(fresh.snapshot, fresh.policy, fresh.now)
    assert rows == [(r.key, r.cells, dict(r.values), r.haystack, r.style) for r in all_device_rows(full)]
    # …and every summary-read cell equals what the full record says.
    for position, device in enumerate(fresh.snapshot.devices):
        row = device_row(staged, position)
        h = device_health(device, fresh.policy.checks, fresh.now)
        assert row.key == device.computer_id
        assert row.values["name"] == device.display_name
        assert row.values["status"] == device_status(device)
        assert row.values["os"] == " ".join(p for p in (device.os_name, device.os_version) if p)
        assert row.values["dest"] == "; ".join(
            u.target_computer_name or u.target_computer_guid or "?" for u in device.backup_usage)
        assert row.values["archive"] == h.archive_bytes
        assert row.values["health"] == h.health.value


async def test_detail_screen_shows_every_field(make_app: Any, settle: Any, wait_until: Any, gate: Gate) -> None:
    fresh = await _warm_cache(make_app, settle)
    app = _staged_app(make_app)
    device = max(fresh.snapshot.devices, key=lambda d: len(d.backup_usage))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.dataset is not None, "the cached dataset")
        dataset = app.dataset
        early = DetailScreen(dataset, "devices", device.computer_id)
        await app.push_screen(early)  # before the full load: its record's chunk alone is decoded
        early_text = early.plain_text()
        assert not dataset.devices_loaded
        await pilot.press("escape")
        gate.open()
        await wait_until(pilot, lambda: not app.details_loading, "the device details")
        screen = DetailScreen(app.dataset, "devices", device.computer_id)
        await app.push_screen(screen)
        text = screen.plain_text()
    for name, info in type(device).model_fields.items():
        if name != "backup_usage":
            assert (info.alias or name) in text
    assert device.backup_usage and all(
        f"Destination {n}:" in text for n in range(1, len(device.backup_usage) + 1))
    assert text == early_text


async def test_findings_wait_for_details_off_the_ui_thread(
        make_app: Any, settle: Any, wait_until: Any, gate: Gate) -> None:
    from msp_tui.tui.screens.all_devices import FindingsScreen
    from msp_tui.tui.widgets.findings_view import FindingsView

    fresh = await _warm_cache(make_app, settle)
    app = _staged_app(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.dataset is not None and app.details_loading, "the cached dataset")
        dataset = app.dataset
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings view")
        view = app.screen.query_one(FindingsView)
        await wait_until(pilot, lambda: view.loading, "the loading indicator")
        await pilot.press("slash")  # the UI still answers keys while the records decode
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, FindingsScreen), "the main screen")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings view again")
        view = app.screen.query_one(FindingsView)
        assert view.loading and not dataset.devices_loaded
        gate.open()
        await wait_until(pilot, lambda: not view.loading, "the findings")
        assert list(view.findings) == list(fresh.findings)
        assert not any(gate.on_main_thread)
