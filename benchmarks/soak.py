"""Soak test: the dashboard headless against a faulty demo authority for a few minutes.

The app runs under Textual's `App.run_test` (no terminal) on an in-process demo authority
that injects a seeded random mix of every fault kind. The script presses `r` to refresh every
`--refresh-every` seconds and moves around the screens in between, watching the app's store:

- requests / faults injected by kind (counted by the authority),
- refreshes that completed and that failed, and whether every completed snapshot equals the
  fault-free one (partial snapshots must be 0: a refresh is all-or-nothing),
- stale periods (the last good data shown marked stale) and recoveries (back to fresh),
- crashes: an exception out of the app or a worker ("unexpected error"), which must be 0.

At the end the faults stop and the app must recover on its own refresh.

    .venv/bin/python benchmarks/soak.py                    # 120 s, default mix, seed 1
    .venv/bin/python benchmarks/soak.py --seconds 600 --seed 7 --faults "503:0.2,drop:0.1"
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from msp_tui import session  # noqa: E402
from msp_tui.config import AppSettings, Settings  # noqa: E402
from msp_tui.simulator import DemoAuthority  # noqa: E402
from msp_tui.simulator.faults import FaultPlan  # noqa: E402
from msp_tui.state import db  # noqa: E402
from msp_tui.tui.app import build_app  # noqa: E402

DEFAULT_MIX = ("500:0.02,503:0.03,429:0.03@retry-after=1,html:0.02,slow:0.01@seconds=5,drop:0.02,"
               "truncate:0.01,malformed:0.01,expire-token:0.01,repeat-page:0.03,skip-page:0.02")
NAV_KEYS = ["down", "down", "up", "pagedown", "pageup", "tab", "shift+tab", "enter", "escape", "home", "end"]
NOW = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)


def _ids(snapshot) -> tuple:  # type: ignore[no-untyped-def]
    return (tuple(sorted(o.org_id for o in snapshot.orgs)), tuple(sorted(u.user_id for u in snapshot.users)),
            tuple(sorted(d.computer_id for d in snapshot.devices)),
            tuple(sorted(str(r.archive_guid) for r in snapshot.cold_storage)))


async def soak(args: argparse.Namespace) -> dict[str, object]:
    plan = FaultPlan.parse(args.faults, seed=args.seed)
    plan.enabled = False
    authority = DemoAuthority(None, scale=args.scale, now=lambda: NOW, faults=plan)
    session.set_demo_authority(authority)
    rng = random.Random(args.seed)
    stats: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(app=AppSettings(timeout_seconds=args.timeout, page_size=args.page_size))
        app = build_app(settings, demo=True, now=NOW, conn=db.connect(Path(tmp) / "state.sqlite"))
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                store = app.store

                async def until(condition, limit: float) -> bool:  # type: ignore[no-untyped-def]
                    deadline = time.monotonic() + limit
                    while time.monotonic() < deadline:
                        if condition():
                            return True
                        await pilot.pause(0.05)
                    return False

                if not await until(lambda: store.dataset is not None and not store.from_cache
                                   and not store.refreshing, 60):
                    raise RuntimeError("the dashboard never loaded without faults")
                baseline = _ids(store.dataset.snapshot)
                plan.enabled = True
                started = time.monotonic()
                next_refresh = started
                seen_dataset, seen_error, was_stale = store.dataset, store.error, False
                stale_since = 0.0
                stale_seconds: list[float] = []
                while time.monotonic() - started < args.seconds:
                    now = time.monotonic()
                    if now >= next_refresh:
                        if not store.refreshing:
                            await pilot.press("r")
                            stats["refreshes asked"] += 1
                        next_refresh = now + args.refresh_every
                    else:
                        await pilot.press(rng.choice(NAV_KEYS))
                        stats["keys pressed"] += 1
                    await pilot.pause(0.05)
                    if store.dataset is not seen_dataset and store.dataset is not None:
                        seen_dataset = store.dataset
                        stats["refreshes completed"] += 1
                        if _ids(store.dataset.snapshot) != baseline:
                            stats["partial snapshots"] += 1
                    if store.error and store.error != seen_error:
                        stats["refreshes failed"] += 1
                        errors[store.error.split(":", 2)[1].strip()[:60] if ":" in store.error else store.error] += 1
                        if "unexpected error" in store.error:
                            stats["crashes"] += 1
                    seen_error = store.error
                    if store.stale and not was_stale:
                        stats["stale periods"] += 1
                        stale_since = time.monotonic()
                    if was_stale and not store.stale:
                        stats["recoveries"] += 1
                        stale_seconds.append(time.monotonic() - stale_since)
                    was_stale = store.stale
                plan.enabled = False
                await pilot.press("escape")
                await pilot.press("r")
                recovered = await until(lambda: not store.stale and store.error is None and not store.refreshing, 120)
                if was_stale and recovered:
                    stats["recoveries"] += 1
                    stale_seconds.append(time.monotonic() - stale_since)
                stats["recovered at the end"] = int(recovered)
                if store.dataset is not None and _ids(store.dataset.snapshot) != baseline:
                    stats["partial snapshots"] += 1
        except Exception as exc:  # noqa: BLE001 - that is exactly what the soak counts
            stats["crashes"] += 1
            print(f"CRASH: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            session.set_demo_authority(None)
            authority.close()
    return {
        "seconds": args.seconds, "seed": plan.seed, "requests": plan.requests,
        "faults": dict(sorted(authority.fault_stats.items())), "stats": stats, "errors": errors,
        "longest stale": max(stale_seconds, default=0.0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to run with faults (default 120)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault draws and key presses")
    parser.add_argument("--faults", default=DEFAULT_MIX, metavar="SPEC", help="fault SPEC (msp-tui demo-server --help)")
    parser.add_argument("--refresh-every", type=float, default=2.0, help="seconds between `r` presses")
    parser.add_argument("--timeout", type=float, default=0.5, help="client timeout in seconds")
    parser.add_argument("--page-size", type=int, default=25, help="items per page (small: more requests)")
    parser.add_argument("--scale", default="small", help="demo seed scale")
    args = parser.parse_args(argv)
    result = asyncio.run(soak(args))
    stats: Counter[str] = result["stats"]  # type: ignore[assignment]
    print(f"soak: {result['seconds']:.0f} s, seed {result['seed']}, page size {args.page_size}, "
          f"timeout {args.timeout} s")
    print(f"  requests to the authority   {result['requests']}")
    faults = result["faults"]
    print(f"  faults injected             {sum(faults.values())}  "  # type: ignore[union-attr]
          + ", ".join(f"{k}={v}" for k, v in faults.items()))  # type: ignore[union-attr]
    for key in ("refreshes asked", "refreshes completed", "refreshes failed", "partial snapshots",
                "stale periods", "recoveries", "recovered at the end", "crashes", "keys pressed"):
        print(f"  {key:<27} {stats.get(key, 0)}")
    print(f"  longest stale period        {result['longest stale']:.1f} s")
    for reason, count in result["errors"].most_common(8):  # type: ignore[union-attr]
        print(f"    failed: {count:>3} x {reason}")
    ok = stats.get("crashes", 0) == 0 and stats.get("partial snapshots", 0) == 0 and stats.get("recovered at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
