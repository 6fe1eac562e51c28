"""Provides the plan builders of the three wizards, from AccountSnapshots (pure).

Step order follows the program FAQ:
- migration: deactivate and rename each user in the source account (renamed first, while the
  user is still active, as the vendor's reuse-an-email procedure says, then deactivated), create
  the customer org under the target's top-level org, create each user in it, then per device
  a complete uninstall of the agent and a reinstall signed in to the target account;
- offboarding: deactivate each user of the customer (their devices follow), then the org;
- account closure: the same for every customer, then the users of the top-level org, then the
  email to msp-billing (drafted automatically, sent by a person).

The summary says how long the deactivated users' archives stay in cold storage when the caller
passes the orgs' retention (`retention`, days per org id, fetched for `retention_orgs`): the number
of days and the approximate purge date; without it, only that the org's retention period applies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from msp_tui.domain.consequences import purge_date, retention_words
from msp_tui.domain.hierarchy import OrgTree, build_tree
from msp_tui.domain.policy import Policy
from msp_tui.domain.whatif import (
    AddUsers,
    MigrateIn,
    MigrateOut,
    RemoveCustomer,
    counts_from_snapshot,
)
from msp_tui.domain.wizards.cost import cost_line
from msp_tui.domain.wizards.model import Plan, Step, StepKind, WizardKind
from msp_tui.domain.wizards.rename import DEFAULT_SUFFIX, deactivated_name, suffix_for
from msp_tui.models import AccountSnapshot, Device, Org, User

MSP_BILLING = "msp-billing@code42.com"
"""Where the FAQ says to ask for an account to be closed."""
PAYMENT_SUPPORT = "support@2checkout.com"
"""The payment processor's support, for payment-method problems."""
OS_LABELS = {"win": "Windows", "mac": "macOS", "linux": "Linux"}
EACH_ORG = "each org's"
"""Whose retention period an account closure speaks of."""
NAMES_SHOWN = 3
"""Org names listed for a retention that differs from the usual one, before "and N more"."""


class PlanError(ValueError):
    """The wizard cannot be planned (unknown org, same account twice...); the message says why."""


@dataclass(frozen=True)
class Member:
    """An active user of a customer and their active devices."""

    user: User
    devices: tuple[Device, ...]


def os_label(os_name: str | None) -> str:
    """Returns "Windows", "macOS" or "Linux" for a Code42 osName (unknown values as given)."""
    return OS_LABELS.get((os_name or "").lower(), os_name or "unknown OS")


def _account_name(snapshot: AccountSnapshot, tree: OrgTree) -> str:
    if tree.top is None:
        raise PlanError(f"{snapshot.profile}: the account has no top-level org")
    return tree.top.org_name


def _customer(tree: OrgTree, name: str, account: str) -> Org:
    org = tree.find_by_name(name)
    if org is not None:
        return org
    nested = next((o for o in tree.nested if o.org_name.casefold() == name.casefold()), None)
    if nested is not None:
        owner = tree.customer_for(nested.org_id)
        raise PlanError(
            f"{name!r} is nested under the customer {owner.org_name if owner else '?'!r} in {account}; "
            "plan the customer org itself"
        )
    known = ", ".join(sorted(o.org_name for o in tree.customers if o.is_active)) or "none"
    raise PlanError(f"no customer org {name!r} in {account} (customers: {known})")


def _members(snapshot: AccountSnapshot, tree: OrgTree, org: Org) -> tuple[list[Member], list[User], list[Org]]:
    """Active users (with active devices) of a customer and its nested orgs; inactive users; nested orgs."""
    inside = {o for o, c in tree.customer_of.items() if c == org.org_id}
    nested = [tree.orgs[o] for o in inside if o != org.org_id]
    users = [u for u in snapshot.users if u.org_id in inside]
    by_user: dict[int, list[Device]] = {}
    for device in snapshot.devices:
        if device.is_active and device.user_id is not None:
            by_user.setdefault(device.user_id, []).append(device)
    members = [
        Member(u, tuple(sorted(by_user.get(u.user_id, ()), key=lambda d: d.computer_id)))
        for u in sorted(users, key=lambda u: u.username.casefold()) if u.is_active
    ]
    inactive = [u for u in users if not u.is_active]
    return members, inactive, sorted(nested, key=lambda o: o.org_name)


def retention_orgs(snapshot: AccountSnapshot, org_name: str | None = None) -> list[Org]:
    """The orgs whose cold-storage retention a plan can state, to fetch before planning.

    With `org_name` (migration, offboarding): the customer org and its active nested orgs; without
    (account closure): every active org of the account. Empty when `org_name` is not a customer.
    """
    tree = build_tree(snapshot)
    if org_name is None:
        return [o for o in snapshot.orgs if o.is_active]
    org = tree.find_by_name(org_name)
    if org is None:
        return []
    nested = [tree.orgs[i] for i, c in tree.customer_of.items() if c == org.org_id and i != org.org_id]
    return [org] + sorted((o for o in nested if o.is_active), key=lambda o: o.org_name)


def _names(names: Iterable[str]) -> str:
    shown = sorted(set(names), key=str.casefold)
    if len(shown) <= NAMES_SHOWN:
        return ", ".join(shown)
    return f"{', '.join(shown[:NAMES_SHOWN])} and {len(shown) - NAMES_SHOWN} more"


def retention_summary(orgs: Iterable[Org], retention: Mapping[int, int] | None, today: date) -> str | None:
    """The cold-storage retention of `orgs` in words, or None when none of them is known.

    One value: "90 days, around 2025-08-31" (the purge day of archives sent to cold storage
    `today`). Several: the most common one, then each other one with the orgs it applies to, then
    the orgs not known: "365 days, around 2026-06-02; 90 days for Maple Street Veterinary, around
    2025-08-31; unknown for Acme".
    """
    scope = list({o.org_id: o for o in orgs}.values())
    known = {o.org_id: retention[o.org_id] for o in scope if retention and o.org_id in retention}
    if not known:
        return None
    counts = Counter(known.values())
    usual = max(counts, key=lambda days: (counts[days], days))
    others: dict[int, list[str]] = {}
    for o in scope:
        days = known.get(o.org_id)
        if days is not None and days != usual:
            others.setdefault(days, []).append(o.org_name)
    parts = [retention_words(usual, today)]
    parts += [f"{days} days for {_names(names)}, around {purge_date(days, today):%Y-%m-%d}"
              for days, names in sorted(others.items())]
    unknown = [o.org_name for o in scope if o.org_id not in known]
    if unknown:
        parts.append(f"unknown for {_names(unknown)}")
    return "; ".join(parts)


def _retention_period(orgs: Iterable[Org], retention: Mapping[int, int] | None, today: date,
                      *, whose: str = "the org's") -> str:
    """"the org's retention period" with, when known, "(90 days, around 2025-08-31)"."""
    known = retention_summary(orgs, retention, today)
    return f"{whose} retention period" + (f" ({known})" if known else "")


def _scope(org: Org | None, members: Iterable[Member], tree: OrgTree) -> list[Org]:
    """The orgs whose archives a plan sends to cold storage: `org` and its members' orgs."""
    orgs = [tree.orgs.get(m.user.org_id) for m in members if m.user.org_id is not None]
    return ([org] if org is not None else []) + [o for o in orgs if o is not None]


def _device_row(member: Member, device: Device) -> dict[str, object]:
    return {
        "user": member.user.username,
        "name": device.display_name,
        "hostname": device.os_hostname or device.name or "",
        "os": (device.os_name or "").lower(),
        "computer_id": device.computer_id,
        "guid": device.guid,
        "last_connected": device.last_connected.isoformat() if device.last_connected else None,
    }


def _user_row(member: Member, org: str, **extra: object) -> dict[str, object]:
    user = member.user
    return {"username": user.username, "email": user.email or user.username, "name": user.full_name,
            "org": org, "devices": len(member.devices), **extra}


def _deactivate_user_step(user: User, account: str, *, renamed_to: str | None = None) -> Step:
    shown = renamed_to or user.username
    return Step(
        f"deactivate-user:{user.user_uid}", StepKind.DEACTIVATE_USER, "source",
        f"Deactivate {shown} in {account}",
        {"user_uid": user.user_uid, "user_id": user.user_id, "username": shown},
    )


def _deactivate_org_step(org: Org, account: str) -> Step:
    return Step(
        f"deactivate-org:{org.org_uid or org.org_id}", StepKind.DEACTIVATE_ORG, "source",
        f"Deactivate the org {org.org_name} in {account}",
        {"org_guid": org.org_guid, "org_uid": org.org_uid, "org_id": org.org_id, "name": org.org_name},
    )


def migration_plan(
    source: AccountSnapshot,
    target: AccountSnapshot,
    org_name: str,
    *,
    policy: Policy,
    today: date,
    profiles: tuple[str, str],
    rename_suffix: str = DEFAULT_SUFFIX,
    retention: Mapping[int, int] | None = None,
    demo: bool = False,
) -> Plan:
    """Plans moving the customer `org_name` from `source` to `target`.

    `retention` (days per org id of `source`) makes the summary say when the archives left in
    the source's cold storage are purged.

    Raises:
        PlanError: The accounts are the same, the org is unknown, nested or deactivated.
    """
    if profiles[0] == profiles[1]:
        raise PlanError("the source and target accounts are the same profile")
    s_tree, t_tree = build_tree(source), build_tree(target)
    src, tgt = _account_name(source, s_tree), _account_name(target, t_tree)
    if src == tgt and source.top_org and target.top_org and source.top_org.org_guid == target.top_org.org_guid:
        raise PlanError("the source and target profiles are the same partner account")
    org = _customer(s_tree, org_name, src)
    if not org.is_active:
        raise PlanError(f"the customer org {org.org_name!r} is deactivated in {src}; nothing to migrate")
    members, inactive, nested = _members(source, s_tree, org)
    name = org.org_name
    suffix = suffix_for(today, rename_suffix)
    existing = t_tree.find_by_name(name)
    reuse = existing if existing is not None and existing.is_active else None
    t_users = {u.username.casefold(): u for u in target.users}

    warnings: list[str] = []
    if reuse is not None:
        warnings.append(f"{tgt} already has an active customer org {reuse.org_name!r}: it is used "
                        "as is (no second org is created).")
    for m in members:
        clash = t_users.get(m.user.username.casefold())
        if clash is not None and not (reuse is not None and clash.org_id == reuse.org_id):
            warnings.append(f"{tgt} already has a user {clash.username} (in {clash.org_name or 'another org'}): "
                            "creating it will fail until that user is renamed or removed.")
        if len(m.devices) > policy.prices.max_devices_per_user:
            warnings.append(f"{m.user.username} has {len(m.devices)} devices; only "
                            f"{policy.prices.max_devices_per_user} may back up per user.")
    if not members:
        warnings.append(f"{name} has no active users: only the org is created in {tgt}.")

    steps: list[Step] = []
    for m in members:
        u = m.user
        email = u.email or u.username
        new_username, new_email = deactivated_name(u.username, today, rename_suffix), deactivated_name(email, today, rename_suffix)
        steps.append(Step(
            f"rename-user:{u.user_uid}", StepKind.RENAME_USER, "source",
            f"Rename {u.username} to {new_username} in {src}",
            {"user_uid": u.user_uid, "user_id": u.user_id, "username": u.username, "email": email,
             "new_username": new_username, "new_email": new_email},
        ))
        steps.append(_deactivate_user_step(u, src, renamed_to=new_username))
    top = t_tree.top
    assert top is not None
    org_key = "create-org:target"
    steps.append(Step(
        org_key, StepKind.CREATE_ORG, "target",
        f"Create the customer org {name} under {tgt}" + (" (exists: reused)" if reuse else ""),
        {"name": name, "parent_guid": top.org_guid, "parent_uid": top.org_uid, "parent_id": top.org_id,
         "parent_name": top.org_name, "reuse": reuse is not None},
    ))
    for m in members:
        u = m.user
        steps.append(Step(
            f"create-user:{u.username.casefold()}", StepKind.CREATE_USER, "target",
            f"Create {u.username} in {name} ({tgt})",
            {"username": u.username, "email": u.email or u.username, "first_name": u.first_name,
             "last_name": u.last_name, "org_name": name, "org_step": org_key},
        ))
    for m in members:
        for index, d in enumerate(m.devices, start=1):
            host = d.os_hostname or d.name or str(d.computer_id)
            reinstall_key = f"reinstall-agent:{d.computer_id}"
            common = {"username": m.user.username, "device_name": d.display_name, "hostname": host,
                      "os": (d.os_name or "").lower(), "computer_id": d.computer_id, "guid": d.guid,
                      "index": index, "account_name": tgt}
            steps.append(Step(
                f"uninstall-agent:{d.computer_id}", StepKind.UNINSTALL_AGENT, "source",
                f"Completely uninstall the agent on {host} ({os_label(d.os_name)}, {m.user.username})",
                {**common, "reinstall_step": reinstall_key},
            ))
            steps.append(Step(
                reinstall_key, StepKind.REINSTALL_AGENT, "target",
                f"Reinstall the agent on {host} and sign in to {tgt} as {m.user.username}",
                common,
            ))

    n_users = len(members)
    n_devices = sum(len(m.devices) for m in members)
    held = retention_summary(_scope(org, members, s_tree), retention, today)
    summary = [
        f"Move the customer {name} from {src} to {tgt}: {n_users} users, {n_devices} devices.",
        f"Backup archives start over in {tgt}: every device makes a new full initial backup after "
        "the reinstall; version history does not move between accounts.",
        f"The old archives stay in {src}'s cold storage with the deactivated users until purged"
        + (f", or until the org's retention period ({held}) ends, and " if held else
           " (or until the org's retention period ends) and ")
        + "may still hold subscriptions there until then.",
        f"Users are renamed in {src} before the address is reused: {suffix!r} is inserted before the @ "
        f"of username and email (jane.doe@example.com → jane.doe{suffix}@example.com); a rollback "
        "renames them back and reactivates them.",
        f"A technician then completely uninstalls the agent on each of the {n_devices} devices and "
        f"reinstalls it signed in to {tgt} (per-OS runbook: `msp-tui wizards runbook ID`). A reinstall "
        f"is marked done when a device of that user checks in to {tgt}, or by hand.",
    ]
    if inactive:
        summary.append(f"{len(inactive)} user(s) of {name} are already deactivated "
                       f"({', '.join(sorted(u.username for u in inactive))}); they stay in {src}.")
    if nested:
        summary.append(f"Nested orgs ({', '.join(o.org_name for o in nested)}) are not recreated: their "
                       f"users go into the single org {name} in {tgt} (one org per customer, no child orgs).")

    s_counts, t_counts = counts_from_snapshot(source, s_tree), counts_from_snapshot(target, t_tree)
    line = s_tree.line_name(org.org_id)
    incoming = (AddUsers(org=name, users=n_users, devices=n_devices) if reuse is not None and n_users
                else MigrateIn(org=name, users=n_users, devices=n_devices))
    costs = (
        cost_line("source", src, s_counts, [MigrateOut(org=line)], policy, today,
                  purge_changes=[MigrateOut(org=line, purge=True)]),
        cost_line("target", tgt, t_counts, [incoming] if n_users or reuse is None else [], policy, today),
    )
    return Plan(
        kind=WizardKind.MIGRATE,
        title=f"Migrate {name} from {src} to {tgt}",
        profiles={"source": profiles[0], "target": profiles[1]},
        accounts={"source": src, "target": tgt},
        planned_on=today.isoformat(),
        confirm_name=name,
        steps=tuple(steps),
        org_name=name,
        demo=demo,
        summary=tuple(summary),
        users=tuple(_user_row(m, name, new_username=deactivated_name(m.user.username, today, rename_suffix))
                    for m in members),
        devices=tuple(_device_row(m, d) for m in members for d in m.devices),
        costs=costs,
        warnings=tuple(warnings),
    )


def offboard_plan(
    snapshot: AccountSnapshot,
    org_name: str,
    *,
    policy: Policy,
    today: date,
    profile: str,
    retention: Mapping[int, int] | None = None,
    demo: bool = False,
) -> Plan:
    """Plans deactivating the customer `org_name`: its users (devices follow), then the org.

    `retention` (days per org id) makes the summary say when the archives are purged.

    Raises:
        PlanError: The org is unknown, nested or already deactivated.
    """
    tree = build_tree(snapshot)
    account = _account_name(snapshot, tree)
    org = _customer(tree, org_name, account)
    if not org.is_active:
        raise PlanError(f"the customer org {org.org_name!r} is already deactivated in {account}")
    members, inactive, nested = _members(snapshot, tree, org)
    steps = [_deactivate_user_step(m.user, account) for m in members]
    steps.append(_deactivate_org_step(org, account))
    n_devices = sum(len(m.devices) for m in members)
    summary = [
        f"Offboard {org.org_name} in {account}: deactivate {len(members)} users (and so their "
        f"{n_devices} devices), then the org" + (f" and its nested orgs ({', '.join(o.org_name for o in nested)})" if nested else "") + ".",
        "Backups stop. The archives go to cold storage and stay there until purged or until "
        f"{_retention_period(_scope(org, members, tree), retention, today)} ends; reactivating a user (or the org) "
        "within that time brings them back.",
        "Licences are not freed at once: a deactivated user whose archive is in cold storage still "
        "holds a subscription until the archive is purged (freed by the next daily accounting run).",
    ]
    if inactive:
        summary.append(f"{len(inactive)} user(s) were already deactivated and are left as they are.")
    counts = counts_from_snapshot(snapshot, tree)
    line = tree.line_name(org.org_id)
    costs = (cost_line("source", account, counts, [RemoveCustomer(org=line, purge=False)], policy, today,
                       purge_changes=[RemoveCustomer(org=line, purge=True)]),)
    return Plan(
        kind=WizardKind.OFFBOARD,
        title=f"Offboard {org.org_name} from {account}",
        profiles={"source": profile},
        accounts={"source": account},
        planned_on=today.isoformat(),
        confirm_name=org.org_name,
        steps=tuple(steps),
        org_name=org.org_name,
        demo=demo,
        summary=tuple(summary),
        users=tuple(_user_row(m, org.org_name) for m in members),
        devices=tuple(_device_row(m, d) for m in members for d in m.devices),
        costs=costs,
    )


def closure_plan(
    snapshot: AccountSnapshot,
    *,
    policy: Policy,
    today: date,
    profile: str,
    own_usernames: Iterable[str] = (),
    retention: Mapping[int, int] | None = None,
    demo: bool = False,
) -> Plan:
    """Plans closing the partner account: every customer org and user, then the email.

    `own_usernames` (the signed-in console login) are left active: deactivating them would lock
    the wizard out before it finishes; msp-billing closes them with the account. `retention`
    (days per org id) makes the summary say when the archives are purged, org by org.
    """
    tree = build_tree(snapshot)
    account = _account_name(snapshot, tree)
    keep = {u.casefold() for u in own_usernames}
    steps: list[Step] = []
    users: list[dict[str, object]] = []
    devices: list[dict[str, object]] = []
    customers = [o for o in tree.customers if o.is_active]
    scope: list[Org] = []
    for org in customers:
        members, _, _ = _members(snapshot, tree, org)
        members = [m for m in members if m.user.username.casefold() not in keep]
        scope += _scope(org, members, tree)
        steps.extend(_deactivate_user_step(m.user, account) for m in members)
        steps.append(_deactivate_org_step(org, account))
        users.extend(_user_row(m, org.org_name) for m in members)
        devices.extend(_device_row(m, d) for m in members for d in m.devices)
    in_customers = {o for o, c in tree.customer_of.items() if c is not None}
    kept: list[str] = []
    by_user: dict[int, list[Device]] = {}
    for d in snapshot.devices:
        if d.is_active and d.user_id is not None:
            by_user.setdefault(d.user_id, []).append(d)
    for u in sorted(snapshot.users, key=lambda u: u.username.casefold()):
        if not u.is_active or u.org_id in in_customers:
            continue
        if u.username.casefold() in keep:
            kept.append(u.username)
            continue
        m = Member(u, tuple(by_user.get(u.user_id, ())))
        scope += _scope(None, [m], tree)
        steps.append(_deactivate_user_step(u, account))
        users.append(_user_row(m, u.org_name or account))
        devices.extend(_device_row(m, d) for d in m.devices)
    subject = f"Please close our Code42 MSP partner account {account}"
    steps.append(Step("draft-email", StepKind.DRAFT_EMAIL, "local",
                      f"Draft the closure email to {MSP_BILLING}", {"to": MSP_BILLING, "subject": subject}))
    steps.append(Step("send-email", StepKind.SEND_EMAIL, "local",
                      f"Send the closure email to {MSP_BILLING} and confirm it was sent",
                      {"to": MSP_BILLING, "subject": subject}))
    summary = [
        f"Close the partner account {account}: deactivate {len(customers)} customer orgs and "
        f"{len(users)} users (and so {len(devices)} devices).",
        "Backups stop everywhere. Archives go to cold storage and stay until purged or until "
        f"{_retention_period(scope, retention, today, whose=EACH_ORG)} ends; subscriptions are held until then.",
        f"Then email {MSP_BILLING} to close the account: the wizard drafts the email (account, what "
        "was deactivated and when); you send it and confirm (`wizards resume ID --done send-email`).",
        f"Payment-method problems go to the payment processor, 2Checkout: {PAYMENT_SUPPORT}.",
    ]
    if kept:
        summary.append(f"Your own login ({', '.join(kept)}) stays active so the wizard can finish; "
                       "msp-billing closes it with the account.")
    counts = counts_from_snapshot(snapshot, tree)
    lines = [name for name, c in counts.customers.items() if c.active_users or c.cold_users or c.devices]
    costs = (cost_line("source", account, counts, [RemoveCustomer(org=n, purge=False) for n in lines], policy,
                       today, purge_changes=[RemoveCustomer(org=n, purge=True) for n in lines]),)
    return Plan(
        kind=WizardKind.CLOSE_ACCOUNT,
        title=f"Close the partner account {account}",
        profiles={"source": profile},
        accounts={"source": account},
        planned_on=today.isoformat(),
        confirm_name=account,
        steps=tuple(steps),
        demo=demo,
        summary=tuple(summary),
        users=tuple(users),
        devices=tuple(devices),
        costs=costs,
        email={"to": MSP_BILLING, "payment_support": PAYMENT_SUPPORT, "subject": subject},
    )
