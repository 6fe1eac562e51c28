"""Provides the embedded demo authority: a simulated Code42/CrashPlan console.

It serves the part of the Code42 REST API the dashboard and py42 use, for two demo
partner accounts (tenants), with deterministic seed data persisted in SQLite. Use it
in-process through `httpx.ASGITransport(app=DemoAuthority())`, or over real HTTP with
`start_in_thread` (tests) or `serve` (`msp-tui demo-server`).
"""

from __future__ import annotations

from msp_tui.simulator.accounts import DEMO_ACCOUNTS, DEMO_TOTP_CODE, DemoAccount
from msp_tui.simulator.app import DemoAuthority
from msp_tui.simulator.server import RunningServer, serve, start_in_thread

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_TOTP_CODE",
    "DemoAccount",
    "DemoAuthority",
    "RunningServer",
    "serve",
    "start_in_thread",
]
