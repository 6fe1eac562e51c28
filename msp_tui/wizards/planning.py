"""Provides what every wizard front end (CLI, TUI) shares around the engine.

Building a plan of any kind from fetched snapshots and the settings, checking the typed
confirmation, and reading a journaled run back for people (step messages with reasons and
advice, the drafted closure email). The CLI and the TUI call these, so both show and accept
exactly the same things.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from msp_tui.config import Settings
from msp_tui.domain.wizards.model import Plan, WizardKind
from msp_tui.domain.wizards.plans import PlanError, closure_plan, migration_plan, offboard_plan
from msp_tui.models import AccountSnapshot
from msp_tui.state.journal import Journal, RunRecord

__all__ = [
    "PlanError", "build_plan", "confirmation_matches", "drafted_email", "record_confirmed_run", "roles_for",
    "step_messages",
]


def roles_for(kind: WizardKind | str) -> tuple[str, ...]:
    """The account roles a wizard needs a client for: ("source", "target") or ("source",)."""
    return ("source", "target") if WizardKind(kind) is WizardKind.MIGRATE else ("source",)


def build_plan(
    kind: WizardKind | str,
    snapshots: Mapping[str, AccountSnapshot],
    *,
    settings: Settings,
    today: date,
    profiles: Mapping[str, str],
    org_name: str | None = None,
    own_usernames: Iterable[str] = (),
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
        demo: The profiles are the embedded demo ones.

    Raises:
        PlanError: The wizard cannot be planned; the message says why.
    """
    kind = WizardKind(kind)
    policy = settings.policy()
    if kind is WizardKind.CLOSE_ACCOUNT:
        return closure_plan(snapshots["source"], policy=policy, today=today, profile=profiles["source"],
                            own_usernames=own_usernames, demo=demo)
    if not org_name:
        raise PlanError("choose a customer org first")
    if kind is WizardKind.OFFBOARD:
        return offboard_plan(snapshots["source"], org_name, policy=policy, today=today,
                             profile=profiles["source"], demo=demo)
    return migration_plan(snapshots["source"], snapshots["target"], org_name, policy=policy, today=today,
                          profiles=(profiles["source"], profiles["target"]),
                          rename_suffix=settings.app.rename_suffix, demo=demo)


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
