"""Provides the wizard commands: migrate, offboard, close-account, and `wizards list|show|resume|runbook`.

Every wizard prints its whole plan (users, devices, costs on each account, steps) first; with
--dry-run nothing is sent. Otherwise the typed confirmation (--confirm NAME, or a prompt on a
tty) must match the org or account name, the run is recorded in the journal and executed.

Exit codes: 0 done (or dry run, or rolled back); 1 failure (the message says why and what to
do); 2 usage (bad arguments, missing/wrong --confirm, read-only session asked to change
things); 3 waiting for a manual step (`wizards resume ID --done STEP` or a device check-in).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import AsyncExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from msp_tui.api import ApiError
from msp_tui.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Context,
    add_profile_options,
    open_context,
    signed_in,
    write_output,
)
from msp_tui.api.sync import fetch_snapshot
from msp_tui.domain.wizards.machine import RunStatus, TransitionError
from msp_tui.domain.wizards.model import Plan
from msp_tui.domain.wizards.model import WizardKind
from msp_tui.domain.wizards.render import render_plan, render_steps
from msp_tui.domain.wizards.runbook import render_runbook
from msp_tui.session import DEMO_PROFILE_NAMES
from msp_tui.state.db import StateError, connect
from msp_tui.state.journal import Journal, JournalError, RunRecord
from msp_tui.wizards import Executor, RunReport, StepEvent
from msp_tui.wizards.planning import (
    PlanError,
    build_plan,
    confirmation_matches,
    drafted_email,
    fetch_retention,
    record_confirmed_run,
    step_messages,
)

EXIT_WAITING = 3
"""The run is waiting for a person (a manual step); resume it once done."""
RUN_SCHEMA = "msp-tui.wizard-run/1"

_EPILOG = ("Exit codes: 0 done or dry run, 1 failure, 2 usage (incl. missing --confirm, read-only), "
           "3 waiting for a manual step.")


def register(commands: argparse._SubParsersAction) -> None:
    """Adds migrate, offboard, close-account and wizards."""
    p = commands.add_parser(
        "migrate", help="move a customer org to another partner account (guided, resumable)",
        description="Plan and run a client migration between partner accounts: deactivate and rename "
        "the users in the source, create the org and users in the target, then uninstall/reinstall "
        "each device (manual steps).", epilog=_EPILOG)
    p.add_argument("--from", dest="source", metavar="P1", help="source profile (default with --demo: northwind)")
    p.add_argument("--to", dest="target", metavar="P2", help="target profile (default with --demo: harbor)")
    p.add_argument("--org", required=True, metavar="NAME", help="customer org to move")
    _common_wizard_options(p)
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                   help="P1/P2 are the embedded demo profiles (northwind, harbor)")
    p.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                   help="plan only: refuse every mutating call")
    p.set_defaults(handler=cmd_migrate)

    p = commands.add_parser("offboard", help="deactivate a customer's users and org (guided, resumable)",
                            description="Deactivate one customer: its users (and so devices), then the org.",
                            epilog=_EPILOG)
    p.add_argument("--org", required=True, metavar="NAME", help="customer org to offboard")
    _common_wizard_options(p)
    add_profile_options(p)
    p.set_defaults(handler=cmd_offboard)

    p = commands.add_parser("close-account", help="deactivate every customer and user, draft the email to msp-billing",
                            description="Close the partner account as the FAQ says: deactivate every customer "
                            "org and user account, then email msp-billing@code42.com (drafted for you).",
                            epilog=_EPILOG)
    _common_wizard_options(p)
    p.add_argument("--email-out", metavar="FILE", type=Path, help="save the drafted email to FILE")
    add_profile_options(p)
    p.set_defaults(handler=cmd_close)

    w = commands.add_parser("wizards", help="list, show, resume wizard runs; export runbooks", epilog=_EPILOG)
    sub = w.add_subparsers(dest="wizards_command", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="list wizard runs (open ones first)")
    q.add_argument("--open", action="store_true", help="only runs that are not done or rolled back")
    q.add_argument("--json", action="store_true", help="JSON output")
    q.set_defaults(handler=cmd_list)
    q = sub.add_parser("show", help="show a run: plan, steps, outcomes, history")
    q.add_argument("run_id", metavar="ID")
    q.add_argument("--json", action="store_true", help="JSON output")
    q.set_defaults(handler=cmd_show)
    q = sub.add_parser("resume", help="continue a run (checks each step on the server first)", epilog=_EPILOG)
    q.add_argument("run_id", metavar="ID")
    q.add_argument("--done", metavar="STEP", action="append", default=[],
                   help="confirm a manual step (number or key) as done; repeatable")
    q.add_argument("--skip", metavar="STEP", help="skip a step (needs --reason)")
    q.add_argument("--reason", metavar="TEXT", help="why the step is skipped (recorded)")
    q.add_argument("--rollback", action="store_true", help="undo what is reversible: reactivate and rename back")
    q.add_argument("--email-out", metavar="FILE", type=Path, help="account closure: save the drafted email to FILE")
    q.set_defaults(handler=cmd_resume)
    q = sub.add_parser("runbook", help="per-device uninstall/reinstall instructions (Windows, macOS, Linux)")
    q.add_argument("run_id", metavar="ID")
    q.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    q.set_defaults(handler=cmd_runbook)


def _common_wizard_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="show the plan and costs; send nothing")
    p.add_argument("--confirm", metavar="NAME", help="the org/account name, typed to confirm (instead of a prompt)")
    p.add_argument("--json", action="store_true", help="with --dry-run: print the plan as JSON")


# -- helpers -------------------------------------------------------------------------------------


def _journal() -> Journal:
    try:
        return Journal(connect())
    except StateError as exc:
        raise CliError(str(exc)) from exc


def _today() -> Any:
    return datetime.now(timezone.utc).date()


def _confirm(plan: Plan, given: str | None) -> None:
    """Requires the typed confirmation before the first destructive step."""
    wanted = plan.confirm_name
    if given is None:
        if not sys.stdin.isatty():
            raise CliError(f"confirmation needed: pass --confirm {json.dumps(wanted)} (or use --dry-run)", EXIT_USAGE)
        try:
            given = input(f"Type {wanted!r} to confirm: ")
        except EOFError:
            given = ""
    if not confirmation_matches(plan, given):
        raise CliError(f"confirmation {given!r} does not match {wanted!r}; nothing was changed", EXIT_USAGE)


def _printer(total: int) -> Callable[[StepEvent], None]:
    def show(event: StepEvent) -> None:
        if event.status.value == "running":
            return
        line = f"[{event.index + 1:>3}/{total}] {event.status.value:<11} {event.step.key}: {event.message}"
        print(line, flush=True)
        if event.advice:
            print(f"          what to do: {event.advice}", flush=True)
    return show


def _finish(report: RunReport) -> int:
    print(f"Run {report.run_id}: {report.status.value} ({report.progress_line}). {report.message}".rstrip(), flush=True)
    if report.advice:
        print(f"What to do: {report.advice}")
    if report.status in (RunStatus.DONE, RunStatus.ROLLED_BACK):
        return EXIT_OK
    if report.status is RunStatus.WAITING:
        print(f"Manual steps wait for a person: see `msp-tui wizards runbook {report.run_id}`; confirm one "
              f"with `msp-tui wizards resume {report.run_id} --done STEP` (reinstalls are also verified "
              "when the device checks in to the new account).")
        return EXIT_WAITING
    print(f"Continue with `msp-tui wizards resume {report.run_id}` (retry after checking the server), "
          f"`--skip STEP --reason TEXT`, or `--rollback`.")
    return EXIT_FAILURE


def _open_pair(args: argparse.Namespace, names: dict[str, str]) -> dict[str, Context]:
    return {role: open_context(args, name) for role, name in names.items()}


def _run_async(contexts: dict[str, Context], work: Callable[[], Awaitable[int]]) -> int:
    async def main() -> int:
        async with AsyncExitStack() as stack:
            for ctx in contexts.values():
                await stack.enter_async_context(ctx.client)
            return await work()

    try:
        return asyncio.run(main())
    except ApiError as exc:
        raise CliError(str(exc)) from exc
    except (JournalError, TransitionError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        raise CliError(str(message), EXIT_USAGE if not isinstance(exc, JournalError) else EXIT_FAILURE) from exc


async def _snapshots(contexts: dict[str, Context]) -> dict[str, Any]:
    for ctx in contexts.values():
        await signed_in(ctx)
    snaps = await asyncio.gather(*(fetch_snapshot(c.client, c.profile.name) for c in contexts.values()))
    for ctx, snap in zip(contexts.values(), snaps):
        ctx.cache.save(snap)
    return dict(zip(contexts, snaps))


async def _plan_and_run(args: argparse.Namespace, contexts: dict[str, Context], plan: Plan,
                        email_out: Path | None = None) -> int:
    if getattr(args, "json", False) and args.dry_run:
        print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(render_plan(plan), flush=True)
    if args.dry_run:
        print("Dry run: nothing was sent to the server.")
        return EXIT_OK
    read_only = [c.profile.name for c in contexts.values() if c.client.read_only]
    if read_only:
        raise CliError(f"read-only session ({', '.join(read_only)}): planning and --dry-run only", EXIT_USAGE)
    _confirm(plan, args.confirm)
    journal = _journal()
    run_id = record_confirmed_run(journal, plan)
    print(f"Run {run_id} recorded in the journal; `msp-tui wizards resume {run_id}` continues it after any interruption.",
          flush=True)
    executor = Executor(journal, run_id, {r: c.client for r, c in contexts.items()},
                        email_out=email_out, login=contexts["source"].profile.username,
                        on_event=_printer(len(plan.steps)), rename_template=contexts["source"].settings.app.rename_suffix)
    return _finish(await executor.run())


# -- wizard commands -----------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    """Plans (and unless --dry-run, runs) a client migration."""
    demo = getattr(args, "demo", False)
    source = args.source or (DEMO_PROFILE_NAMES[0] if demo else None)
    target = args.target or (DEMO_PROFILE_NAMES[1] if demo else None)
    if not source or not target:
        raise CliError("migrate needs --from P1 and --to P2 (or --demo)", EXIT_USAGE)
    if source == target:
        raise CliError("--from and --to must be different accounts", EXIT_USAGE)
    contexts = _open_pair(args, {"source": source, "target": target})

    async def work() -> int:
        snaps = await _snapshots(contexts)
        retention = await fetch_retention(WizardKind.MIGRATE, snaps["source"], contexts["source"].client, args.org)
        try:
            plan = build_plan(WizardKind.MIGRATE, snaps, settings=contexts["source"].settings, today=_today(),
                              profiles={"source": source, "target": target}, org_name=args.org,
                              retention=retention, demo=demo)
        except PlanError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        return await _plan_and_run(args, contexts, plan)

    return _run_async(contexts, work)


def cmd_offboard(args: argparse.Namespace) -> int:
    """Plans (and unless --dry-run, runs) a customer offboarding."""
    contexts = {"source": open_context(args)}

    async def work() -> int:
        snaps = await _snapshots(contexts)
        ctx = contexts["source"]
        retention = await fetch_retention(WizardKind.OFFBOARD, snaps["source"], ctx.client, args.org)
        try:
            plan = build_plan(WizardKind.OFFBOARD, snaps, settings=ctx.settings, today=_today(),
                              profiles={"source": ctx.profile.name}, org_name=args.org, retention=retention,
                              demo=ctx.profile.is_demo)
        except PlanError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        return await _plan_and_run(args, contexts, plan)

    return _run_async(contexts, work)


def cmd_close(args: argparse.Namespace) -> int:
    """Plans (and unless --dry-run, runs) the closure of a partner account."""
    contexts = {"source": open_context(args)}

    async def work() -> int:
        snaps = await _snapshots(contexts)
        ctx = contexts["source"]
        retention = await fetch_retention(WizardKind.CLOSE_ACCOUNT, snaps["source"], ctx.client)
        try:
            plan = build_plan(WizardKind.CLOSE_ACCOUNT, snaps, settings=ctx.settings, today=_today(),
                              profiles={"source": ctx.profile.name}, own_usernames=[ctx.profile.username],
                              retention=retention, demo=ctx.profile.is_demo)
        except PlanError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        return await _plan_and_run(args, contexts, plan, email_out=args.email_out)

    return _run_async(contexts, work)


# -- wizards list / show / resume / runbook ------------------------------------------------------


def _load(ref: str) -> tuple[Journal, RunRecord]:
    journal = _journal()
    try:
        return journal, journal.run(ref)
    except JournalError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def _run_json(journal: Journal, record: RunRecord) -> dict[str, Any]:
    return {
        "schema": RUN_SCHEMA,
        "id": record.id,
        "kind": record.kind,
        "status": record.status.value,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "progress": record.machine().progress().line(),
        "plan": record.plan.to_json(),
        "steps": [
            {"number": i + 1, "key": s.key, "kind": s.kind.value, "manual": s.manual, "title": s.title,
             "status": r.status.value, "started_at": r.started_at, "ended_at": r.ended_at, "outcome": r.outcome}
            for i, (s, r) in enumerate(zip(record.plan.steps, record.steps))
        ],
        "events": [{"at": e.at, "step": None if e.idx is None else e.idx + 1, "event": e.event, "detail": e.detail}
                   for e in journal.events(record.id)],
    }


def cmd_list(args: argparse.Namespace) -> int:
    """Lists the journaled runs."""
    journal = _journal()
    runs = journal.list_runs(open_only=args.open)
    if args.json:
        print(json.dumps([{"id": r.id, "kind": r.kind, "status": r.status.value, "title": r.plan.title,
                           "created_at": r.created_at, "updated_at": r.updated_at,
                           "progress": r.machine().progress().line()} for r in runs], indent=2))
        return EXIT_OK
    if not runs:
        print("No wizard runs.")
        return EXIT_OK
    runs.sort(key=lambda r: (not r.status.open,))
    for r in runs:
        print(f"{r.id:<22} {r.status.value:<12} {r.machine().progress().line():<28} {r.plan.title}")
    open_runs = [r for r in runs if r.status.open]
    if open_runs:
        print(f"\n{len(open_runs)} open run(s): `msp-tui wizards resume ID` continues one.")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """Shows one run."""
    journal, record = _load(args.run_id)
    if args.json:
        print(json.dumps(_run_json(journal, record), indent=2, ensure_ascii=False))
        return EXIT_OK
    out = [f"Run {record.id} ({record.kind}): {record.status.value}, {record.machine().progress().line()}",
           f"Created {record.created_at}, updated {record.updated_at}", "", render_plan(record.plan).rstrip(), "",
           "Progress:"]
    messages = step_messages(record)
    out += render_steps(record.plan, [r.status.value for r in record.steps], messages)
    email = drafted_email(record)
    if email:
        out += ["", "Drafted email:", email]
    out += ["", "History:"] + [f"  {e.at} {'step ' + str(e.idx + 1) if e.idx is not None else 'run':<9} "
                                f"{e.event}: {e.detail}" for e in journal.events(record.id)]
    print("\n".join(out))
    return EXIT_OK


def cmd_runbook(args: argparse.Namespace) -> int:
    """Writes the technician's runbook of a migration run."""
    _, record = _load(args.run_id)
    write_output(render_runbook(record.plan, record.statuses_by_key(), run_id=record.id), args.output)
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    """Continues a run: marks steps done/skipped if asked, or rolls back; then runs what is left."""
    journal, record = _load(args.run_id)
    if args.skip and not (args.reason or "").strip():
        raise CliError("--skip needs --reason TEXT (it is recorded in the journal)", EXIT_USAGE)
    if args.rollback and (args.done or args.skip):
        raise CliError("--rollback cannot be combined with --done or --skip", EXIT_USAGE)
    if not record.status.open and not args.rollback:
        print(f"Run {record.id} is already {record.status.value}.")
        return EXIT_OK
    plan = record.plan
    args.demo = plan.demo
    contexts = _open_pair(args, dict(plan.profiles))
    read_only = [c.profile.name for c in contexts.values() if c.client.read_only]
    if read_only:
        raise CliError(f"read-only session ({', '.join(read_only)}): a run cannot be resumed", EXIT_USAGE)

    async def work() -> int:
        for ctx in contexts.values():
            await signed_in(ctx)
        executor = Executor(journal, record.id, {r: c.client for r, c in contexts.items()},
                            email_out=args.email_out, login=contexts["source"].profile.username,
                            on_event=_printer(len(plan.steps)),
                            rename_template=contexts["source"].settings.app.rename_suffix)
        if args.rollback:
            return _finish(await executor.rollback())
        if args.skip:
            executor.skip(args.skip, args.reason)
            print(f"Step {args.skip} skipped (reason recorded).")
        report = None
        for ref in args.done:
            report = await executor.mark_done(ref)
        if report is None:
            report = await executor.run()
        return _finish(report)

    return _run_async(contexts, work)
