"""Provides DemoAuthority: the simulated Code42 console as a plain ASGI application."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from msp_tui.files import keep_aside
from msp_tui.simulator import ops, routes_auth, routes_devices, routes_orgs, routes_users, seed
from msp_tui.simulator.accounts import DEMO_ACCOUNTS, DemoAccount
from msp_tui.simulator.context import Context
from msp_tui.simulator.faults import FaultPlan
from msp_tui.simulator.http import ApiError, Request, Response, Router
from msp_tui.simulator.store import Store
from msp_tui.simulator.wire import device_wire

log = logging.getLogger(__name__)


GZIP_MIN_BYTES = 1400
"""Bodies smaller than one packet are sent as they are."""


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DemoAuthority:
    """A simulated Code42/CrashPlan console for the demo accounts, persisted in SQLite.

    Args:
        db_path: SQLite file to persist state in; None keeps everything in memory.
        scale: "small" (the demo) or "large" (20,000 users / 60,000 devices) for seeding.
        reset: reseed even if `db_path` already holds state.
        latency_ms: delay before answering every request (WAN simulation).
        gzip: gzip-compress JSON bodies of at least GZIP_MIN_BYTES when the client sends
            `Accept-Encoding: gzip` (as py42 and httpx do), as a real console behind its load
            balancer does.
        now: clock returning a timezone-aware UTC datetime (injectable for tests).
        faults: faults to inject per request (see msp_tui.simulator.faults); None for none.

    A `db_path` that is not a usable database is moved aside (``<name>.corrupt-N``, never
    deleted) and a fresh seed is started; `warnings` says so.
    """

    def __init__(self, db_path: Path | None = None, *, scale: str = "small", reset: bool = False,
                 latency_ms: int = 0, now: Callable[[], datetime] | None = None,
                 faults: FaultPlan | None = None, gzip: bool = True) -> None:
        self.accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS
        self.latency_ms = latency_ms
        self.gzip = gzip
        self.scale = scale
        self.faults = faults
        self.requests_seen: Counter[tuple[str, str]] = Counter()
        """Requests received, by (method, path), faulty or not: for tests and reports."""
        self.warnings: list[str] = []
        self.seed_seconds: float | None = None
        self._now = now or _utc_now
        path = Path(db_path) if db_path is not None else None
        try:
            self._open(path, scale, reset)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            if path is None:
                raise
            kept = _keep_aside(path, getattr(self, "store", None))
            message = f"demo authority state {path} was unusable ({exc}); moved to {kept} and reseeded"
            log.warning(message)
            self.warnings.append(message)
            self._open(path, scale, True)

    def _open(self, path: Path | None, scale: str, reset: bool) -> None:
        self.store = Store(path)
        self.ctx = Context(self.store, self._now)
        if reset or not self.store.is_seeded():
            self._seed(scale)
        else:
            self.store.load()
        self.router = Router()
        for module in (routes_auth, routes_orgs, routes_users, routes_devices):
            module.register(self.router, self.ctx)

    def _seed(self, scale: str) -> None:
        started = time.perf_counter()
        data, meta = seed.build(scale)
        self.store.wipe()
        self.store.bulk_insert(data, {**meta, "scale": scale, "token_secret": secrets.token_hex(32)})
        self.seed_seconds = time.perf_counter() - started
        log.info("demo authority seeded (%s) in %.2fs", scale, self.seed_seconds)

    # ---- ASGI ----------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        """Serves one ASGI connection (http, plus lifespan for servers that send it)."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)
        request = Request.from_scope(scope, b"".join(chunks))
        self.requests_seen[(request.method, request.path)] += 1
        if self.faults is not None and await self.faults.intercept(request, self.handle, send):
            return
        response = self.handle(request)
        payload = response.encode()
        headers = [(b"content-type", b"application/json")]
        if self.gzip and len(payload) >= GZIP_MIN_BYTES and _accepts_gzip(request):
            payload = zlib.compress(payload, 1, wbits=31)
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        headers += [(b"content-length", str(len(payload)).encode()), *response.headers]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def handle(self, request: Request) -> Response:
        """Routes and answers one request; every mutation is committed before answering."""
        with self.store.lock:
            try:
                route, params = self.router.match(request.method, request.path)
                request.params = params
                if not route.public:
                    request.auth = self.ctx.verify(request)
                return route.handler(request)
            except ApiError as exc:
                return Response(exc.status, exc.body())
            except Exception:
                log.exception("demo authority failed on %s %s", request.method, request.path)
                return Response(500, [{"name": "SYSTEM", "description": "Internal server error"}])
            finally:
                self.store.flush()

    # ---- demo-only helpers ------------------------------------------------------------------
    def simulate_agent_signin(self, *, username: str, os_name: str, hostname: str) -> dict[str, Any]:
        """Simulates a fresh agent install signing in as `username` (any tenant).

        Creates an Active device with one backupUsage entry on "PROe Cloud, US" (its initial
        backup completes a few minutes later) and returns the device wire dict.
        """
        with self.store.lock:
            user = self.store.user_by_name.get(username.strip().lower())
            if user is None:
                raise KeyError(f"no demo user {username!r}")
            try:
                dev = ops.agent_signin(self.store, user, os_name, hostname, self.ctx.now())
            finally:
                self.store.flush()
            return device_wire(self.store, dev, self.ctx.now(), usage=True)

    @property
    def fault_stats(self) -> dict[str, int]:
        """Faults injected so far, by kind (empty without a fault plan)."""
        return dict(self.faults.stats) if self.faults is not None else {}

    def close(self) -> None:
        """Writes pending changes and closes the database."""
        self.store.close()


def _keep_aside(path: Path, store: Store | None) -> Path:
    """Closes the damaged store's database, then moves the file aside."""
    if store is not None:
        try:
            store.db.close()
        except sqlite3.Error:
            pass
    return keep_aside(path)
