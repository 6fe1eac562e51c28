"""Provides what-if projections: apply hypothetical changes to per-customer counts.

Changes never touch the snapshot or the server: the snapshot is reduced once to a small count
model (`AccountCounts`: active users, cold-storage users and devices per chargeback line) and
each change edits a copy of it. The result holds the projection before and after.

Timing: a change made today does not alter this cycle's rate, which was fixed when the cycle
began, so both projections share this cycle's rate and the effect shows in the next cycle's
rate and total (`WhatIfResult.delta`).

Deactivation vs removal: deactivated users' archives go to cold storage, where (with
`count_cold_storage_users` on) they stay billed until purged. `deactivate_users` and
`migrate_out` (the FAQ's migration procedure deactivates and renames users) keep the users in
cold storage unless `purge` is set; `remove_users`, `remove_customer` and
`purge_cold_storage` take them off the bill entirely.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from msp_tui.domain.health import facts_for
from msp_tui.domain.hierarchy import OrgTree, build_tree
from msp_tui.domain.policy import BillingSettings, Policy
from msp_tui.domain.pricing import allocate, billed_users, total_for
from msp_tui.domain.projection import Projection, project
from msp_tui.models.snapshot import AccountSnapshot


class WhatIfError(ValueError):
    """A what-if change list is malformed or names an unknown customer."""


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    org: str = Field(min_length=1)
    """Customer org name."""


class AddUsers(_Change):
    """Add `users` new users (with `devices` devices, default one each) to an existing customer."""

    kind: Literal["add_users"] = "add_users"
    users: int = Field(gt=0)
    devices: int | None = Field(default=None, ge=0)


class RemoveUsers(_Change):
    """Remove `users` users from a customer for good (deactivated and purged)."""

    kind: Literal["remove_users"] = "remove_users"
    users: int = Field(gt=0)
    devices: int | None = Field(default=None, ge=0)
    """Devices going with them; default in proportion."""


class DeactivateUsers(_Change):
    """Deactivate `users` users of a customer; their archives go to cold storage."""

    kind: Literal["deactivate_users"] = "deactivate_users"
    users: int = Field(gt=0)
    devices: int | None = Field(default=None, ge=0)
    """Devices going with them; default in proportion."""


class RemoveCustomer(_Change):
    """Close a customer: all its users leave the bill (`purge=False` keeps them in cold storage)."""

    kind: Literal["remove_customer"] = "remove_customer"
    purge: bool = True


class MigrateIn(_Change):
    """A customer moves into this account as a new org with `users` users and `devices` devices."""

    kind: Literal["migrate_in"] = "migrate_in"
    users: int = Field(ge=0)
    devices: int | None = Field(default=None, ge=0)
    """Default one per user."""


class MigrateOut(_Change):
    """A customer moves to another account: its users are deactivated and renamed here.

    Their archives stay in this account's cold storage (billed while counted) unless `purge`.
    """

    kind: Literal["migrate_out"] = "migrate_out"
    purge: bool = False


class PurgeColdStorage(_Change):
    """Purge a customer's cold storage, freeing the subscriptions it holds."""

    kind: Literal["purge_cold_storage"] = "purge_cold_storage"


Change = Annotated[
    Union[
        AddUsers, RemoveUsers, DeactivateUsers, RemoveCustomer, MigrateIn, MigrateOut,
        PurgeColdStorage,
    ],
    Field(discriminator="kind"),
]
"""One hypothetical change, told apart by its "kind"."""

_CHANGES: TypeAdapter[list[Change]] = TypeAdapter(list[Change])


@dataclass(frozen=True, slots=True)
class CustomerCounts:
    """The counts of one chargeback line that the bill depends on."""

    org: str
    active_users: int = 0
    cold_users: int = 0
    """Deactivated users whose archives are still in cold storage."""
    devices: int = 0

    def billed(self, settings: BillingSettings) -> int:
        """Billed users of this customer."""
        return self.active_users + (self.cold_users if settings.count_cold_storage_users else 0)


@dataclass(frozen=True)
class AccountCounts:
    """Per-customer counts of one account, keyed by chargeback line name."""

    customers: dict[str, CustomerCounts]

    def billed(self, settings: BillingSettings) -> int:
        """Billed users of the whole account."""
        return sum(c.billed(settings) for c in self.customers.values())

    @property
    def devices(self) -> int:
        """Active devices of the whole account."""
        return sum(c.devices for c in self.customers.values())


def counts_from_snapshot(snapshot: AccountSnapshot, tree: OrgTree | None = None) -> AccountCounts:
    """Reduces `snapshot` to per-customer counts (customers, top-level and detached lines)."""
    tree = tree or build_tree(snapshot)
    every = billed_users(
        snapshot.users, snapshot.cold_storage, BillingSettings(count_cold_storage_users=True)
    )
    lines: dict[str, CustomerCounts] = {
        o.org_name: CustomerCounts(o.org_name) for o in tree.customers if o.is_active
    }
    for b in every:
        name = tree.line_name(b.org_id)
        c = lines.get(name) or CustomerCounts(name)
        if b.cold_storage_only:
            lines[name] = replace(c, cold_users=c.cold_users + 1)
        else:
            lines[name] = replace(c, active_users=c.active_users + 1)
    for org_id, count in facts_for(snapshot).org_devices.items():
        name = tree.line_name(org_id)
        c = lines.get(name) or CustomerCounts(name)
        lines[name] = replace(c, devices=c.devices + count)
    return AccountCounts(dict(sorted(lines.items(), key=lambda kv: kv[0].casefold())))


def _share(devices: int, users: int, part: int, explicit: int | None) -> int:
    if explicit is not None:
        return min(explicit, devices)
    if users == 0:
        return 0
    exact = Decimal(devices * part) / users
    return min(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), devices)


def _lookup(counts: dict[str, CustomerCounts], org: str) -> CustomerCounts:
    if org in counts:
        return counts[org]
    folded = {k.casefold(): v for k, v in counts.items()}
    if org.casefold() in folded:
        return folded[org.casefold()]
    known = ", ".join(repr(k) for k in counts) or "none"
    raise WhatIfError(f"unknown customer org {org!r} (known: {known})")


def apply_change(counts: AccountCounts, change: Change) -> AccountCounts:
    """Returns `counts` with `change` applied.

    Raises:
        WhatIfError: The org is unknown (or already exists, for `migrate_in`), or more users
            are removed than the customer has.
    """
    lines = dict(counts.customers)
    if isinstance(change, MigrateIn):
        if any(k.casefold() == change.org.casefold() for k in lines):
            raise WhatIfError(f"customer org {change.org!r} already exists; use add_users")
        devices = change.users if change.devices is None else change.devices
        lines[change.org] = CustomerCounts(change.org, change.users, 0, devices)
        return AccountCounts(lines)
    c = _lookup(lines, change.org)
    if isinstance(change, AddUsers):
        devices = change.users if change.devices is None else change.devices
        new = replace(c, active_users=c.active_users + change.users, devices=c.devices + devices)
    elif isinstance(change, (RemoveUsers, DeactivateUsers)):
        if change.users > c.active_users:
            raise WhatIfError(
                f"cannot {change.kind.split('_')[0]} {change.users} users of {c.org!r}: "
                f"it has {c.active_users} active users"
            )
        gone = _share(c.devices, c.active_users, change.users, change.devices)
        cold = c.cold_users + (change.users if isinstance(change, DeactivateUsers) else 0)
        new = replace(
            c, active_users=c.active_users - change.users, cold_users=cold, devices=c.devices - gone
        )
    elif isinstance(change, (RemoveCustomer, MigrateOut)):
        cold = 0 if change.purge else c.cold_users + c.active_users
        new = CustomerCounts(c.org, 0, cold, 0)
    else:  # PurgeColdStorage
        new = replace(c, cold_users=0)
    if new.active_users == 0 and new.cold_users == 0 and new.devices == 0 and (
        isinstance(change, (RemoveCustomer, MigrateOut))
    ):
        del lines[c.org]
    else:
        lines[c.org] = new
    return AccountCounts(lines)


@dataclass(frozen=True)
class WhatIfResult:
    """Counts and projections before and after a list of changes."""

    changes: tuple[Change, ...]
    before_counts: AccountCounts
    after_counts: AccountCounts
    before: Projection
    after: Projection

    @property
    def delta(self) -> Decimal:
        """Change of the next cycle's total (negative = cheaper)."""
        return self.after.next_cycle_total - self.before.next_cycle_total


def what_if(
    counts: AccountCounts,
    changes: Sequence[Change],
    policy: Policy,
    today: date,
    *,
    cycle_start_users: int | None = None,
) -> WhatIfResult:
    """Applies `changes` in order to `counts` and projects the bill before and after.

    Args:
        counts: The account's counts (see `counts_from_snapshot`).
        changes: The hypothetical changes.
        policy: Prices and billing settings.
        today: The reference day.
        cycle_start_users: Billed users at the start of the current cycle, if known.

    Raises:
        WhatIfError: A change cannot apply (unknown org, too many users removed).
    """
    after = counts
    for index, change in enumerate(changes, start=1):
        try:
            after = apply_change(after, change)
        except WhatIfError as exc:
            raise WhatIfError(f"change {index} ({change.kind}): {exc}") from None
    before_n = counts.billed(policy.billing)
    start = before_n if cycle_start_users is None else cycle_start_users
    day = policy.billing.billing_day
    return WhatIfResult(
        changes=tuple(changes),
        before_counts=counts,
        after_counts=after,
        before=project(before_n, policy.prices, today, billing_day=day, cycle_start_users=start),
        after=project(
            after.billed(policy.billing), policy.prices, today, billing_day=day,
            cycle_start_users=start,
        ),
    )


def customer_shares(counts: AccountCounts, policy: Policy, rate: Decimal) -> dict[str, Decimal]:
    """Splits the total at `rate` over the customers (largest remainder, sums exactly)."""
    names = list(counts.customers)
    weights = [counts.customers[n].billed(policy.billing) for n in names]
    return dict(zip(names, allocate(total_for(sum(weights), rate), weights)))


def parse_changes(data: object) -> list[Change]:
    """Validates a decoded JSON value: a list of changes, or {"changes": [...]}.

    Raises:
        WhatIfError: With one line per problem, naming the change by its 1-based position.
    """
    if isinstance(data, dict) and set(data) == {"changes"}:
        data = data["changes"]
    if not isinstance(data, list):
        raise WhatIfError('expected a JSON list of changes (or {"changes": [...]})')
    try:
        return _CHANGES.validate_python(data)
    except ValidationError as exc:
        raise WhatIfError(_describe(exc, data)) from None


def load_changes(text: str) -> list[Change]:
    """Parses the text of a what-if JSON file (the CLI reads the file).

    Raises:
        WhatIfError: Invalid JSON or an invalid change.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WhatIfError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return parse_changes(data)


def _describe(exc: ValidationError, data: list[object]) -> str:
    kinds = ", ".join(sorted(_CHANGE_KINDS))
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        index = loc.pop(0) if loc and isinstance(loc[0], int) else None
        if loc and isinstance(loc[0], str) and loc[0] in _CHANGE_KINDS:
            loc.pop(0)
        where = f"change {index + 1}" if isinstance(index, int) else "changes"
        item = data[index] if isinstance(index, int) and index < len(data) else None
        if isinstance(item, dict) and isinstance(item.get("kind"), str):
            where += f" ({item['kind']})"
        field = ".".join(str(p) for p in loc)
        message = err["msg"]
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            message = f"'kind' must be one of: {kinds}"
        problems.append(f"{where}: {field + ': ' if field else ''}{message}")
    return "invalid what-if changes:\n  " + "\n  ".join(problems)


_CHANGE_KINDS = {
    "add_users", "remove_users", "deactivate_users", "remove_customer", "migrate_in",
    "migrate_out", "purge_cold_storage",
}
