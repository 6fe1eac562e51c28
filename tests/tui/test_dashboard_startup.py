"""Start-up path tests: the warm cache is shown first, all-devices rows are built lazily but read
exactly as eager rows, and the demo authority is opened off the event loop."""

from __future__ import annotations

from typing import Any

from msp_tui import session
from msp_tui.api import ApiError
from msp_tui.tui.screens.all_devices import (
    AllDevicesScreen,
    all_device_rows,
    prebuild_haystacks,
)
from msp_tui.tui.widgets.customer_pane import device_row
from msp_tui.tui.widgets.virtual_table import VirtualTable


async def test_lazy_all_device_rows_read_like_eager_rows(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dataset = app.dataset
        rows = all_device_rows(dataset)
        assert len(rows) == len(dataset.snapshot.devices)
        assert all_device_rows(dataset) is rows  # memoised per dataset
        devices = dataset.health.facts.devices
        for row in rows:
            eager = device_row(dataset, row.position, customer=dataset.tree.line_name(devices[row.position].org_id))
            assert (row.key, row.cells, dict(row.values), row.haystack, row.style) == (
                eager.key, eager.cells, dict(eager.values), eager.haystack, eager.style)
        before = [row.haystack for row in rows]
        prebuild_haystacks(dataset)
        assert [row.haystack for row in rows] == before
        # Whole columns (what filter and sort read) equal the rows' own values, field by field.
        for name in rows[0].values:
            assert rows.field_values(name) == [row.values[name] for row in rows], name
        assert rows.field_values("no-such-field") is None


async def test_all_devices_view_filters_lazy_rows(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AllDevicesScreen)
        table = app.screen.query_one("#all-devices-table", VirtualTable)
        dataset = app.dataset
        assert table.row_count == len(dataset.snapshot.devices)
        await pilot.press("slash", *"health:critical")
        await wait_until(pilot, lambda: table.filter_text == "health:critical" and not table.is_computing,
                         "the filter")
        critical = {d.computer_id for d in dataset.health.with_health(type(dataset.health.device(
            table.visible_keys()[0]).health).CRITICAL)}
        assert set(table.visible_keys()) <= critical


async def test_warm_cache_is_shown_without_the_network(make_app: Any, settle: Any) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await settle(pilot)
        fresh = first.dataset
    app = make_app()

    async def offline() -> Any:
        raise ApiError("offline")

    app.signed_in_client = offline  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.dataset is not None and app.store.from_cache and app.store.stale
        cached = app.dataset.snapshot
        assert [d.computer_id for d in cached.devices] == [d.computer_id for d in fresh.snapshot.devices]
        assert cached.devices == fresh.snapshot.devices and cached.users == fresh.snapshot.users
        assert app.dataset.health.codes == fresh.health.codes


async def test_demo_authority_opens_off_the_event_loop(authority: Any, monkeypatch: Any) -> None:
    import threading

    session.set_demo_authority(None)
    threads: list[str] = []

    def fake_open(db_path: Any = None) -> Any:
        threads.append(threading.current_thread().name)
        session.set_demo_authority(authority)
        return authority

    monkeypatch.setattr(session, "demo_authority", fake_open)
    assert await session.open_demo_authority() is authority
    assert threads and threads[0] != threading.main_thread().name
    assert await session.open_demo_authority() is authority  # already open: no second thread
    assert len(threads) == 1


async def test_main_screen_fills_in_when_uncovered(make_app: Any, settle: Any, wait_until: Any) -> None:
    """Data that arrives while the all-devices view covers the main screen is shown there on
    return (not built behind the view on top, which it would only delay)."""
    from msp_tui.tui.screens.main import MainScreen
    from msp_tui.tui.widgets.org_tree import OrgTree

    import asyncio

    app = make_app()
    gate = asyncio.Event()
    sign_in = app.signed_in_client

    async def gated() -> Any:
        await gate.wait()
        return await sign_in()

    app.signed_in_client = gated  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        await pilot.press("a")  # before the first dataset is in
        assert app.dataset is None
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, AllDevicesScreen) and app.dataset is not None
        tree = main.query_one(OrgTree)
        assert tree.org_ids() == []  # not built while covered
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main and bool(tree.org_ids()), "the tree")
        assert tree.org_ids()[0] == app.dataset.tree.top.org_id
        assert set(tree.org_ids()) >= {o.org_id for o in app.dataset.tree.customers if o.is_active}
