"""Provides `msp-tui profile add|list|remove|test`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from msp_tui.api import ApiError
from msp_tui.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    open_context,
    settings_from,
    signed_in,
)
from msp_tui.config import PROFILE_NAME, Profile, save_settings
from msp_tui.secrets import SecretStore, env_name
from msp_tui.session import available_profiles


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `profile` command and its subcommands."""
    parser = commands.add_parser("profile", help="manage partner accounts (profiles)")
    sub = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="add or replace a profile")
    add.add_argument("name", help="profile name, e.g. northwind")
    add.add_argument("--url", required=True, help="console URL, e.g. https://console.us1.crashplan.com")
    add.add_argument("--auth", choices=["local", "api-client"], default="local", help="sign-in kind")
    add.add_argument("--username", required=True, help="console username, or API client id")
    add.add_argument("--read-only", action="store_true", help="never allow changes on this account")
    add.add_argument("--ca-bundle", metavar="PEM", help="extra CA certificates for this console")
    add.add_argument("--no-verify-tls", action="store_true", help="skip TLS verification (lab use only)")
    add.add_argument(
        "--store-secret",
        action="store_true",
        help="prompt for the password/secret (or read it from the environment) and keep it in a 0600 file",
    )
    add.set_defaults(handler=cmd_add)

    lst = sub.add_parser("list", help="list profiles")
    lst.set_defaults(handler=cmd_list)

    rm = sub.add_parser("remove", help="remove a profile and its stored secret")
    rm.add_argument("name")
    rm.set_defaults(handler=cmd_remove)

    test = sub.add_parser("test", help="sign in with a profile and count what it sees")
    test.add_argument("name", nargs="?", help="profile (default: the default profile)")
    test.add_argument("--demo", action="store_true", help="test the demo profiles")
    test.set_defaults(handler=cmd_test)


def cmd_add(args: argparse.Namespace) -> int:
    """Adds a profile to config.toml (never its secret)."""
    if not PROFILE_NAME.match(args.name):
        raise CliError("profile names are 1-40 letters, digits, '-', '_' or '.'", EXIT_USAGE)
    settings = settings_from(args)
    profile = Profile(
        name=args.name,
        url=args.url,
        auth=args.auth,
        username=args.username,
        read_only=args.read_only,
        verify_tls=not args.no_verify_tls,
        ca_bundle=args.ca_bundle,
    )
    settings.profiles[args.name] = profile
    path = save_settings(settings)
    print(f"Profile {args.name!r} saved in {path}.")
    if args.no_verify_tls:
        print("Warning: TLS verification is off for this profile.", file=sys.stderr)
    if args.store_secret:
        import os

        secret = os.environ.get(env_name(args.name)) or getpass.getpass("Password or client secret: ")
        if not secret:
            raise CliError("no secret given; nothing stored")
        store = SecretStore()
        store.put(args.name, secret)
        print(f"Secret stored in {store.path} (mode 0600).")
    else:
        print(f"Provide the secret at run time in {env_name(args.name)}, or re-run with --store-secret.")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """Prints the profiles (the demo ones when none is configured)."""
    settings = settings_from(args)
    profiles = available_profiles(settings)
    if not settings.profiles:
        print("No profile configured: msp-tui runs on the embedded demo authority.")
    for profile in profiles.values():
        flags = [f for f, on in (("read-only", profile.read_only), ("tls-off", not profile.verify_tls),
                                 ("demo", profile.is_demo)) if on]
        default = " (default)" if profile.name == settings.app.default_profile else ""
        suffix = f" [{', '.join(flags)}]" if flags else ""
        print(f"{profile.name}{default}\t{profile.url}\t{profile.auth}\t{profile.username}{suffix}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    """Removes a profile from config.toml and forgets its stored secret."""
    settings = settings_from(args)
    if args.name not in settings.profiles:
        raise CliError(f"unknown profile {args.name!r}", EXIT_USAGE)
    del settings.profiles[args.name]
    if settings.app.default_profile == args.name:
        settings.app.default_profile = None
    save_settings(settings)
    removed = SecretStore().remove(args.name)
    print(f"Profile {args.name!r} removed" + (" with its stored secret." if removed else "."))
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    """Signs in and reports what the account sees."""
    args.profile = args.name
    ctx = open_context(args)

    async def check() -> str:
        async with ctx.client:
            await signed_in(ctx)
            orgs = await ctx.client.list_orgs()
            return f"{ctx.profile.name}: signed in to {ctx.client.base_url}; {len(orgs)} orgs visible."

    try:
        print(asyncio.run(check()))
    except ApiError as exc:
        raise CliError(f"{ctx.profile.name}: {exc}") from exc
    return EXIT_OK
