"""Provides what each automatic step does on the server, and how it is checked and undone.

Every handler first *checks* the server (reads only) and says whether the step already
happened; only then does it act. So a re-run after a crash, a lost answer or a kill -9 detects
what already happened and skips it: no user is created twice and no user renamed twice.
Undo (for a rollback) follows the same pattern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from msp_tui.api import Code42Client
from msp_tui.api import errors as api_errors
from msp_tui.domain.wizards.model import Step, StepKind
from msp_tui.domain.wizards.rename import deactivated_name


UNDO_SUFFIX = "_rolledback_{date}"
"""Suffix given to a user created in the target account when a migration is rolled back."""


class StepConflict(Exception):
    """The server is in a state the plan did not expect; the step must not act.

    Attributes:
        advice: What the person can do about it.
    """

    def __init__(self, message: str, advice: str) -> None:
        super().__init__(message)
        self.advice = advice


@dataclass(frozen=True)
class Check:
    """The result of checking a step against the server."""

    done: bool
    note: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


class StepContext(Protocol):
    """What handlers need from the executor."""

    def client(self, account: str) -> Code42Client: ...

    def outputs(self, key: str) -> dict[str, Any]: ...

    @property
    def planned_on(self) -> date: ...

    @property
    def rename_template(self) -> str: ...


class Handler:
    """Base of the per-kind handlers."""

    async def check(self, ctx: StepContext, step: Step) -> Check:
        raise NotImplementedError

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        raise NotImplementedError

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        return Check(True, "nothing to undo")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        return None

    def advice(self, step: Step, exc: api_errors.ApiError) -> str:
        """What to do when the act failed with `exc`."""
        if isinstance(exc, api_errors.TransportError):
            return "The server could not be reached; run `wizards resume` when it is back (the step is checked first)."
        if isinstance(exc, (api_errors.ForbiddenError, api_errors.AuthenticationError)):
            return "Check the profile's credentials and role (it needs to manage users and orgs), then resume."
        if isinstance(exc, api_errors.ReadOnlyError):
            return "The session is read-only; resume without --read-only (and without read_only in the profile)."
        return "Fix the cause in the console if needed, then `wizards resume` (retry), `--skip STEP --reason` or `--rollback`."


async def _user(client: Code42Client, uid: str) -> Any:
    try:
        return await client.get_user_by_uid(uid)
    except api_errors.NotFoundError as exc:
        raise StepConflict(f"user {uid} no longer exists", "Skip this step with a reason, or roll back.") from exc


class RenameUser(Handler):
    """Renames a user's username and email with the suffix rule (source account)."""

    async def check(self, ctx: StepContext, step: Step) -> Check:
        p = step.params
        user = await _user(ctx.client(step.account), p["user_uid"])
        name, email = user.username.casefold(), (user.email or user.username).casefold()
        if name == p["new_username"].casefold() and email == p["new_email"].casefold():
            return Check(True, f"already renamed to {user.username}")
        if name in (p["username"].casefold(), p["new_username"].casefold()):
            return Check(False)
        raise StepConflict(
            f"{p['username']} is now named {user.username} (changed outside this wizard)",
            "Rename it back in the console and resume, or skip this step with a reason.",
        )

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        p = step.params
        await ctx.client(step.account).update_user(p["user_uid"], username=p["new_username"], email=p["new_email"])
        return {"username": p["new_username"], "email": p["new_email"]}

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        p = step.params
        user = await _user(ctx.client(step.account), p["user_uid"])
        done = user.username.casefold() == p["username"].casefold()
        return Check(done, f"named {user.username}")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        p = step.params
        await ctx.client(step.account).update_user(p["user_uid"], username=p["username"], email=p["email"])

    def advice(self, step: Step, exc: api_errors.ApiError) -> str:
        if exc.error_name == "USER_DUPLICATE":
            return (f"Another user already has {step.params['new_username']}; rename that user in the "
                    "console, then resume.")
        return super().advice(step, exc)


class DeactivateUser(Handler):
    """Deactivates a user (their devices follow; archives go to cold storage)."""

    async def check(self, ctx: StepContext, step: Step) -> Check:
        user = await _user(ctx.client(step.account), step.params["user_uid"])
        return Check(not user.is_active, "already deactivated" if not user.is_active else "")

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        await ctx.client(step.account).deactivate_user(step.params["user_uid"])
        return {}

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        user = await _user(ctx.client(step.account), step.params["user_uid"])
        return Check(user.is_active, "active")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        await ctx.client(step.account).activate_user(step.params["user_uid"])


def _same_parent(org: Any, p: dict[str, Any]) -> bool:
    return (org.parent_org_id is not None and org.parent_org_id == p.get("parent_id")) or (
        org.parent_org_guid is not None and org.parent_org_guid == p.get("parent_guid")) or (
        org.parent_org_uid is not None and org.parent_org_uid == p.get("parent_uid"))


class CreateOrg(Handler):
    """Creates the customer org directly under the target's top-level org."""

    async def _find(self, client: Code42Client, p: dict[str, Any]) -> Any:
        for org in await client.list_orgs():
            if org.is_active and org.org_name.casefold() == p["name"].casefold() and _same_parent(org, p):
                return org
        return None

    @staticmethod
    def _outputs(org: Any) -> dict[str, Any]:
        return {"org_uid": org.org_uid, "org_guid": org.org_guid, "org_id": org.org_id}

    async def check(self, ctx: StepContext, step: Step) -> Check:
        org = await self._find(ctx.client(step.account), step.params)
        if org is None:
            return Check(False)
        return Check(True, f"the org {org.org_name} exists", self._outputs(org))

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        p = step.params
        org = await ctx.client(step.account).create_org(p["name"], p["parent_guid"])
        return self._outputs(org)

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        if step.params.get("reuse"):
            return Check(True, "the org existed before this run; left as it is")
        org = await self._find(ctx.client(step.account), step.params)
        return Check(org is None, "deactivated" if org is None else "")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        client = ctx.client(step.account)
        org = await self._find(client, step.params)
        if org is not None:
            await client.deactivate_org(org.org_guid)


class CreateUser(Handler):
    """Creates a user in the migrated customer org of the target account."""

    async def _org_uid(self, ctx: StepContext, step: Step) -> str:
        outputs = ctx.outputs(step.params["org_step"])
        if outputs.get("org_uid"):
            return str(outputs["org_uid"])
        raise StepConflict("the customer org was not created in the target account",
                           "Resume so that the create-org step runs first.")

    async def check(self, ctx: StepContext, step: Step) -> Check:
        p = step.params
        org_uid = await self._org_uid(ctx, step)
        user = await ctx.client(step.account).find_user(p["username"])
        if user is None:
            return Check(False)
        if user.org_uid == org_uid and user.is_active:
            return Check(True, f"{user.username} exists in {p['org_name']}", {"user_uid": user.user_uid})
        where = user.org_name or user.org_uid
        state = "an active" if user.is_active else "a deactivated"
        raise StepConflict(
            f"the target account already has {state} user {user.username} in {where}",
            "Rename or move that user in the target console, then resume; or skip this step with a reason.",
        )

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        p = step.params
        org_uid = await self._org_uid(ctx, step)
        user = await ctx.client(step.account).create_user(
            org_uid, p["username"], email=p["email"], first_name=p.get("first_name"), last_name=p.get("last_name"),
        )
        return {"user_uid": user.user_uid}

    def _renamed(self, ctx: StepContext, value: str) -> str:
        # Not the source's suffix: that name is held by the renamed source user.
        return deactivated_name(value, ctx.planned_on, UNDO_SUFFIX)

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        client = ctx.client(step.account)
        user = await client.find_user(step.params["username"])
        if user is not None:
            return Check(False)
        renamed = await client.find_user(self._renamed(ctx, step.params["username"]))
        return Check(renamed is None or not renamed.is_active, "renamed and deactivated")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        """Renames the created user with the suffix (freeing the address) and deactivates it."""
        p = step.params
        client = ctx.client(step.account)
        user = await client.find_user(p["username"])
        if user is not None and user.user_uid:
            await client.update_user(user.user_uid, username=self._renamed(ctx, p["username"]),
                                     email=self._renamed(ctx, p["email"]))
        renamed = await client.find_user(self._renamed(ctx, p["username"]))
        if renamed is not None and renamed.is_active and renamed.user_uid:
            await client.deactivate_user(renamed.user_uid)

    def advice(self, step: Step, exc: api_errors.ApiError) -> str:
        if exc.error_name == "USER_DUPLICATE":
            return (f"{step.params['username']} or its email is still in use (a user not renamed in the "
                    "source account, or another account); rename it there, then resume.")
        return super().advice(step, exc)


class DeactivateOrg(Handler):
    """Deactivates a customer org (and whatever is still active under it)."""

    async def _org(self, client: Code42Client, p: dict[str, Any]) -> Any:
        try:
            return await client.get_org(p["org_guid"])
        except api_errors.NotFoundError as exc:
            raise StepConflict(f"the org {p['name']} no longer exists", "Skip this step with a reason.") from exc

    async def check(self, ctx: StepContext, step: Step) -> Check:
        org = await self._org(ctx.client(step.account), step.params)
        return Check(not org.is_active, "already deactivated" if not org.is_active else "")

    async def act(self, ctx: StepContext, step: Step) -> dict[str, Any]:
        await ctx.client(step.account).deactivate_org(step.params["org_guid"])
        return {}

    async def check_undo(self, ctx: StepContext, step: Step) -> Check:
        org = await self._org(ctx.client(step.account), step.params)
        return Check(org.is_active, "active")

    async def undo(self, ctx: StepContext, step: Step) -> None:
        await ctx.client(step.account).activate_org(step.params["org_guid"])


HANDLERS: dict[StepKind, Handler] = {
    StepKind.RENAME_USER: RenameUser(),
    StepKind.DEACTIVATE_USER: DeactivateUser(),
    StepKind.CREATE_ORG: CreateOrg(),
    StepKind.CREATE_USER: CreateUser(),
    StepKind.DEACTIVATE_ORG: DeactivateOrg(),
}
"""Handlers of the automatic API steps (draft-email is local and handled by the executor)."""
