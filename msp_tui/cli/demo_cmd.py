"""Provides `msp-tui demo-server`: the demo authority over real HTTP on loopback."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from msp_tui import paths
from msp_tui.cli.common import EXIT_OK, EXIT_USAGE, CliError


FAULTS_HELP = """\
fault SPEC (--faults): comma-separated items; the first rule that fires answers a request
  KIND[:PROB][@OPTION...]   PROB = chance per eligible request, 0..1 (default 1)
  KIND:     500 | 503 | 429 | html (502 HTML page) | slow | drop (connection closed)
            truncate (cut JSON) | malformed (not JSON) | expire-token (401, token revoked)
            repeat-page | skip-page (a list page repeats / skips items)
  OPTION:   requests=N | N-M | N-   only the Nth..Mth request this rule is eligible for
            only=GET|POST|PUT|DELETE|write   path=TEXT (substring of the path)
            when=before|after (mutations: fail before the change, or change then fail)
            retry-after=S  seconds=S (slow, default 40)  items=N (pages)  limit=N
  only=METHODS and path=TEXT on their own apply to every rule without a filter; seed=N.
examples:
  --faults "500:0.1,503:0.05,429:0.05@retry-after=1,slow:0.02@seconds=40,drop:0.02"
  --faults "500@requests=3-5"            (fail the 3rd, 4th and 5th request)
  --faults "drop:0.2@only=POST@when=after" --seed 7
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `demo-server` command."""
    parser = commands.add_parser(
        "demo-server",
        help="serve the demo authority over HTTP (for py42, curl, other clients)",
        description="Serve the embedded demo Code42 authority on loopback. "
        "Point py42 or curl at the printed URL with one of the printed logins.",
        epilog=FAULTS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8042, help="port (default 8042; 0 picks a free one)")
    parser.add_argument("--scale", choices=["small", "large"], default="small", help="seed size")
    parser.add_argument("--data", type=Path, help="SQLite file for its state (default: the demo file in the data dir)")
    parser.add_argument("--reset", action="store_true", help="discard the state and reseed")
    parser.add_argument("--latency-ms", type=int, default=0, help="added delay per request, to simulate a WAN")
    parser.add_argument("--faults", metavar="SPEC", default="",
                        help="inject faults into the answers (grammar below), e.g. 500:0.1,drop:0.02")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="seed for the fault draws, so a run can be replayed (default: random, printed)")
    parser.set_defaults(handler=cmd_demo_server)


def cmd_demo_server(args: argparse.Namespace) -> int:
    """Runs the server until interrupted."""
    from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority, serve

    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            raise CliError("the demo server binds only to loopback addresses (e.g. 127.0.0.1)", EXIT_USAGE)
    except ValueError as exc:
        if args.host != "localhost":
            raise CliError(f"--host: {exc}", EXIT_USAGE) from exc
    if not 0 <= args.port <= 65535:
        raise CliError("--port must be between 0 and 65535", EXIT_USAGE)
    if args.latency_ms < 0:
        raise CliError("--latency-ms must not be negative", EXIT_USAGE)
    from msp_tui.simulator.faults import FaultPlan, FaultSpecError

    try:
        faults = FaultPlan.parse(args.faults, seed=args.seed) if args.faults.strip() else None
    except FaultSpecError as exc:
        raise CliError(f"--faults: {exc}", EXIT_USAGE) from exc
    default_path = paths.demo_db() if args.scale == "small" else paths.data_dir() / "demo-authority-large.sqlite"
    db_path = args.data or default_path
    paths.ensure_private_dir(db_path.parent)
    authority = DemoAuthority(db_path, scale=args.scale, reset=args.reset, latency_ms=args.latency_ms,
                              faults=faults)
    for warning in authority.warnings:
        print(f"Warning: {warning}", flush=True)

    def ready(url: str) -> None:
        print(f"Demo Code42 authority at {url}  (state: {db_path})", flush=True)
        for account in DEMO_ACCOUNTS:
            print(
                f"  {account.name}: console login {account.username} / {account.password}; "
                f"API client {account.client_id} / {account.client_secret}",
                flush=True,
            )
        if faults is not None:
            rules = "; ".join(faults.describe().splitlines())
            print(f"Injecting faults (seed {faults.seed}): {rules}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    try:
        serve(authority, host=args.host, port=args.port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    finally:
        if faults is not None:
            injected = ", ".join(f"{k}={v}" for k, v in sorted(authority.fault_stats.items())) or "none"
            print(f"Faults injected over {faults.requests} requests: {injected}", flush=True)
        authority.close()
    return EXIT_OK
