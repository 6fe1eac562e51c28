"""Provides what every wizard front end (CLI, TUI) shares around the engine.

Building a plan of any kind from fetched snapshots and the settings (with the cold-storage
retention of the orgs concerned, `fetch_retention`), checking the typed confirmation, and
reading a journaled run back for people (step messages with reasons and advice, the drafted
closure email). The CLI and the TUI call these, so both show and accept exactly the same things.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import date

from msp_tui.api import Code42Client
from msp_tui.config import Settings
from msp_tui.domain.wizards.model import Plan, WizardKind
from msp_tui.domain.wizards.plans import (
    PlanError,
    closure_plan,
    migration_plan,
    offboard_plan,
    retention_orgs,
)
from msp_tui.models import AccountSnapshot
from msp_tui.state.journal import Journal, RunRecord

__all__ = [
    "RETENTION_TIMEOUT", "PlanError", "build_plan", "confirmation_matches", "drafted_email", "fetch_retention",
    "record_confirmed_run", "roles_for", "step_messages",
]

log = logging.getLogger(__name__)

RETENTION_TIMEOUT = 3.0
"""Seconds planning waits for the orgs' cold-storage retention, all orgs together; what has not
come back by then is left unknown (the plan then names the retention period without a number)."""
RETENTION_CONCURRENCY = 8
"""Retention requests in flight at once (an account closure asks once per active org)."""


def roles_for(kind: WizardKind | str) -> tuple[str, ...]:
    """The account roles a wizard needs a client for: ("source", "target") or ("source",)."""
    return ("source", "target") if WizardKind(kind) is WizardKind.MIGRATE else ("source",)


async def fetch_retention(
    kind: WizardKind | str,
    snapshot: AccountSnapshot,
    client: Code42Client,
    org_name: str | None = None,
    *,
    timeout: float | None = None,
) -> dict[int, int]:
    """Asks the source account how long the orgs a plan concerns keep archives in cold storage.

    Days per org id, for `build_plan(retention=...)`: the customer `org_name` and its nested orgs
    (migration, offboarding) or every active org (account closure). Never fails: an org whose
    lookup fails, says nothing or does not answer within `timeout` seconds (all lookups
    together; default `RETENTION_TIMEOUT`) is simply missing, as the number only makes the plan
    more precise.
    """
    timeout = RETENTION_TIMEOUT if timeout is None else timeout
    scope = retention_orgs(snapshot, None if WizardKind(kind) is WizardKind.CLOSE_ACCOUNT else org_name)
    orgs = [(o.org_id, o.org_guid) for o in scope if o.org_guid]
    found: dict[int, int] = {}
    if not orgs:
        return found
    gate = asyncio.Semaphore(RETENTION_CONCURRENCY)

    async def ask(org_id: int, org_guid: str) -> None:
        async with gate:
            try:
                days = await client.get_org_retention_days(org_guid)
            except Exception as exc:  # any failure (API, network, odd answer) only leaves the number out
                log.info("retention of org %s unknown: %s", org_id, str(exc) or type(exc).__name__)
                return
        if days is not None:
            found[org_id] = days

    tasks = [asyncio.create_task(ask(org_id, guid)) for org_id, guid in orgs]
    try:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
    finally:  # the late ones, or all of them when planning itself is cancelled
        for task in tasks:
            task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        log.info("retention of %d org(s) unknown: no answer within %ss", len(pending), timeout)
    return dict(found)


def build_plan(
    kind: WizardKind | str,
    snapshots: Mapping[str, AccountSnapshot],
    *,
    settings: Settings,
    today: date,
    profiles: Mapping[str, str],
    org_name: str | None = None,
    own_usernames: Iterable[str] = (),
    retention: Mapping[int, int] | None = None,
    demo: bool = False,
) -> Plan:
    """Plans a wizard from fetched snapshots (one per role in `roles_for(kind)`).

    Args:
        kind: Which wizard.
        snapshots: The live data of each account role ("source", "target").
        settings: Policy (prices) and the rename suffix come from here.
        today: The plan's date (the rename suffix, the billing cycle).
        profiles: Profile name per role.
        org_name: The customer org (migration, offboarding).
        own_usernames: The signed-in login, left active by an account closure.
        retention: Cold-storage retention in days per org id of the source account, when known
            (`fetch_retention`); the plan's summary then says when the archives are purged.
        demo: The profiles are the embedded demo ones.

    Raises:
        PlanError: The wizard cannot be planned; the message says why.
    """
    kind = WizardKind(kind)
    policy = settings.policy()
    if kind is WizardKind.CLOSE_ACCOUNT:
        return closure_plan(snapshots["source"], policy=policy, today=today, profile=profiles["source"],
                            own_usernames=own_usernames, retention=retention, demo=demo)
    if not org_name:
        raise PlanError("choose a customer org first")
    if kind is WizardKind.OFFBOARD:
        return offboard_plan(snapshots["source"], org_name, policy=policy, today=today,
                             profile=profiles["source"], retention=retention, demo=demo)
    return migration_plan(snapshots["source"], snapshots["target"], org_name, policy=policy, today=today,
                          profiles=(profiles["source"], profiles["target"]),
                          rename_suffix=settings.app.rename_suffix, retention=retention, demo=demo)


def confirmation_matches(plan: Plan, given: str | None) -> bool:
    """True when `given` is the plan's confirmation name (spaces around and case ignored)."""
    return given is not None and given.strip().casefold() == plan.confirm_name.casefold()


def record_confirmed_run(journal: Journal, plan: Plan) -> str:
    """Records a confirmed plan as a new run (every step pending) and returns the run id."""
    run_id = journal.create_run(plan)
    journal.add_event(run_id, None, "confirmed", f"typed {plan.confirm_name!r}")
    return run_id


def step_messages(record: RunRecord) -> list[str]:
    """One message per step: the last outcome, with a skip reason and, when failed, what to do."""
    messages = []
    for rec in record.steps:
        text = rec.message
        if rec.outcome.get("reason"):
            text += f" (reason: {rec.outcome['reason']})"
        if rec.outcome.get("advice") and rec.status.value in ("failed", "unknown"):
            text += f" — what to do: {rec.outcome['advice']}"
        messages.append(text)
    return messages


def drafted_email(record: RunRecord) -> str | None:
    """The closure email drafted by the run (To/Subject headers and body), if any."""
    return next((str(r.outputs["email"]) for r in record.steps if r.outputs.get("email")), None)
