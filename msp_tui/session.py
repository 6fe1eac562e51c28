"""Provides how a profile becomes a signed-in API client.

Configured profiles talk to their console over HTTPS; with none configured, msp-tui runs
on the embedded demo authority, one demo profile per seeded partner account, served
in-process through httpx's ASGI transport (no port, no second process).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from msp_tui import paths
from msp_tui.config import DEMO_URL, ConfigError, Profile, Settings
from msp_tui.secrets import SecretStore, env_name

if TYPE_CHECKING:  # the API client (httpx, ~0.2 s of imports) loads when first used, not at launch
    import httpx

    from msp_tui.api import Code42Client, Credentials
    from msp_tui.api.audit import AuditSink
    from msp_tui.simulator import DemoAuthority

_LAZY = {"ApiClientCredentials": "msp_tui.api", "Code42Client": "msp_tui.api", "Credentials": "msp_tui.api",
         "LocalAccount": "msp_tui.api", "AuditSink": "msp_tui.api.audit"}


def __getattr__(name: str) -> object:
    """The API names this module used to import eagerly (`session.LocalAccount`…), on demand."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

DEMO_BASE_URL = "http://demo-authority.invalid"
DEMO_PROFILE_NAMES = ("northwind", "harbor")
"""Profile names of the demo accounts, in the order of simulator.DEMO_ACCOUNTS."""

_demo_authority = None


_demo_lock = threading.Lock()


def demo_authority(db_path: Path | None = None):
    """Returns the process-wide embedded demo authority, opening it on first use.

    Opening reads (or seeds) the whole demo database: seconds for a large one, so the dashboard
    calls `open_demo_authority` from a thread first. Thread-safe: it is opened once.
    """
    global _demo_authority
    if _demo_authority is None:
        with _demo_lock:
            if _demo_authority is None:
                from msp_tui.simulator import DemoAuthority

                _demo_authority = DemoAuthority(db_path or paths.demo_db())
    return _demo_authority


async def open_demo_authority() -> object:
    """Opens the demo authority off the event loop (a large demo database must not freeze the
    first paint) and returns it."""
    if _demo_authority is not None:
        return _demo_authority
    return await asyncio.to_thread(demo_authority)


def set_demo_authority(authority: DemoAuthority | None) -> None:
    """Replaces the process-wide demo authority (tests, `--demo-data PATH`)."""
    global _demo_authority
    _demo_authority = authority


def demo_profiles() -> dict[str, Profile]:
    """Returns one profile per seeded demo partner account."""
    from msp_tui.simulator import DEMO_ACCOUNTS

    return {
        name: Profile(name=name, url=DEMO_URL, auth="local", username=account.username)
        for name, account in zip(DEMO_PROFILE_NAMES, DEMO_ACCOUNTS)
    }


def available_profiles(settings: Settings, *, demo: bool = False) -> dict[str, Profile]:
    """Returns the configured profiles, or the demo ones when none is configured or asked."""
    if demo or not settings.profiles:
        return demo_profiles()
    return dict(settings.profiles)


def choose_profile(settings: Settings, name: str | None, *, demo: bool = False) -> Profile:
    """Resolves the profile to open: the named one, the default, or the first available."""
    profiles = available_profiles(settings, demo=demo)
    if name:
        if name in profiles:
            return profiles[name]
        known = ", ".join(profiles) or "none"
        raise ConfigError(f"Unknown profile {name!r} (known: {known}).")
    default = settings.app.default_profile
    if default and default in profiles:
        return profiles[default]
    return next(iter(profiles.values()))


def credentials_for(
    profile: Profile,
    secrets: SecretStore | None = None,
    *,
    totp: Callable[[], str] | str | None = None,
) -> Credentials:
    """Returns the profile's credentials; the secret comes from the env or the secrets file."""
    from msp_tui.api import ApiClientCredentials, LocalAccount

    if profile.is_demo:
        from msp_tui.simulator import DEMO_ACCOUNTS

        account = next(a for a in DEMO_ACCOUNTS if a.username == profile.username)
        return LocalAccount(account.username, account.password, totp)
    secret = (secrets or SecretStore()).get(profile.name)
    if not secret:
        raise ConfigError(
            f"No secret for profile {profile.name!r}: set {env_name(profile.name)} or run "
            f"`msp-tui profile add {profile.name} --store-secret`."
        )
    if profile.auth == "api-client":
        return ApiClientCredentials(profile.username, secret)
    return LocalAccount(profile.username, secret, totp)


def open_client(
    profile: Profile,
    settings: Settings,
    *,
    credentials: Credentials | None = None,
    read_only: bool = False,
    audit: AuditSink | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Code42Client:
    """Builds the API client for a profile (not yet signed in)."""
    import httpx

    from msp_tui.api import Code42Client

    app = settings.app
    url = profile.url
    if profile.is_demo and transport is None:
        transport = httpx.ASGITransport(app=demo_authority())
        url = DEMO_BASE_URL
    elif profile.is_demo:
        url = DEMO_BASE_URL
    verify: bool | str = profile.ca_bundle or profile.verify_tls
    return Code42Client(
        url,
        credentials or credentials_for(profile),
        transport=transport,
        timeout=app.timeout_seconds,
        verify=verify,
        read_only=read_only or app.read_only or profile.read_only,
        page_size=app.page_size,
        max_concurrency=app.max_concurrency,
        audit=audit,
    )
