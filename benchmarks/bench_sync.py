"""Benchmarks a full sync (orgs, users, devices with backup usage): msp-tui's client vs py42 1.29.1.

Run: `.venv/bin/python benchmarks/bench_sync.py` (about 3-4 minutes on 2 cores). Options:
`--scale large` (default) or x1/x2/x4 (the medium tenancy and its multiples), `--latency 50,0`
(ms added per request by the server), `--repeat N`, `--concurrency 2,4,8` (sweep msp-tui's
page concurrency), `--gzip on|off|both`, `--memory` (peak RSS and cache save/load, see below),
`--scaling` (figures 1 and 5 at x1, x2, x4).

The demo authority runs in its own process on loopback; each client runs in this process,
one after the other, against the same server. Figures are wall times and ratios against
py42's time in the same run:

- py42 fetched+parsed: `sdk.orgs.get_all()`, `sdk.users.get_all()`,
  `sdk.devices.get_all(include_backup_usage=True)`, every page iterated and its items
  collected as dicts (py42 always JSON-decodes each page to find the short one). py42's
  default page size (500) as a partner would script it; one extra row with 1000.
- msp-tui fetched: every page's body received (no JSON decoding), 1000 per page, pages after
  the first concurrently; fetched+parsed: `list_orgs/list_users/list_devices` gathered into
  pydantic models (the dashboard's path); fetch_snapshot adds cold storage and the snapshot.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DemoServer, Table, machine, peak_rss_mb, proc_cpu_seconds, ratio, run_child  # noqa: E402

from msp_tui.simulator import DEMO_ACCOUNTS  # noqa: E402

ACCOUNT = DEMO_ACCOUNTS[0]


# -- the two clients -------------------------------------------------------------------------


def py42_sync(base_url: str, page_size: int = 500) -> dict[str, int]:
    """The official SDK, as a partner script would use it."""
    import py42.sdk
    import py42.settings

    py42.settings.items_per_page = page_size
    sdk = py42.sdk.from_local_account(base_url, ACCOUNT.username, ACCOUNT.password)
    orgs = [o for page in sdk.orgs.get_all() for o in page["orgs"]]
    users = [u for page in sdk.users.get_all() for u in page["users"]]
    devices = [d for page in sdk.devices.get_all(include_backup_usage=True) for d in page["computers"]]
    return {"orgs": len(orgs), "users": len(users), "devices": len(devices)}


def _client(base_url: str, concurrency: int) -> Any:
    from msp_tui.api import Code42Client, LocalAccount

    return Code42Client(base_url, LocalAccount(ACCOUNT.username, ACCOUNT.password), page_size=1000,
                        max_concurrency=concurrency)


async def _ours_fetched(base_url: str, concurrency: int) -> dict[str, int]:
    """Transport only: the same page walk as get_all, bodies received but not decoded."""
    async with _client(base_url, concurrency) as client:
        await client.sign_in()

        async def walk(path: str, key: str, params: dict[str, Any]) -> int:
            first = await client.request("GET", path, params={**params, "pgNum": 1, "pgSize": 1000})
            total = first["totalCount"]
            pages = await asyncio.gather(*(client._get_page(path, params, n) for n in range(2, -(-total // 1000) + 1)))
            assert all(page.content for page in pages)
            return total

        sizes = await asyncio.gather(
            walk("/api/v1/Org", "orgs", {}),
            walk("/api/v1/User", "users", {}),
            walk("/api/v1/Computer", "computers", {"incBackupUsage": True, "incCounts": True}),
        )
    return {"orgs": sizes[0], "users": sizes[1], "devices": sizes[2]}


async def _ours_parsed(base_url: str, concurrency: int) -> dict[str, int]:
    async with _client(base_url, concurrency) as client:
        await client.sign_in()
        orgs, users, devices = await asyncio.gather(
            client.list_orgs(), client.list_users(), client.list_devices(backup_usage=True)
        )
    return {"orgs": len(orgs), "users": len(users), "devices": len(devices)}


async def _ours_snapshot(base_url: str, concurrency: int) -> dict[str, int]:
    from msp_tui.api import fetch_snapshot

    async with _client(base_url, concurrency) as client:
        snap = await fetch_snapshot(client, "bench")
    return {"orgs": len(snap.orgs), "users": len(snap.users), "devices": len(snap.devices)}


def ours(kind: str, base_url: str, concurrency: int) -> dict[str, int]:
    fn = {"fetched": _ours_fetched, "parsed": _ours_parsed, "snapshot": _ours_snapshot}[kind]
    return asyncio.run(fn(base_url, concurrency))


def timed(fn: Any, *args: Any, repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - started)
    return best, result


# -- figure 1/2: one server, both clients --------------------------------------------------------


def sync_table(scale: str, latency: int, concurrency: list[int], repeat: int, gzip: bool | None,
               py42_1000: bool = True) -> tuple[Table, dict[str, float]]:
    label = {None: "default", True: "gzip on", False: "gzip off"}[gzip]
    table = Table(f"Full sync, scale {scale}, +{latency} ms per request, server {label}",
                  ["client", "requests", "seconds", "vs py42", "client CPU s", "server CPU s"])
    figures: dict[str, float] = {}
    with DemoServer(scale, latency, gzip=gzip) as server:
        url = server.base_url
        # warm both paths once (imports, first connection), not timed
        ours("parsed", url, concurrency[0])

        def measure(name: str, fn: Any, *args: Any) -> tuple[float, Any, tuple[float, float]]:
            cpu, mine = server.cpu_seconds(), proc_cpu_seconds()
            seconds, counts = timed(fn, *args, repeat=repeat)
            figures[name] = seconds
            used = ((proc_cpu_seconds() - mine) / repeat, (server.cpu_seconds() - cpu) / repeat)
            return seconds, counts, used

        base, counts, cpu = measure("py42", py42_sync, url, 500)
        pages = sum(n // 500 + 1 for n in counts.values())
        table.add("py42 1.29.1 get_all (500/page), fetched+parsed", pages, base, "1.00x", *cpu)
        if py42_1000:
            secs, counts, cpu = measure("py42_1000", py42_sync, url, 1000)
            table.add("py42 1.29.1 get_all (1000/page)", sum(n // 1000 + 1 for n in counts.values()),
                      secs, ratio(secs, base), *cpu)
        for conc in concurrency:
            ours_pages = sum(-(-n // 1000) for n in counts.values())
            secs, _, cpu = measure(f"fetched_c{conc}", ours, "fetched", url, conc)
            table.add(f"msp-tui fetched (1000/page, concurrency {conc})", ours_pages, secs, ratio(secs, base), *cpu)
            secs, _, cpu = measure(f"parsed_c{conc}", ours, "parsed", url, conc)
            table.add(f"msp-tui fetched+parsed (models, concurrency {conc})", ours_pages, secs,
                      ratio(secs, base), *cpu)
        secs, snap_counts, cpu = measure("snapshot", ours, "snapshot", url, concurrency[0])
        table.add(f"msp-tui fetch_snapshot (+cold storage, concurrency {concurrency[0]})", "",
                  secs, ratio(secs, base), *cpu)
        assert snap_counts == counts, (snap_counts, counts)
    table.title += f"  [{counts['orgs']} orgs, {counts['users']} users, {counts['devices']} devices]"
    return table, figures


# -- figure 5: memory and the warm-start cache ----------------------------------------------------


def memory_child(base_url: str) -> None:
    """Child process: sync into an AccountSnapshot, report peak RSS and cache save/load times."""
    import sqlite3
    import tempfile

    from msp_tui.state.cache import SnapshotCache
    from msp_tui.state.db import connect

    before = peak_rss_mb()
    started = time.perf_counter()
    snap = asyncio.run(_snapshot(base_url))
    print(f"sync_s={time.perf_counter() - started:.3f}")
    gc.collect()
    print(f"baseline_mb={before:.1f}")
    print(f"peak_after_sync_mb={peak_rss_mb():.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "state.sqlite")
        cache = SnapshotCache(conn)
        started = time.perf_counter()
        cache.save(snap)
        conn.commit() if isinstance(conn, sqlite3.Connection) and conn.in_transaction else None
        print(f"save_s={time.perf_counter() - started:.3f}")
        print(f"cache_bytes={sum(len(b or b'') for b in conn.execute('SELECT orgs, users, devices, cold_storage FROM snapshots').fetchone())}")
        del snap
        gc.collect()
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            loaded = cache.load("bench")
            loads.append(time.perf_counter() - started)
            assert loaded is not None
            del loaded
            gc.collect()
        print(f"load_s={min(loads):.3f}")
    print(f"peak_mb={peak_rss_mb():.1f}")


async def _snapshot(base_url: str) -> Any:
    from msp_tui.api import fetch_snapshot

    async with _client(base_url, 4) as client:
        return await fetch_snapshot(client, "bench")


def load_child(db: str) -> None:
    """Child process: only load the cached snapshot (the warm-start path), report time and RSS."""
    from msp_tui.state.cache import SnapshotCache
    from msp_tui.state.db import connect

    before = peak_rss_mb()
    started = time.perf_counter()
    snap = SnapshotCache(connect(Path(db))).load("bench")
    print(f"load_s={time.perf_counter() - started:.3f}")
    assert snap is not None
    print(f"devices={len(snap.devices)}")
    print(f"baseline_mb={before:.1f}")
    print(f"peak_mb={peak_rss_mb():.1f}")


def memory_table(scales: list[str]) -> Table:
    table = Table("Snapshot memory and warm-start cache (fresh process per scale)",
                  ["scale", "devices", "sync s", "peak RSS MB", "of which imports", "cache MB",
                   "save s", "load s"])
    for scale in scales:
        with DemoServer(scale, 0) as server:
            out = run_child(Path(__file__), "--child-memory", server.base_url)
        table.add(scale, _devices_of(scale), float(out["sync_s"]), float(out["peak_mb"]),
                  float(out["baseline_mb"]), int(out["cache_bytes"]) / 2**20, float(out["save_s"]),
                  float(out["load_s"]))
    return table


def _devices_of(scale: str) -> str:
    return {"large": "60,000", "x1": "15,000", "x2": "30,000", "x4": "60,000", "small": "~150"}.get(scale, "?")


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--latency", default="50,0", help="comma-separated ms per request")
    parser.add_argument("--concurrency", default="", help="comma-separated; default: the client default")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--gzip", choices=["on", "off", "both", "default"], default="default")
    parser.add_argument("--memory", action="store_true", help="only the memory/cache table")
    parser.add_argument("--scaling", action="store_true", help="figures 1 and 5 at x1, x2, x4")
    parser.add_argument("--no-py42-1000", action="store_true")
    parser.add_argument("--child-memory", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        memory_child(args.child_memory)
        return
    from msp_tui.config import AppSettings

    default_conc = AppSettings().max_concurrency
    concurrency = [int(c) for c in args.concurrency.split(",") if c] or [default_conc]
    gzips: list[bool | None] = {"on": [True], "off": [False], "both": [False, True], "default": [None]}[args.gzip]
    print(f"Machine: {machine()}")
    print(f"msp-tui max_concurrency default: {default_conc}\n")
    if args.memory:
        print(memory_table([args.scale]))
        return
    if args.scaling:
        scaling = Table("Scaling: full sync at +50 ms per request, and snapshot memory",
                        ["scale", "devices", "py42 s", "msp-tui s", "vs py42", "msp-tui s / device x 1e6"])
        for scale in ("x1", "x2", "x4"):
            table, figs = sync_table(scale, 50, concurrency, args.repeat, None, py42_1000=False)
            print(table, "\n", flush=True)
            ours_s = figs[f"parsed_c{concurrency[0]}"]
            n = int(_devices_of(scale).replace(",", ""))
            scaling.add(scale, _devices_of(scale), figs["py42"], ours_s, ratio(ours_s, figs["py42"]),
                        ours_s / n * 1e6)
        print(scaling, "\n")
        print(memory_table(["x1", "x2", "x4"]))
        return
    for latency in (int(x) for x in args.latency.split(",")):
        for gz in gzips:
            table, _ = sync_table(args.scale, latency, concurrency, args.repeat, gz,
                                  py42_1000=not args.no_py42_1000)
            print(table, "\n", flush=True)


if __name__ == "__main__":
    main()
