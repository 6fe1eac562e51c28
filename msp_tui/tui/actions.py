"""Provides the action flows the dashboard runs: create org/user and user/device/org actions.

Each flow pushes the right modal (form or consequence preview), sends the change through the
`Code42Client` (so read-only sessions refuse and the audit log records it), turns any
`ApiError` into one clear notification line, and returns an `ActionOutcome` telling the shell
whether to refresh.

The flows wait for modals, so run them in a worker, never awaited in a message handler::

    self.run_worker(actions.run_action(ctx, Action.DEACTIVATE_USER, user),
                    group="actions", exclusive=True, exit_on_error=False)

and handle the outcome in `Worker.StateChanged` (or post a message from a wrapper coroutine).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from textual.app import App
from textual.screen import Screen

from msp_tui.api.errors import FRIENDLY_NAMES, ApiError, ReadOnlyError, UnknownOutcomeError
from msp_tui.api.resources import Code42Client
from msp_tui.domain.consequences import DESTRUCTIVE, Action, consequences_for
from msp_tui.domain.policy import Policy
from msp_tui.models import AccountSnapshot, Device, Org, User
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.forms import (
    CreateOrgRequest,
    CreateOrgScreen,
    CreateUserRequest,
    CreateUserScreen,
)

T = TypeVar("T")

log = logging.getLogger(__name__)

RETENTION_TIMEOUT = 3.0
"""Seconds a destructive action's preview waits for the org's cold-storage retention; after
that it opens without the number rather than keep the user waiting."""

DUPLICATE_MESSAGE = "a user with that email already exists"
"""What USER_DUPLICATE means to the person filling the form."""

_FIELD_OF_ERROR = {
    "USER_DUPLICATE": "email",
    "EMAIL_INVALID": "email",
    "USERNAME_NOT_AN_EMAIL": "username",
    "INVALID_USERNAME": "username",
}
"""Form field a server validation error belongs to."""


@dataclass
class ActionContext:
    """What a flow needs from the shell: the app, the client and the data it shows."""

    app: App[Any]
    client: Code42Client
    snapshot: AccountSnapshot
    policy: Policy
    today: date
    """The reference day of cost projections (pass the app's clock, not `date.today()` in tests)."""
    retention_days: int | None = None
    """Cold-storage retention of the subject's org, when known (else `run_action` asks the
    server for it, see `org_retention_days`)."""
    cycle_start_users: int | None = None
    """Billed users when the current cycle began, when known."""


@dataclass(frozen=True)
class ActionOutcome:
    """The result of a flow, for the shell."""

    action: str
    """"create_org", "create_user" or an `Action` value."""
    ok: bool
    """True when the server made the change."""
    message: str
    """The one line that was notified ("" when cancelled)."""
    cancelled: bool = False
    """True when the user backed out before anything was sent."""
    refresh: bool = False
    """True when the shell should refresh the snapshot (changed, or outcome unknown)."""
    created: Org | User | None = None
    """The org or user created."""
    error_name: str | None = None
    """The server's error name, e.g. USER_DUPLICATE."""


def error_line(exc: ApiError) -> str:
    """Returns one line explaining `exc` to a person."""
    if isinstance(exc, ReadOnlyError):
        what = f" ({exc.method} {exc.path} was not sent)" if exc.method else ""
        return f"Read-only session: nothing was changed{what}."
    if exc.error_name == "USER_DUPLICATE":
        return f"Not created: {DUPLICATE_MESSAGE}."
    if exc.error_name in FRIENDLY_NAMES:
        return f"Refused by the server: {FRIENDLY_NAMES[exc.error_name]}."
    if isinstance(exc, UnknownOutcomeError):
        return "No answer from the server: the change may or may not have happened; refresh to check."
    return " ".join(str(exc).split()) or type(exc).__name__


async def ask(app: App[Any], screen: Screen[T]) -> T | None:
    """Pushes `screen` and waits for its result (works in any worker or task off the UI loop)."""
    future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()

    def done(result: T | None) -> None:
        if not future.done():
            future.set_result(result)

    await app.push_screen(screen, callback=done)
    return await future


def available_actions(subject: User | Device | Org) -> list[Action]:
    """Returns the actions that apply to `subject` in its current state."""
    if isinstance(subject, User):
        if not subject.is_active:
            return [Action.REACTIVATE_USER]
        block = Action.UNBLOCK_USER if subject.is_blocked else Action.BLOCK_USER
        return [Action.DEACTIVATE_USER, block]
    if isinstance(subject, Device):
        if not subject.is_active:
            return [Action.REACTIVATE_DEVICE]
        block = Action.UNBLOCK_DEVICE if subject.is_blocked else Action.BLOCK_DEVICE
        return [Action.DEACTIVATE_DEVICE, block]
    if subject.is_top_level:
        return []
    return [Action.DEACTIVATE_ORG] if subject.is_active else [Action.REACTIVATE_ORG]


def _warn_read_only(ctx: ActionContext) -> None:
    if ctx.client.read_only:
        ctx.app.notify("Read-only session: you can look, but the change will be refused.",
                       severity="warning")


async def _send(ctx: ActionContext, action: str, call: Callable[[], Awaitable[T]],
                success: str) -> tuple[ActionOutcome, T | None]:
    try:
        result = await call()
    except ApiError as exc:
        line = error_line(exc)
        ctx.app.notify(line, severity="error", title="Not done")
        unknown = isinstance(exc, UnknownOutcomeError)
        return ActionOutcome(action, False, line, refresh=unknown, error_name=exc.error_name), None
    ctx.app.notify(success)
    return ActionOutcome(action, True, success, refresh=True), result


async def create_org(ctx: ActionContext) -> ActionOutcome:
    """Asks for a name and creates the customer org directly under the top-level org."""
    top = ctx.snapshot.top_org
    if top is None or not top.org_guid:
        line = "No top-level org in this account: cannot create a customer org."
        ctx.app.notify(line, severity="error")
        return ActionOutcome("create_org", False, line)
    _warn_read_only(ctx)
    name, errors = "", None
    while True:
        request = await ask(ctx.app, CreateOrgScreen(top.org_name, name=name, errors=errors))
        if not isinstance(request, CreateOrgRequest):
            return ActionOutcome("create_org", False, "", cancelled=True)
        outcome, org = await _send(
            ctx, "create_org",
            lambda: ctx.client.create_org(request.name, top.org_guid or ""),  # noqa: B023 (called at once)
            f"Created customer org {request.name} under {top.org_name}.",
        )
        if outcome.ok or outcome.error_name is None:
            return replace(outcome, created=org)
        name, errors = request.name, {"name": outcome.message}


async def create_user(ctx: ActionContext, org: Org) -> ActionOutcome:
    """Asks for the user's details and creates the user in customer org `org`.

    A refusal the user can fix (duplicate email, invalid email) reopens the form with the
    values kept and the reason under the field; `esc` then gives up.
    """
    if not org.org_uid:
        line = f"Org {org.org_name} has no uid: refresh and try again."
        ctx.app.notify(line, severity="error")
        return ActionOutcome("create_user", False, line)
    _warn_read_only(ctx)
    request: CreateUserRequest | None = None
    errors: dict[str, str] | None = None
    last: ActionOutcome | None = None
    while True:
        answer = await ask(ctx.app, CreateUserScreen(org, request=request, errors=errors))
        if not isinstance(answer, CreateUserRequest):
            if last is not None:
                return replace(last, cancelled=True)
            return ActionOutcome("create_user", False, "", cancelled=True)
        request = answer
        sent = answer
        outcome, user = await _send(
            ctx, "create_user",
            lambda: ctx.client.create_user(
                sent.org_uid, sent.username, email=sent.email,  # noqa: B023 (called at once)
                first_name=sent.first_name or None, last_name=sent.last_name or None,  # noqa: B023
            ),
            f"Created user {answer.username} in {answer.org_name}.",
        )
        field = _FIELD_OF_ERROR.get(outcome.error_name or "")
        if outcome.ok or field is None:
            return replace(outcome, created=user)
        if field == "email" and answer.email == answer.username:
            field = "username"
        message = DUPLICATE_MESSAGE if outcome.error_name == "USER_DUPLICATE" else (
            FRIENDLY_NAMES.get(outcome.error_name or "", outcome.message)
        )
        errors, last = {field: message.capitalize() + "."}, outcome


def _call_for(client: Code42Client, action: Action,
              subject: User | Device | Org) -> Callable[[], Awaitable[None]]:
    if isinstance(subject, User):
        uid = subject.user_uid or ""
        return {
            Action.DEACTIVATE_USER: lambda: client.deactivate_user(uid),
            Action.REACTIVATE_USER: lambda: client.activate_user(uid),
            Action.BLOCK_USER: lambda: client.block_user(uid),
            Action.UNBLOCK_USER: lambda: client.unblock_user(uid),
        }[action]
    if isinstance(subject, Device):
        cid = subject.computer_id
        return {
            Action.DEACTIVATE_DEVICE: lambda: client.deactivate_device(cid),
            Action.REACTIVATE_DEVICE: lambda: client.reactivate_device(cid),
            Action.BLOCK_DEVICE: lambda: client.block_device(cid),
            Action.UNBLOCK_DEVICE: lambda: client.unblock_device(cid),
        }[action]
    guid = subject.org_guid or ""
    return {
        Action.DEACTIVATE_ORG: lambda: client.deactivate_org(guid),
        Action.REACTIVATE_ORG: lambda: client.activate_org(guid),
    }[action]


def _name_of(subject: User | Device | Org) -> str:
    if isinstance(subject, User):
        return subject.username
    if isinstance(subject, Device):
        return subject.display_name
    return subject.org_name


def _retention_cache(snapshot: AccountSnapshot) -> dict[int, int | None]:
    """Retention days fetched per org id, kept with the snapshot: a refresh starts afresh."""
    cache: dict[int, int | None] = snapshot._summary.setdefault("retention_days", {})
    return cache


async def org_retention_days(client: Code42Client, snapshot: AccountSnapshot, org_id: int | None,
                             *, timeout: float | None = None) -> int | None:
    """Returns the cold-storage retention of org `org_id` in days, or None when unknown.

    Asked once per org and snapshot (failures too, so a slow server delays one dialog, not
    every one). Any API failure, or no answer within `timeout` seconds (default
    `RETENTION_TIMEOUT`), gives None: the number only makes a preview more precise, so it
    never stops an action.
    """
    org = snapshot.org(org_id)
    if org is None or not org.org_guid:
        return None
    cache = _retention_cache(snapshot)
    if org.org_id in cache:
        return cache[org.org_id]
    try:
        days = await asyncio.wait_for(client.get_org_retention_days(org.org_guid),
                                      RETENTION_TIMEOUT if timeout is None else timeout)
    except (ApiError, asyncio.TimeoutError) as exc:
        log.info("retention of org %s unknown: %s", org.org_id, str(exc) or "no answer in time")
        days = None
    cache[org.org_id] = days
    return days


_PAST = {"deactivate": "Deactivated", "reactivate": "Reactivated", "block": "Blocked",
         "unblock": "Unblocked"}


async def run_action(ctx: ActionContext, action: Action,
                     subject: User | Device | Org) -> ActionOutcome:
    """Shows the consequences of `action` on `subject`, asks to confirm, and sends it.

    Destructive actions need the subject's name typed; the others a plain confirmation.
    """
    name = _name_of(subject)
    if action not in available_actions(subject):
        line = f"Cannot {action.verb} {action.kind} {name} in its current state."
        ctx.app.notify(line, severity="warning")
        return ActionOutcome(action.value, False, line)
    _warn_read_only(ctx)
    retention = ctx.retention_days
    if retention is None and action in DESTRUCTIVE:
        retention = await org_retention_days(ctx.client, ctx.snapshot, subject.org_id)
    profile = getattr(ctx.app, "profile", None)
    consequences = consequences_for(
        action, subject, ctx.snapshot, ctx.policy, ctx.today,
        retention_days=retention, cycle_start_users=ctx.cycle_start_users,
        login=getattr(profile, "username", None),
    )
    if not await ask(ctx.app, ConfirmScreen(consequences)):
        return ActionOutcome(action.value, False, "", cancelled=True)
    outcome, _ = await _send(
        ctx, action.value, _call_for(ctx.client, action, subject),
        f"{_PAST[action.verb]} {action.kind} {name}.",
    )
    return outcome
