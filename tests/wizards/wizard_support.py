"""Helpers of the wizard tests: two demo accounts on one in-memory DemoAuthority, fault injection.

A module of its own (not conftest.py): test modules import these names, and `from conftest
import ...` picks whichever folder's conftest was imported last when folders run together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from msp_tui.api import Code42Client, LocalAccount
from msp_tui.api.retry import RetryPolicy
from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority
from msp_tui.state.db import connect
from msp_tui.state.journal import Journal

FIXED_NOW = datetime(2025, 6, 2, 15, 0, 0, tzinfo=timezone.utc)
BASE = "http://demo-authority.invalid"


async def _no_sleep(_: float) -> None:
    return None


class FaultTransport(httpx.AsyncBaseTransport):
    """Forwards to the authority; on the n-th mutating request (1-based) injects a fault.

    mode "after": the request reaches the server, then the answer is lost (httpx.ReadError).
    mode "before": the request never leaves (httpx.ConnectError), now and for every later request.
    mode "down-after": like "after", and every later request fails before sending (link down).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, fail_on: int | None = None, mode: str = "after") -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.mode = mode
        self.mutations = 0
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("link down", request=request)
        mutating = request.method != "GET" and not request.url.path.endswith("/oauth/token")
        if mutating:
            self.mutations += 1
        if mutating and self.fail_on is not None and self.mutations == self.fail_on:
            if self.mode == "before":
                self.down = True
                raise httpx.ConnectError("connection refused", request=request)
            response = await self.inner.handle_async_request(request)
            await response.aread()
            if self.mode == "down-after":
                self.down = True
            raise httpx.ReadError("connection reset while reading the answer", request=request)
        return await self.inner.handle_async_request(request)


def make_client(authority: DemoAuthority, index: int, transport: httpx.AsyncBaseTransport | None = None) -> Code42Client:
    account = DEMO_ACCOUNTS[index]
    return Code42Client(
        BASE, LocalAccount(account.username, account.password),
        transport=transport or httpx.ASGITransport(app=authority),
        retry=RetryPolicy(max_attempts=2, seed=1), sleep=_no_sleep,
    )


@dataclass
class Demo:
    """A fresh two-account demo authority and helpers."""

    authority: DemoAuthority
    tmp: Path

    def clients(self, fault: FaultTransport | None = None, *, fault_role: str | None = None) -> dict[str, Code42Client]:
        out = {}
        for role, index in (("source", 0), ("target", 1)):
            transport = None
            if fault is not None and (fault_role in (None, role)):
                transport = fault
            out[role] = make_client(self.authority, index, transport)
        return out

    def fault(self, fail_on: int | None = None, mode: str = "after") -> FaultTransport:
        return FaultTransport(httpx.ASGITransport(app=self.authority), fail_on, mode)

    def journal(self) -> Journal:
        """A fresh connection to the state db (like a new process)."""
        return Journal(connect(self.tmp / "state.sqlite"), now=lambda: FIXED_NOW)

    def state(self) -> dict[str, Any]:
        return end_state(self.authority)


def end_state(authority: DemoAuthority) -> dict[str, Any]:
    """Orgs, users and devices of both tenants, by names (no ids, no timestamps)."""
    store = authority.store
    orgs = store.orgs
    users = store.users
    return {
        "orgs": sorted((o["tenant"], o["name"], orgs[o["parent_id"]]["name"] if o["parent_id"] else None, o["active"])
                       for o in orgs.values()),
        "users": sorted((u["tenant"], u["username"], u["email"], orgs[u["org_id"]]["name"], u["active"])
                        for u in users.values()),
        "devices": sorted((users[d["user_id"]]["tenant"], users[d["user_id"]]["username"], d.get("hostname") or d.get("name"),
                           d["active"]) for d in store.devices.values()),
    }
