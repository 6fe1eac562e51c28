"""Dashboard benchmarks: issue 6 figures 3-7, one run, ratios against baselines of the same run.

    .venv/bin/python benchmarks/bench_dashboard.py            # large tenancy + scaling, ~5 min
    .venv/bin/python benchmarks/bench_dashboard.py --quick    # x1 tenancy, no scaling, ~1.5 min
    .venv/bin/python benchmarks/bench_dashboard.py --before /tmp/old   # + figures 3-5 of another
        # checkout (e.g. `git archive <commit> | tar -x -C /tmp/old`), same run, its own cache

3. Launch -> first full paint from a warm cache, all-devices view. A fresh process per
   measurement; the clock starts in the parent just before it spawns the child (so interpreter
   start and imports count). The child runs the real `MspApp` headless at 120x40, presses `a` as
   soon as the first screen is up, and stops the clock when the all-devices table holds the
   cached rows *and* has rendered them (its line cache is filled by the compositor). The
   profile points at an unreachable console, so nothing but the cache is measured. Children
   import from cached bytecode like an installed app (a temp PYTHONPYCACHEPREFIX, warmed by one
   unmeasured launch; `--no-pyc` compiles from source when PYTHONDONTWRITEBYTECODE is set).
   `--before DIR` runs the same harness on another checkout's code, same run. Baseline: a
   stock Textual `DataTable` app that loads the same cache in a thread and `add_rows` the same
   display cells of every device, clocked the same way.
4. Filter keystrokes on the all-devices view (after the start-up workers finished): time from
   the key press to the repaint with the new view, median over the keystrokes of a few filters.
5. Peak RSS (VmHWM) of that same fresh process: the large tenancy loaded in the dashboard,
   all-devices view shown and filtered.
6. Idle: the real app in a pty (TERM=xterm-256color, 120x40) against a demo console in another
   process; after its refresh finished and the output settled, bytes read from the pty in 30 s.
7. Figures 3 and 5 at x1, x2, x4 (15,000 / 30,000 / 60,000 devices).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, DemoServer, Table, machine, peak_rss_mb, ratio, run_child  # noqa: E402

UNREACHABLE = "http://127.0.0.1:9"
PROFILE = "bench"
DEVICES = {"x1": 15_000, "x2": 30_000, "x4": 60_000, "large": 60_000, "small": 150}


# -- the warm cache ------------------------------------------------------------------------------


def make_cache(scale: str, path: Path) -> int:
    """Seeds an in-memory demo authority, fetches the Northwind account, caches it as `bench`."""
    import httpx

    from msp_tui.api import Code42Client, LocalAccount, fetch_snapshot
    from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority
    from msp_tui.state.cache import SnapshotCache
    from msp_tui.state.db import connect

    authority = DemoAuthority(None, scale=scale)
    account = DEMO_ACCOUNTS[0]

    async def fetch() -> Any:
        client = Code42Client("http://demo.invalid", LocalAccount(account.username, account.password, None),
                              transport=httpx.ASGITransport(app=authority))
        async with client:
            await client.sign_in()
            return await fetch_snapshot(client, PROFILE)

    snapshot = asyncio.run(fetch())
    conn = connect(path)
    SnapshotCache(conn).save(snapshot)
    conn.close()
    authority.close()
    return len(snapshot.devices)


DEMO_USERNAME = "admin@northwind-msp.example"
"""The first demo account's username (`DEMO_ACCOUNTS[0]`, checked when signing in)."""


def _app(db: str, url: str) -> Any:
    from msp_tui.config import Profile, Settings
    from msp_tui.state.db import connect
    from msp_tui.tui.app import build_app

    def credentials(profile: Any, totp: Any) -> Any:
        # Imported at sign-in (after the first paint), as the CLI does: the simulator pulls in
        # uvicorn and the API client, which a real launch does not import before painting.
        from msp_tui.api import LocalAccount
        from msp_tui.simulator import DEMO_ACCOUNTS

        account = DEMO_ACCOUNTS[0]
        assert account.username == DEMO_USERNAME
        return LocalAccount(account.username, account.password, totp)

    settings = Settings(profiles={PROFILE: Profile(name=PROFILE, url=url, username=DEMO_USERNAME)})
    return build_app(settings, profile_name=PROFILE, conn=connect(Path(db)), credentials=credentials)


# -- figures 3, 4, 5: one fresh process ----------------------------------------------------------


def child_start(db: str, t0: float, keys: bool) -> None:
    """Fresh process: launch -> full paint of the all-devices view; then filter keystrokes; RSS."""
    app = _app(db, UNREACHABLE)

    async def run() -> None:
        from msp_tui.tui.screens.all_devices import AllDevicesScreen
        from msp_tui.tui.widgets.virtual_table import VirtualTable

        async with app.run_test(size=(120, 40)) as pilot:
            displays: list[float] = []
            shown = app._display

            def display(screen: Any, renderable: Any) -> None:
                if renderable is not None:
                    displays.append(time.perf_counter())
                shown(screen, renderable)

            app._display = display  # type: ignore[method-assign]
            press(app, "a")  # no wait-for-idle: that would wait for the start-up workers
            table = None
            while True:
                screen = app.screen
                if isinstance(screen, AllDevicesScreen) and screen.is_mounted:
                    table = screen.query_one("#all-devices-table", VirtualTable)
                    if table.row_count and table._line_cache:  # rows in *and* drawn
                        break
                await asyncio.sleep(0.002)
            paint = time.time() - t0
            print(f"paint_s={paint:.3f}")
            print(f"rows={table.row_count}")
            first = table._row_set.rows[table._view[0]]
            print(f"first_row_on_screen={str(first.cells[1])[:20] in app.export_screenshot()}")
            if keys:
                await app.workers.wait_for_complete()
                await pilot.pause()
                print(f"settled_s={time.time() - t0:.3f}")
                times = []
                typed: list[str] = []
                await pilot.press("slash")
                await pilot.pause()
                for text in ("crit", "health:critical", "win", "age>30", "status:deauthorized", ""):
                    for key in _keys_between(table.filter_text, text):
                        expected = _typed(table.filter_text, key)
                        started = time.perf_counter()
                        press(app, key)
                        while table.filter_text != expected or table.is_computing:
                            await asyncio.sleep(0.0005)
                        applied = len(displays)
                        while len(displays) == applied:  # the repaint that shows the new view
                            await asyncio.sleep(0.0005)
                        times.append(displays[-1] - started)
                        typed.append(expected)
                        await pilot.pause()
                print(f"key_median_ms={statistics.median(times) * 1000:.1f}")
                print(f"key_p90_ms={sorted(times)[int(len(times) * 0.9)] * 1000:.1f}")
                print(f"key_max_ms={max(times) * 1000:.1f}")
                print(f"keys={len(times)}")
                slowest = sorted(zip(times, typed), reverse=True)[:3]
                print("key_slowest=" + ", ".join(f"{t * 1000:.0f} ms at {text!r}" for t, text in slowest))
            print(f"peak_mb={peak_rss_mb():.1f}")
            app.exit()

    asyncio.run(run())


def _keys_between(current: str, target: str) -> list[str]:
    return ["backspace"] * len(current) + list(target)


def _typed(current: str, key: str) -> str:
    return current[:-1] if key == "backspace" else current + key


def press(app: Any, key: str) -> None:
    """Sends one key as the terminal driver would (Pilot.press also waits for idle)."""
    from textual import events

    name = {">": "greater_than_sign", ":": "colon", " ": "space"}.get(key, key)
    char = None if key == "backspace" else key
    event = events.Key(name, char)
    event.set_sender(app)
    app._driver.send_message(event)


def child_main(db: str, t0: float) -> None:
    """Fresh process: launch -> the default view (main screen) painted with the whole org tree."""
    app = _app(db, UNREACHABLE)

    async def run() -> None:
        from msp_tui.tui.widgets.org_tree import OrgTree

        async with app.run_test(size=(120, 40)) as pilot:
            tree = app.screen.query_one(OrgTree)
            while not tree.org_ids():
                await asyncio.sleep(0.002)
            await pilot.pause()  # the paint of the filled tree
            print(f"paint_s={time.time() - t0:.3f}")
            print(f"orgs={len(tree.org_ids())}")
            app.exit()

    asyncio.run(run())


def child_datatable(db: str, t0: float) -> None:
    """Fresh process: the same cache into a stock DataTable (all devices, same cells)."""
    from datetime import datetime, timezone

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from msp_tui.config import Settings
    from msp_tui.state.cache import SnapshotCache
    from msp_tui.state.db import connect
    from msp_tui.tui.dataset import build_dataset
    from msp_tui.tui.screens.all_devices import ALL_DEVICE_COLUMNS, all_device_rows

    done: list[float] = []

    class Stock(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(id="t")

        def on_mount(self) -> None:
            self.run_worker(self.load, thread=True)

        def load(self) -> None:
            snapshot = SnapshotCache(connect(Path(db))).load(PROFILE)
            dataset = build_dataset(snapshot, Settings().policy(), datetime.now(timezone.utc))
            cells = [row.cells for row in all_device_rows(dataset)]
            self.call_from_thread(self.fill, cells)

        def fill(self, cells: list[Any]) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(c.label for c in ALL_DEVICE_COLUMNS))
            table.add_rows(cells)
            self.call_after_refresh(lambda: done.append(time.time()))

    async def run() -> None:
        app = Stock()
        async with app.run_test(size=(120, 40)) as pilot:
            while not done:
                await asyncio.sleep(0.005)
            await pilot.pause()
            print(f"paint_s={done[0] - t0:.3f}")
            print(f"peak_mb={peak_rss_mb():.1f}")

    asyncio.run(run())


def spawn(*args: str, tree: Path | None = None) -> dict[str, str]:
    """Runs a child of this script (with another checkout's `msp_tui` when `tree` is given: the
    same harness measures both)."""
    extra = ("--root", str(tree)) if tree is not None else ()
    t0 = time.time()
    return run_child(Path(__file__), *extra, *args, str(t0))


def make_cache_in(tree: Path, scale: str, path: Path) -> None:
    """`make_cache` with another checkout's code (its cache format may differ from ours)."""
    code = (f"import sys; sys.path[:0] = [{str(tree)!r}, {str(tree / 'benchmarks')!r}]; "
            f"from pathlib import Path; from bench_dashboard import make_cache; "
            f"make_cache({scale!r}, Path({str(path)!r}))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tree, capture_output=True)


# -- figure 6: idle bytes in a pty ---------------------------------------------------------------


def child_run(db: str, url: str, marker: str) -> None:
    """The real app on the terminal; touches `marker` once its refresh has finished."""
    app = _app(db, url)

    def check() -> None:
        store = app.store
        if store.dataset is not None and not store.refreshing and not store.from_cache:
            Path(marker).touch()
            timer.stop()

    async def start() -> None:
        nonlocal timer
        timer = app.set_interval(0.5, check)

    timer: Any = None
    app.call_later(start)
    app.run()


def idle_bytes(db: Path, url: str, window: float) -> tuple[int, float]:
    import fcntl
    import pty
    import struct
    import termios

    marker = db.with_suffix(".refreshed")
    marker.unlink(missing_ok=True)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("COLORTERM", None)
    pid, fd = pty.fork()
    if pid == 0:  # child: the slave is our stdin/stdout
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, str(Path(__file__)), "--child-run", str(db), url,
                                   str(marker)], env)
    started = time.time()

    def drain(seconds: float) -> int:
        total, end = 0, time.time() + seconds
        while (left := end - time.time()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    total += len(os.read(fd, 65536))
                except OSError:
                    break
        return total

    try:
        drain(1.5)
        os.write(fd, b"a")
        while not marker.exists() and time.time() - started < 300:
            drain(0.5)
        while drain(3.0):  # settle: 3 s without output
            pass
        count = drain(window)
        os.write(fd, b"q")
        drain(1.0)
    finally:
        try:
            os.waitpid(pid, os.WNOHANG) == (0, 0) and os.kill(pid, 15)
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    return count, time.time() - started


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="x1 tenancy, no scaling, 10 s idle window")
    parser.add_argument("--scale", default=None, help="tenancy for figures 3-6 (default x4 = large)")
    parser.add_argument("--no-idle", action="store_true", help="skip figure 6")
    parser.add_argument("--no-pyc", action="store_true",
                        help="launch children as the environment says (no bytecode cache if "
                             "PYTHONDONTWRITEBYTECODE is set): every launch compiles from source")
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout of msp-tui: figures 3-5 of its dashboard in the same run")
    parser.add_argument("--launches", type=int, default=5,
                        help="launches of figure 3 (the median is reported; default 5)")
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-start", nargs=3, metavar=("DB", "KEYS", "T0"), help=argparse.SUPPRESS)
    parser.add_argument("--child-datatable", nargs=2, metavar=("DB", "T0"), help=argparse.SUPPRESS)
    parser.add_argument("--child-main", nargs=2, metavar=("DB", "T0"), help=argparse.SUPPRESS)
    parser.add_argument("--child-run", nargs=3, metavar=("DB", "URL", "MARKER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.root is not None:
        sys.path.insert(0, str(args.root))  # that checkout's msp_tui, this harness
    if args.child_start:
        child_start(args.child_start[0], float(args.child_start[2]), args.child_start[1] == "1")
        return
    if args.child_datatable:
        child_datatable(args.child_datatable[0], float(args.child_datatable[1]))
        return
    if args.child_main:
        child_main(args.child_main[0], float(args.child_main[1]))
        return
    if args.child_run:
        child_run(*args.child_run)
        return

    scale = args.scale or ("x1" if args.quick else "x4")
    window = 10.0 if args.quick else 30.0
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_pyc:
            # Children import from cached bytecode, as an installed msp-tui does (pip compiles
            # it): with PYTHONDONTWRITEBYTECODE=1 and no __pycache__ every launch would compile
            # ~100 modules from source (~0.2 s). The cache lives in `tmp`, warmed below.
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        caches: dict[str, Path] = {}

        def cache_for(s: str) -> Path:
            if s not in caches:
                path = Path(tmp) / f"state-{s}.sqlite"
                started = time.perf_counter()
                n = make_cache(s, path)
                print(f"(warm cache {s}: {n} devices, {time.perf_counter() - started:.1f} s to seed+fetch)",
                      flush=True)
                caches[s] = path
            return caches[s]

        db = cache_for(scale)
        before = None
        if args.before is not None:
            old_db = Path(tmp) / f"before-{scale}.sqlite"
            make_cache_in(args.before.resolve(), scale, old_db)
            spawn("--child-start", str(old_db), "0", tree=args.before.resolve())  # warm-up
            before = spawn("--child-start", str(old_db), "1", tree=args.before.resolve())
        spawn("--child-start", str(db), "0")  # warm-up: bytecode and page cache, not measured
        ours = spawn("--child-start", str(db), "1")
        # Figure 3 is the median of several launches (one launch varies by +-0.2 s on a VM).
        paints = sorted([float(ours["paint_s"])] + [
            float(spawn("--child-start", str(db), "0")["paint_s"]) for _ in range(args.launches - 1)])
        ours["paint_s"] = f"{statistics.median(paints):.3f}"
        stock = spawn("--child-datatable", str(db))
        mains = sorted(float(spawn("--child-main", str(db))["paint_s"]) for _ in range(args.launches))
        t3 = Table(f"Figure 3: launch -> first full paint, warm cache, all-devices view ({scale}, "
                   f"{DEVICES.get(scale, '?')} devices)", ["app", "seconds", "vs stock DataTable", "peak RSS MB"])
        t3.add("stock Textual DataTable, same rows", float(stock["paint_s"]), "1.00x", float(stock["peak_mb"]))
        if before is not None:
            t3.add(f"msp-tui dashboard, before ({args.before})", float(before["paint_s"]),
                   f"{float(stock['paint_s']) / float(before['paint_s']):.1f}x faster", float(before["peak_mb"]))
        t3.add("msp-tui dashboard", float(ours["paint_s"]),
               f"{float(stock['paint_s']) / float(ours['paint_s']):.1f}x faster", float(ours["peak_mb"]))
        print(t3, f"\n(median of {len(paints)} launches: {', '.join(f'{p:.3f}' for p in paints)} s)"
                  f"\n(default view, the main screen with its whole org tree: median "
                  f"{statistics.median(mains):.3f} s of {', '.join(f'{p:.3f}' for p in mains)} s)"
                  f"\n(rows shown: {ours['rows']}; first row's device name on screen: "
                  f"{ours['first_row_on_screen']}; every start-up worker done, device details "
                  f"included, at {ours['settled_s']} s"
                  + (f", before: {before['settled_s']} s" if before is not None else "") + ")\n", flush=True)
        t4 = Table(f"Figure 4: filter keystrokes on the all-devices view ({ours['rows']} rows)",
                   ["keystrokes", "median ms", "p90 ms", "max ms"])
        if before is not None:
            t4 = Table(f"Figure 4: filter keystrokes on the all-devices view ({ours['rows']} rows)",
                       ["app", "keystrokes", "median ms", "p90 ms", "max ms"])
            t4.add("before", int(before["keys"]), float(before["key_median_ms"]), float(before["key_p90_ms"]),
                   float(before["key_max_ms"]))
            t4.add("now", int(ours["keys"]), float(ours["key_median_ms"]), float(ours["key_p90_ms"]),
                   float(ours["key_max_ms"]))
        else:
            t4.add(int(ours["keys"]), float(ours["key_median_ms"]), float(ours["key_p90_ms"]),
                   float(ours["key_max_ms"]))
        print(t4, "\n", flush=True)
        t5 = Table("Figure 5: peak RSS, tenancy loaded in the dashboard (fresh process)",
                   ["scale", "devices", "peak RSS MB"])
        if before is not None:
            t5 = Table("Figure 5: peak RSS, tenancy loaded in the dashboard (fresh process)",
                       ["app", "scale", "devices", "peak RSS MB"])
            t5.add("before", scale, DEVICES.get(scale, "?"), float(before["peak_mb"]))
            t5.add("now", scale, DEVICES.get(scale, "?"), float(ours["peak_mb"]))
        else:
            t5.add(scale, DEVICES.get(scale, "?"), float(ours["peak_mb"]))
        print(t5, "\n", flush=True)
        if not args.no_idle:
            with DemoServer(scale if scale != "x4" else "large", 0) as server:
                count, took = idle_bytes(db, server.base_url, window)
            t6 = Table("Figure 6: idle bytes written to the terminal (pty, xterm-256color, 120x40, "
                       "all-devices view, after the refresh)", ["window s", "bytes"])
            t6.add(window, count)
            print(t6, f"\n(run took {took:.0f} s)\n", flush=True)
        if not args.quick:
            t7 = Table("Figure 7: scaling of figures 3 and 5 (fresh process each)",
                       ["scale", "devices", "launch->paint s", "vs x1", "peak RSS MB", "vs x1"])
            base: dict[str, float] = {}
            for s in ("x1", "x2", "x4"):
                # Each scale runs the same session as figure 3-5 (details loaded, filters typed), so
                # launch times and peaks compare across the rows.
                out = ours if s == scale else spawn("--child-start", str(cache_for(s)), "1")
                paint, peak = float(out["paint_s"]), float(out["peak_mb"])
                base.setdefault("paint", paint)
                base.setdefault("peak", peak)
                t7.add(s, DEVICES[s], paint, ratio(paint, base["paint"]), peak, ratio(peak, base["peak"]))
            print(t7, flush=True)


if __name__ == "__main__":
    main()
