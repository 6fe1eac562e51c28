"""Provides the consequence preview shown before an action on a user, device or org.

Each action (deactivate, reactivate, block, unblock) gets a `Consequences`: a title, the
subject, bullet lines saying what happens (archives to cold storage and held until purged,
the licence still held while they are there, devices stopping, reactivation within the cold
storage window), the cost effect computed by the billing engine, whether the action is
destructive, and the exact text the user must type to confirm it.

The cost effect (`domain.cost_effect`) is computed by applying the action to copies of the
snapshot's users and cold-storage rows and counting the billed users with the billing engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from msp_tui.domain.cost_effect import CostEffect, cost_effect, cost_lines
from msp_tui.domain.hierarchy import build_tree
from msp_tui.domain.policy import Policy
from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User

__all__ = [
    "DESTRUCTIVE", "Action", "Consequences", "CostEffect", "consequences_for", "describe_device",
    "describe_user", "device_consequences", "lockout_warning", "org_consequences", "purge_date",
    "retention_words",
    "user_consequences",
]


class Action(str, Enum):
    """An action the dashboard can run on a user, a device or an org."""

    DEACTIVATE_USER = "deactivate_user"
    REACTIVATE_USER = "reactivate_user"
    BLOCK_USER = "block_user"
    UNBLOCK_USER = "unblock_user"
    DEACTIVATE_DEVICE = "deactivate_device"
    REACTIVATE_DEVICE = "reactivate_device"
    BLOCK_DEVICE = "block_device"
    UNBLOCK_DEVICE = "unblock_device"
    DEACTIVATE_ORG = "deactivate_org"
    REACTIVATE_ORG = "reactivate_org"

    @property
    def verb(self) -> str:
        """The verb in words: "deactivate", "unblock"..."""
        return self.value.split("_")[0]

    @property
    def kind(self) -> str:
        """What it applies to: "user", "device" or "org"."""
        return self.value.split("_")[1]


DESTRUCTIVE = frozenset({Action.DEACTIVATE_USER, Action.DEACTIVATE_DEVICE, Action.DEACTIVATE_ORG})
"""Actions that start data loss (archives go to cold storage, purged when the hold ends)."""


@dataclass(frozen=True)
class Consequences:
    """Everything the confirm dialog shows about one action."""

    action: Action
    title: str
    """E.g. "Deactivate user"."""
    subject: str
    """The subject in words: "user ann@acme.example (Ann Lee) in Acme Dental"."""
    lines: tuple[str, ...]
    """What happens, one statement per line (cost lines included, at the end)."""
    destructive: bool
    confirm_text: str | None
    """The exact text to type to confirm; None when a plain confirmation is enough."""
    cost: CostEffect | None = None

    @property
    def cost_lines(self) -> tuple[str, ...]:
        """The lines about the bill (those starting with "Billing")."""
        return tuple(line for line in self.lines if line.startswith("Billing"))


# -- after-states ---------------------------------------------------------------------------


def _has_archive(device: Device) -> bool:
    return bool(device.backup_usage)


def _cold_row(device: Device, user: User | None) -> ColdStorageRow:
    return ColdStorageRow(
        archive_guid=f"pending-{device.computer_id}",
        source_user_id=device.user_id,
        source_user_uid=device.user_uid,
        source_user_name=user.username if user is not None else None,
        source_computer_id=device.computer_id,
        source_computer_guid=device.guid,
        source_computer_name=device.display_name,
        org_id=device.org_id,
    )


# -- subjects -------------------------------------------------------------------------------


def _org_name(snapshot: AccountSnapshot, org_id: int | None) -> str:
    org = snapshot.org(org_id)
    return org.org_name if org is not None else "an unknown org"


def describe_user(user: User, snapshot: AccountSnapshot) -> str:
    """Returns "user ann@acme.example (Ann Lee) in Acme Dental"."""
    name = f" ({user.full_name})" if user.full_name else ""
    return f"user {user.username}{name} in {_org_name(snapshot, user.org_id)}"


def describe_device(device: Device, snapshot: AccountSnapshot) -> str:
    """Returns "device ANN-LAPTOP of ann@acme.example in Acme Dental"."""
    owner = next((u.username for u in snapshot.users if u.user_id == device.user_id), None)
    of = f" of {owner}" if owner else ""
    return f"device {device.display_name}{of} in {_org_name(snapshot, device.org_id)}"


def purge_date(retention_days: int, today: date) -> date:
    """The day archives sent to cold storage `today` are purged, with a retention of `retention_days`."""
    return today + timedelta(days=retention_days)


def retention_words(retention_days: int, today: date) -> str:
    """A known retention and its purge day in words: "90 days, around 2025-08-31"."""
    return f"{retention_days} days, around {purge_date(retention_days, today):%Y-%m-%d}"


def _window(retention_days: int | None, today: date) -> str:
    """The cold-storage window in words; with the retention known, the purge day too."""
    if retention_days is not None:
        return (f"the org's cold-storage retention period ({retention_days} days), "
                f"around {purge_date(retention_days, today):%Y-%m-%d}")
    return "the org's cold-storage retention period (a per-org setting; check it in the console)"


def _hold_until(rows: Iterable[ColdStorageRow]) -> str | None:
    dates = [r.archive_hold_expire_date for r in rows if r.archive_hold_expire_date is not None]
    return f"{min(dates):%Y-%m-%d}" if dates else None


# -- builders -------------------------------------------------------------------------------


def user_consequences(
    action: Action,
    user: User,
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    *,
    retention_days: int | None = None,
    cycle_start_users: int | None = None,
) -> Consequences:
    """Returns the consequences of a user action (deactivate, reactivate, block, unblock)."""
    devices = [d for d in snapshot.devices if d.user_id == user.user_id]
    active = [d for d in devices if d.is_active]
    users = list(snapshot.users)
    cold = list(snapshot.cold_storage)
    purge: set[int] = set()
    lines: list[str]
    if action is Action.DEACTIVATE_USER:
        archived = [d for d in active if _has_archive(d)]
        users = [_set_active(u, False) if u.user_id == user.user_id else u for u in users]
        cold += [_cold_row(d, user) for d in archived]
        purge = {user.user_id}
        lines = [
            (f"The user's {len(active)} active device(s) are deactivated and stop backing up."
             if active else "The user has no active device: no backup stops."),
            (f"{len(archived)} archive(s) go to cold storage and stay there until purged."
             if archived else "No new archive goes to cold storage."),
            "While an archive is in cold storage the user's licence (subscription) is still held.",
            "Reactivation is possible until the archives are purged at the end of "
            f"{_window(retention_days, today)}; after that the data is gone for good.",
            "The user can no longer sign in, and cannot be placed on a legal hold.",
            "To reuse the email for a new user, rename this user first (one email per user).",
        ]
    elif action is Action.REACTIVATE_USER:
        users = [_set_active(u, True) if u.user_id == user.user_id else u for u in users]
        held = [r for r in cold if r.source_user_id == user.user_id]
        cold = [r for r in cold if r.source_user_id != user.user_id]
        until = _hold_until(held)
        lines = [
            f"{len(held)} archive(s) come back from cold storage"
            + (f" (held until {until})." if until else "."),
            "Backup resumes when the user signs in again on the same device.",
            "The user takes a licence again (if it was freed).",
        ]
    elif action is Action.BLOCK_USER:
        lines = [
            "The user can no longer sign in or restore; backups continue.",
            "Nothing goes to cold storage; the licence is still held.",
        ]
    elif action is Action.UNBLOCK_USER:
        lines = ["The user can sign in and restore again; backups were never stopped."]
    else:
        raise ValueError(f"{action.value} is not a user action")
    effect = cost_effect(snapshot, policy, today, users, cold, purge, cycle_start_users)
    return _build(action, describe_user(user, snapshot), lines, effect, policy, user.username)


def device_consequences(
    action: Action,
    device: Device,
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    *,
    retention_days: int | None = None,
    cycle_start_users: int | None = None,
) -> Consequences:
    """Returns the consequences of a device action (deactivate, reactivate, block, unblock)."""
    owner = next((u for u in snapshot.users if u.user_id == device.user_id), None)
    cold = list(snapshot.cold_storage)
    if action is Action.DEACTIVATE_DEVICE:
        archived = _has_archive(device)
        if archived:
            cold.append(_cold_row(device, owner))
        lines = [
            "The device stops backing up and is signed out.",
            ("Its archive goes to cold storage and stays there until purged."
             if archived else "It has no archive; nothing goes to cold storage."),
            "The user keeps their licence: billing counts users, not devices.",
            "Reactivation is possible until the archive is purged at the end of "
            f"{_window(retention_days, today)}; after that the data is gone for good.",
        ]
    elif action is Action.REACTIVATE_DEVICE:
        held = [r for r in cold if r.source_computer_id == device.computer_id]
        cold = [r for r in cold if r.source_computer_id != device.computer_id]
        until = _hold_until(held)
        lines = [
            "The archive comes back from cold storage" + (f" (held until {until})." if until else "."),
            "Backup resumes when the user signs in on this device.",
        ]
    elif action is Action.BLOCK_DEVICE:
        lines = ["The device can no longer be used to sign in or restore; backups continue.",
                 "Nothing goes to cold storage; the licence is still held."]
    elif action is Action.UNBLOCK_DEVICE:
        lines = ["The device can be used again; backups were never stopped."]
    else:
        raise ValueError(f"{action.value} is not a device action")
    effect = cost_effect(snapshot, policy, today, list(snapshot.users), cold, set(), cycle_start_users)
    return _build(action, describe_device(device, snapshot), lines, effect, policy,
                  device.display_name)


def org_consequences(
    action: Action,
    org: Org,
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    *,
    retention_days: int | None = None,
    cycle_start_users: int | None = None,
) -> Consequences:
    """Returns the consequences of deactivating or reactivating an org (with its nested orgs)."""
    tree = build_tree(snapshot)
    scope = {org.org_id} | {
        oid for oid, cid in tree.customer_of.items() if cid == org.org_id
    }
    members = [u for u in snapshot.users if u.org_id in scope]
    ids = {u.user_id for u in members}
    users = list(snapshot.users)
    cold = list(snapshot.cold_storage)
    purge: set[int] = set()
    if action is Action.DEACTIVATE_ORG:
        active_users = [u for u in members if u.is_active]
        devices = [d for d in snapshot.devices if d.org_id in scope and d.is_active]
        users = [_set_active(u, False) if u.user_id in ids else u for u in users]
        by_id = {u.user_id: u for u in members}
        cold += [_cold_row(d, by_id.get(d.user_id or -1)) for d in devices if _has_archive(d)]
        purge = ids
        lines = [
            f"All {len(active_users)} active user(s) of the org are deactivated; "
            f"{len(devices)} device(s) stop backing up.",
            "Their archives go to cold storage and stay there until purged.",
            "While archives are in cold storage the users' licences are still held.",
            "Reactivation is possible until the archives are purged at the end of "
            f"{_window(retention_days, today)}.",
            "To close the customer's account with Code42, email msp-billing@code42.com afterwards.",
        ]
    elif action is Action.REACTIVATE_ORG:
        users = [_set_active(u, True) if u.user_id in ids else u for u in users]
        cold = [r for r in cold if r.source_user_id not in ids]
        lines = ["The org and its users are reactivated; archives come back from cold storage.",
                 "Backups resume when each user signs in again."]
    else:
        raise ValueError(f"{action.value} is not an org action")
    effect = cost_effect(snapshot, policy, today, users, cold, purge, cycle_start_users)
    return _build(action, f"org {org.org_name}", lines, effect, policy, org.org_name)


def _set_active(user: User, active: bool) -> User:
    status = "Active" if active else "Deactivated"
    return user.model_copy(update={"active": active, "status": status})


def _build(action: Action, subject: str, lines: list[str], effect: CostEffect, policy: Policy,
           name: str) -> Consequences:
    destructive = action in DESTRUCTIVE
    tail = ["Destructive: this starts data loss." if destructive else "Not destructive."]
    return Consequences(
        action=action,
        title=f"{action.verb.capitalize()} {action.kind}",
        subject=subject,
        lines=tuple(lines + cost_lines(effect, policy) + tail),
        destructive=destructive,
        confirm_text=name if destructive else None,
        cost=effect,
    )


def lockout_warning(action: Action, subject: User | Device | Org, snapshot: AccountSnapshot,
                    login: str | None) -> str | None:
    """A warning when the action would lock out `login`, the account msp-tui signs in with:
    deactivating or blocking that user, or deactivating the org it belongs to."""
    if not login:
        return None
    mine = login.strip().casefold()
    if action in (Action.DEACTIVATE_USER, Action.BLOCK_USER) and isinstance(subject, User):
        hit = (subject.username or "").casefold() == mine
    elif action is Action.DEACTIVATE_ORG and isinstance(subject, Org):
        tree = build_tree(snapshot)
        scope = {subject.org_id} | {oid for oid, cid in tree.customer_of.items() if cid == subject.org_id}
        hit = any((u.username or "").casefold() == mine and u.is_active
                  for u in snapshot.users if u.org_id in scope)
    else:
        hit = False
    if not hit:
        return None
    return (f"⚠ {login} is the login msp-tui signs in with: after this, msp-tui (and anyone "
            "using that login) can no longer sign in to this account. Use another administrator.")


def consequences_for(
    action: Action,
    subject: User | Device | Org,
    snapshot: AccountSnapshot,
    policy: Policy,
    today: date,
    *,
    login: str | None = None,
    **options: int | None,
) -> Consequences:
    """Dispatches to the builder for the subject's kind (`retention_days`, `cycle_start_users`);
    `login` (the signed-in username) adds a first line when the action would lock it out."""
    result: Consequences
    if isinstance(subject, User):
        result = user_consequences(action, subject, snapshot, policy, today, **options)
    elif isinstance(subject, Device):
        result = device_consequences(action, subject, snapshot, policy, today, **options)
    else:
        result = org_consequences(action, subject, snapshot, policy, today, **options)
    warning = lockout_warning(action, subject, snapshot, login)
    if warning is None:
        return result
    return replace(result, lines=(warning, *result.lines))
