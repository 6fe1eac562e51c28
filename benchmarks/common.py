"""Shared helpers of the benchmark scripts: a demo server in a subprocess, timing, peak RSS, tables.

The demo authority runs in its **own process** (one uvicorn event loop, like a remote console),
so the client under test never shares a GIL with the server. Start one with

    with DemoServer(scale="large", latency_ms=50) as server:
        server.base_url

or by hand: `.venv/bin/python benchmarks/common.py serve --scale large --latency-ms 50`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# -- the demo server in a subprocess ----------------------------------------------------------


class DemoServer:
    """A DemoAuthority (in memory, freshly seeded) served by uvicorn in a child process."""

    def __init__(self, scale: str = "large", latency_ms: int = 0, *, gzip: bool | None = None) -> None:
        self.scale = scale
        self.latency_ms = latency_ms
        self.gzip = gzip
        self.base_url = ""
        self.seed_seconds = 0.0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> DemoServer:
        cmd = [sys.executable, str(Path(__file__).resolve()), "serve", "--scale", self.scale,
               "--latency-ms", str(self.latency_ms)]
        if self.gzip is not None:
            cmd += ["--gzip", "on" if self.gzip else "off"]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            if line.startswith("SEEDED "):
                self.seed_seconds = float(line.split()[1])
            if line.startswith("READY "):
                self.base_url = line.split()[1]
                return self
        raise RuntimeError(f"demo server ({self.scale}) did not start")

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        return proc_cpu_seconds(self.pid)

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from msp_tui.simulator import DemoAuthority
    from msp_tui.simulator.server import _Server, _config

    started = time.perf_counter()
    kwargs: dict[str, Any] = {"scale": args.scale, "latency_ms": args.latency_ms}
    if args.gzip is not None:
        kwargs["gzip"] = args.gzip == "on"
    authority = DemoAuthority(None, **kwargs)
    print(f"SEEDED {time.perf_counter() - started:.3f}", flush=True)

    def ready(url: str) -> None:
        print(f"READY {url}", flush=True)

    config: uvicorn.Config = _config(authority, "127.0.0.1", 0)
    try:
        _Server(config, ready).run()
    except KeyboardInterrupt:
        pass


# -- measuring ----------------------------------------------------------------------------------


def proc_cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident set size (VmHWM) of a process in MiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not available")


def rss_mb(pid: int | str = "self") -> float:
    """Current resident set size (VmRSS) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not available")


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed wall time in seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Runs `fn` `repeat` times; returns the best wall time and the last result."""
    times = []
    result = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def run_child(script: Path, *args: str, timeout: float = 900) -> dict[str, str]:
    """Runs `python script *args` and returns the `KEY=value` lines it printed (for RSS runs)."""
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    out = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            out[key] = value
    return out


# -- reporting ----------------------------------------------------------------------------------


@dataclass
class Table:
    """A plain-text table; `print()` it."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)

    def add(self, *row: Any) -> None:
        self.rows.append(row)

    def __str__(self) -> str:
        cells = [[str(h) for h in self.headers]] + [[_fmt(c) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.headers))]
        lines = [self.title, "-" * len(self.title)]
        for n, row in enumerate(cells):
            lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def ratio(value: float, baseline: float) -> str:
    """`0.27x` style ratio against a baseline measured in the same run."""
    return f"{value / baseline:.2f}x" if baseline > 0 else "n/a"


def machine() -> str:
    """One line describing where the figures were measured."""
    return (f"{os.cpu_count()} cores ({_cpu_model()}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark helpers")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="serve an in-memory demo authority (prints READY <url>)")
    serve.add_argument("--scale", default="large")
    serve.add_argument("--latency-ms", type=int, default=0)
    serve.add_argument("--gzip", choices=["on", "off"], default=None)
    args = parser.parse_args()
    if args.cmd == "serve":
        _serve(args)


if __name__ == "__main__":
    main()
