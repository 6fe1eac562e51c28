"""Helpers for the reliability tests: a faulty in-process demo authority and a fast client.

Every test gets a fresh in-memory DemoAuthority (seeding takes a few milliseconds) carrying a
`FaultPlan`; the client talks to it through httpx's ASGI transport, with tiny timeouts and a
fake sleep that records the back-off it would have waited, so nothing here waits for real.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
from msp_tui.api import Code42Client, LocalAccount
from msp_tui.api.retry import RetryPolicy
from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority
from msp_tui.simulator.faults import FaultPlan

NORTHWIND = DEMO_ACCOUNTS[0]
TOKEN_PATHS = ("/api/v3/auth/jwt", "/api/v3/oauth/token", "/api/v3/loginconfiguration")
MAX_ATTEMPTS = 4


class FakeSleep:
    """Records the waits the client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def mutating_requests(authority: DemoAuthority) -> int:
    """Mutating requests the authority received (token fetches excluded)."""
    return sum(
        count
        for (method, path), count in authority.requests_seen.items()
        if method != "GET" and path.lower() not in TOKEN_PATHS
    )


def requests_to(authority: DemoAuthority, method: str, path: str) -> int:
    """How many `method path` requests the authority received (path compared case-insensitively)."""
    return sum(c for (m, p), c in authority.requests_seen.items() if m == method and p.lower() == path.lower())


FIXED_NOW = datetime(2025, 6, 2, 15, 0, 0, tzinfo=timezone.utc)


def make_authority(spec: str = "", seed: int = 1) -> DemoAuthority:
    """A fresh in-memory demo authority injecting `spec`, its clock frozen at FIXED_NOW."""
    return DemoAuthority(None, faults=FaultPlan.parse(spec, seed=seed), now=lambda: FIXED_NOW)


def make_client(
    authority: DemoAuthority,
    *,
    sleep: FakeSleep | None = None,
    page_size: int = 10,
    timeout: float = 0.05,
    read_only: bool = False,
    **kwargs: Any,
) -> Code42Client:
    """A Northwind client on `authority`, with small pages, tiny timeouts and a fake sleep."""
    return Code42Client(
        "http://demo-authority.invalid",
        LocalAccount(NORTHWIND.username, NORTHWIND.password),
        transport=httpx.ASGITransport(app=authority),
        timeout=timeout,
        page_size=page_size,
        read_only=read_only,
        retry=RetryPolicy(max_attempts=MAX_ATTEMPTS, seed=7),
        sleep=sleep or FakeSleep(),
        **kwargs,
    )
