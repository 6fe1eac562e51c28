"""Provides what every CLI command shares: opening a profile, errors, exit codes, output."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

from msp_tui.api import ApiError, Code42Client, LocalAccount, fetch_snapshot
from msp_tui.api.errors import TotpRequiredError
from msp_tui.config import ConfigError, Profile, Settings, load_settings
from msp_tui.models import AccountSnapshot
from msp_tui.secrets import SecretsError, SecretStore
from msp_tui.session import choose_profile, credentials_for, open_client
from msp_tui.state.audit import AuditLog
from msp_tui.state.cache import SnapshotCache
from msp_tui.state.db import StateError, connect, take_warnings

EXIT_OK = 0
EXIT_FAILURE = 1
"""A failure, or findings at or above the asked severity."""
EXIT_USAGE = 2

T = TypeVar("T")


class CliError(Exception):
    """A failure to report as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def add_profile_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """Adds --profile / --demo / --read-only to a parser.

    They are accepted before or after the command; on subcommands the defaults are
    suppressed so that a value given before the command is not overwritten.
    """
    extra: dict[str, Any] = {} if top_level else {"default": argparse.SUPPRESS}
    parser.add_argument("--profile", "-p", metavar="P", help="partner account (profile) to use", **extra)
    parser.add_argument(
        "--demo", action="store_true", help="use the embedded demo authority's profiles", **extra
    )
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every mutating call at the client", **extra
    )


@dataclass
class Context:
    """An opened profile: settings, the profile, its client and the local state."""

    settings: Settings
    profile: Profile
    client: Code42Client
    audit: AuditLog
    cache: SnapshotCache


def settings_from(args: argparse.Namespace) -> Settings:
    """Loads config.toml, turning problems into CliError."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise CliError(str(exc)) from exc


def open_context(args: argparse.Namespace, profile_name: str | None = None) -> Context:
    """Opens the profile named by the arguments (or `profile_name`)."""
    settings = settings_from(args)
    name = profile_name or getattr(args, "profile", None)
    try:
        profile = choose_profile(settings, name, demo=getattr(args, "demo", False))
        credentials = _credentials(profile)
        conn = connect()
    except (ConfigError, SecretsError, StateError) as exc:
        raise CliError(str(exc), EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILURE) from exc
    audit = AuditLog(conn)
    client = open_client(
        profile,
        settings,
        credentials=credentials,
        read_only=getattr(args, "read_only", False),
        audit=audit.sink(profile.name),
    )
    _warn_replaced_files(profile)
    return Context(settings, profile, client, audit, SnapshotCache(conn))


def _warn_replaced_files(profile: Profile) -> None:
    """Says (once) which damaged state files were moved aside and started afresh."""
    warnings = take_warnings()
    if profile.is_demo:
        from msp_tui import session

        authority = session._demo_authority  # noqa: SLF001 - opened by open_client above
        if authority is not None and getattr(authority, "warnings", None):
            warnings += authority.warnings
            authority.warnings.clear()
    for warning in warnings:
        print(f"msp-tui: warning: {warning}", file=sys.stderr)


def _credentials(profile: Profile):
    try:
        return credentials_for(profile, SecretStore())
    except ConfigError:
        if not sys.stdin.isatty():
            raise
    secret = getpass.getpass(f"Secret for {profile.username} ({profile.name}): ")
    if profile.auth == "api-client":
        from msp_tui.api import ApiClientCredentials

        return ApiClientCredentials(profile.username, secret)
    return LocalAccount(profile.username, secret)


def _prompt_totp() -> str:
    return input("TOTP code: ").strip()


async def signed_in(ctx: Context) -> None:
    """Signs in, asking for a TOTP code once when the account needs one and a tty is there."""
    try:
        await ctx.client.sign_in()
    except TotpRequiredError:
        creds = ctx.client._credentials  # noqa: SLF001 - the CLI owns this client
        if not (sys.stdin.isatty() and isinstance(creds, LocalAccount)) or creds.totp:
            raise
        ctx.client._credentials = LocalAccount(creds.username, creds.password, _prompt_totp())  # noqa: SLF001
        await ctx.client.sign_in()


async def live_snapshot(ctx: Context) -> AccountSnapshot:
    """Signs in, fetches the account and refreshes the local cache."""
    await signed_in(ctx)
    snapshot = await fetch_snapshot(ctx.client, ctx.profile.name)
    ctx.cache.save(snapshot)
    return snapshot


def run(args: argparse.Namespace, work: Callable[[Context], Awaitable[T]]) -> T:
    """Opens the profile, runs `work` on the event loop, closes the client."""
    ctx = open_context(args)

    async def main() -> T:
        async with ctx.client:
            return await work(ctx)

    try:
        return asyncio.run(main())
    except ApiError as exc:
        raise CliError(f"{ctx.profile.name}: {exc}") from exc


def write_output(text: str, output: str | None) -> None:
    """Writes to a file when --output is given, else to stdout."""
    if output and output != "-":
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    """Prints one clear line on stderr and returns the exit code."""
    parts = [part.strip() for part in message.splitlines() if part.strip()]
    one_line = ""
    for part in parts:
        one_line += part if not one_line else (" " if one_line.endswith(":") else "; ") + part
    print(f"msp-tui: {one_line}", file=sys.stderr)
    return code


Handler = Callable[[argparse.Namespace], int]
JsonDict = dict[str, Any]
