"""Provides serving a DemoAuthority over real HTTP with uvicorn (blocking or in a thread)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from msp_tui.simulator.app import DemoAuthority
from msp_tui.simulator.faults import DroppedConnection


class _HideInjectedDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for every injected `drop` fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())


class _Server(uvicorn.Server):
    """A uvicorn server that reports its bound address once it listens."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None] | None = None) -> None:
        super().__init__(config)
        self.on_ready = on_ready
        self.base_url: str | None = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.servers and self.servers[0].sockets:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self.base_url = f"http://{host}:{port}"
            if self.on_ready is not None:
                self.on_ready(self.base_url)


def _config(authority: DemoAuthority, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(authority, host=host, port=port, log_level="warning", lifespan="off",
                          access_log=False, timeout_graceful_shutdown=2)


@dataclass
class RunningServer:
    """A DemoAuthority served by uvicorn in a background thread."""

    base_url: str
    authority: DemoAuthority
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stops the server and waits for its thread (the authority stays open)."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(authority: DemoAuthority, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Starts uvicorn in a daemon thread and returns once the server answers HTTP."""
    server = _Server(_config(authority, host, port))
    thread = threading.Thread(target=server.run, name="demo-authority", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while server.base_url is None:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"demo authority did not start on {host}:{port}")
        time.sleep(0.01)
    running = RunningServer(server.base_url, authority, server, thread)
    while True:
        try:
            if httpx.get(f"{server.base_url}/api/demo/health", timeout=2).status_code == 200:
                return running
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            running.stop()
            raise RuntimeError("demo authority started but does not answer")
        time.sleep(0.02)


def serve(authority: DemoAuthority, host: str = "127.0.0.1", port: int = 8042,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serves the authority in the foreground until interrupted (for `msp-tui demo-server`).

    `on_ready(base_url)` is called once the socket listens, on the server's event loop: it
    must return quickly and must not make blocking requests to the server itself. Ctrl-C
    (SIGINT) or SIGTERM stops the server gracefully and returns normally.
    """
    try:
        _Server(_config(authority, host, port), on_ready).run()
    except KeyboardInterrupt:
        pass
