"""Provides the dashboard's data: one snapshot and everything derived from it, computed once.

A `Dataset` is immutable once built: the org tree, the health report, the cost projection, the
chargeback, the findings and the per-org indexes are computed by `build_dataset` (in a thread
for big accounts) and never recomputed. All of it but the findings comes from orgs, users and
the snapshot's `DeviceSummary`; a snapshot from the cache may still be decoding its full device
records (`devices_loaded`), and the findings, which read them, are computed on first use. Table rows are built on demand and memoised on the
dataset, so a refresh that swaps in a new dataset drops every stale row at once and the UI never
mixes two snapshots. `Store` is the App's plain state object (profile, dataset, staleness).

The formatting helpers (ages, sizes, health marks) live here because every view shares them.
Status is never shown by colour alone: each health value has a symbol and a word.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, TypeVar

from msp_tui.domain.chargeback import Chargeback, build_chargeback
from msp_tui.domain.checks import Finding, run_checks
from msp_tui.domain.health import GroupHealth, Health, HealthReport, assess
from msp_tui.domain.hierarchy import OrgTree, build_tree
from msp_tui.domain.policy import Policy
from msp_tui.domain.projection import Projection, project_snapshot
from msp_tui.models import AccountSnapshot, Device, Org, User
from msp_tui.models.base import gc_paused, status_flags

T = TypeVar("T")

LARGE_DEVICES = 5_000
"""Snapshots with more devices than this are derived in a thread, off the event loop."""

DETAILS_MARKER = "loading device details…"
"""Shown (one line, no spinner) while a cached dataset's full device records are decoded."""

HEALTH_MARK = {
    Health.OK: "✓",
    Health.WARNING: "!",
    Health.CRITICAL: "✗",
    Health.NEVER: "∅",
    Health.INACTIVE: "–",
}
"""A symbol per health value; with the word it reads without colour (NO_COLOR, monochrome)."""

HEALTH_STYLE = {
    Health.OK: None,
    Health.WARNING: "warning",
    Health.CRITICAL: "critical",
    Health.NEVER: "critical",
    Health.INACTIVE: "muted",
}
"""VirtualTable semantic row style per health value."""


def health_label(health: Health | None) -> str:
    """Returns "✓ ok", "✗ critical"…, or "· none" for a group without active devices."""
    if health is None:
        return "· none"
    return f"{HEALTH_MARK[health]} {health.value}"


def age_text(then: datetime | None, now: datetime) -> str:
    """Returns a short age: "12m", "5h", "3d", "never"."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < 0:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def when_text(then: datetime | None, now: datetime) -> str:
    """Returns "Mar 12 · 2d" (local time), or "never"."""
    if then is None:
        return "never"
    return f"{then.astimezone().strftime('%b %d')} · {age_text(then, now)}"


def stamp_text(then: datetime | None) -> str:
    """Returns a full local timestamp "2025-03-12 01:46", or "—"."""
    return then.astimezone().strftime("%Y-%m-%d %H:%M") if then is not None else "—"


def size_text(value: int | None) -> str:
    """Returns a byte count as "1.2 TB", "350 GB", "0 B"."""
    if not value:
        return "0 B"
    amount = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if amount < 1000 or unit == "TB":
            return f"{amount:.0f} {unit}" if amount >= 100 or unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{amount:.1f} PB"  # pragma: no cover


def user_status(user: User) -> str:
    """Returns "active", "blocked" or "deactivated"."""
    if not user.is_active:
        return "deactivated"
    return "blocked" if user.is_blocked else "active"


def device_status(device: Device) -> str:
    """Returns "active", "blocked", "deauthorized" or "deactivated"."""
    return status_word(device.status, device.active, device.blocked)


def status_word(status: str | None, active: bool | None, blocked: bool | None) -> str:
    """`device_status` from a device's raw status, active and blocked values (same rules as
    `Device.is_active`, `is_blocked`, `is_deauthorized`)."""
    flags = status_flags(status)
    if not (active if active is not None else "deactivated" not in flags and "active" in flags):
        return "deactivated"
    if blocked or "blocked" in flags:
        return "blocked"
    return "deauthorized" if "deauthorized" in flags else "active"


@dataclass(frozen=True)
class OrgSummary:
    """What the tree shows for one org."""

    org: Org
    users: int
    devices: int
    worst: Health | None
    nested: bool
    """True for an org below a customer org (against the program's best practice)."""


@dataclass(eq=False)
class Dataset:
    """One snapshot with its derived data, computed once (see `build_dataset`)."""

    snapshot: AccountSnapshot
    now: datetime
    """The reference time of the health values and ages."""
    policy: Policy
    tree: OrgTree
    health: HealthReport
    projection: Projection
    chargeback: Chargeback
    users_by_org: dict[int, list[int]]
    """Positions in `snapshot.users` by org id."""
    devices_by_org: dict[int, list[int]]
    """Positions in `snapshot.devices` by org id."""
    devices_by_user: dict[int, list[int]]
    """Positions in `snapshot.devices` by user id."""
    usernames: dict[int, str]
    customer_health: dict[int, GroupHealth]
    """Rollup per customer org (with its nested orgs)."""
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def findings(self) -> list[Finding]:
        """The account's findings (computed once; they read the full device records)."""
        return self.memo("findings", lambda: run_checks(
            self.snapshot, self.policy, self.now, tree=self.tree, health=self.health))

    @property
    def devices_loaded(self) -> bool:
        """False while the full device records of a cached snapshot are still being decoded."""
        return self.snapshot.devices_loaded

    def load_devices(self) -> None:
        """Decodes the full device records (blocking: call it in a thread) and the findings."""
        if not self.devices_loaded:
            self.snapshot.devices.load()  # type: ignore[attr-defined]
        self.findings  # noqa: B018

    def device_org(self, computer_id: int) -> int | None:
        """The org id of the device `computer_id` (from the summary: no full record needed)."""
        position = self.health.facts.position.get(computer_id)
        return None if position is None else self.health.facts.summary.org_id[position]

    @property
    def profile(self) -> str:
        """The profile the snapshot came from."""
        return self.snapshot.profile

    @property
    def fetched_at(self) -> datetime:
        """When the snapshot was fetched."""
        return self.snapshot.fetched_at

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T:
        """Returns `factory()` computed once per dataset (thread-safe)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = factory()
        with self._lock:
            return self._memo.setdefault(key, value)

    def scope(self, org_id: int) -> list[int]:
        """Org ids a selection of `org_id` covers: itself and its sub-orgs (top-level: itself)."""
        if self.tree.is_top(org_id):
            return [org_id]
        found, stack = [], [org_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.tree.children.get(current, ()))
        return found

    def users_in(self, org_id: int) -> list[User]:
        """Users of the org's scope, in snapshot order per org."""
        users = self.snapshot.users
        return [users[i] for oid in self.scope(org_id) for i in self.users_by_org.get(oid, ())]

    def _record(self) -> Callable[[int], Device]:
        devices = self.snapshot.devices
        # DeferredDevices.record decodes only the chunks asked for while the rest still loads.
        return getattr(devices, "record", None) or devices.__getitem__

    def devices_in(self, org_id: int) -> list[Device]:
        """Devices of the org's scope."""
        record = self._record()
        return [record(i) for oid in self.scope(org_id) for i in self.devices_by_org.get(oid, ())]

    def devices_of(self, user_id: int) -> list[Device]:
        """Devices of one user."""
        record = self._record()
        return [record(i) for i in self.devices_by_user.get(user_id, ())]

    def user(self, user_id: int) -> User | None:
        """Returns the user with `user_id`."""
        index = self.memo("user-index", lambda: {u.user_id: u for u in self.snapshot.users})
        return index.get(user_id)

    def device(self, computer_id: int) -> Device | None:
        """Returns the device with `computer_id`."""
        position = self.health.facts.position.get(computer_id)
        return None if position is None else self._record()(position)

    def summary(self, org_id: int) -> OrgSummary:
        """Counts and worst health of an org (a customer's include its nested orgs)."""
        org = self.tree.orgs[org_id]
        if self.tree.is_top(org_id):
            worst = max(
                (g.worst for g in self.customer_health.values() if g.worst is not None),
                key=lambda h: h.rank,
                default=None,
            )
            own = self.health.orgs.get(org_id)
            if own is not None and own.worst is not None and (worst is None or own.worst.rank > worst.rank):
                worst = own.worst
            users = sum(g.users for g in self.health.orgs.values())
            devices = sum(g.devices for g in self.health.orgs.values())
            return OrgSummary(org, users, devices, worst, False)
        group = self.customer_health.get(org_id) if self.tree.depth.get(org_id) == 1 else None
        group = group or self.health.orgs.get(org_id)
        nested = self.tree.depth.get(org_id, 0) >= 2
        if group is None:
            return OrgSummary(org, 0, 0, None, nested)
        return OrgSummary(org, group.users, group.devices, group.worst, nested)

    def customer_share(self, org_id: int | None) -> Any:
        """The chargeback line of the customer `org_id` belongs to, or None."""
        customer = self.tree.customer_for(org_id) if org_id is not None else None
        if customer is None:
            return None
        return next((line for line in self.chargeback.lines if line.org_id == customer.org_id), None)


def _index(items: tuple[Any, ...], attr: str) -> dict[int, list[int]]:
    return _index_keys(getattr(item, attr) for item in items)


def _index_keys(keys: Any) -> dict[int, list[int]]:
    index: defaultdict[int | None, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        index[key].append(i)
    index.pop(None, None)
    return dict(index)  # type: ignore[arg-type]


def build_dataset(snapshot: AccountSnapshot, policy: Policy, now: datetime) -> Dataset:
    """Derives everything the dashboard shows from `snapshot` at `now` (pure; thread-safe).

    Device values come from the snapshot's `DeviceSummary`; the findings are computed here when
    the full device records are in memory, else on first use (see `Dataset.load_devices`).
    """
    now = now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    with gc_paused():  # ~200,000 surviving containers, no cycles: see gc_paused
        return _build_dataset(snapshot, policy, now)


def _build_dataset(snapshot: AccountSnapshot, policy: Policy, now: datetime) -> Dataset:
    tree = build_tree(snapshot)
    health = assess(snapshot, policy.checks, now)
    projection = project_snapshot(snapshot, policy, now.date())
    summary = health.facts.summary
    dataset = Dataset(
        snapshot=snapshot,
        now=now,
        policy=policy,
        tree=tree,
        health=health,
        projection=projection,
        chargeback=build_chargeback(snapshot, policy, rate=projection.rate, tree=tree),
        users_by_org=_index(snapshot.users, "org_id"),
        devices_by_org=_index_keys(summary.org_id),
        devices_by_user=_index_keys(summary.user_id),
        usernames={u.user_id: u.username for u in snapshot.users},
        customer_health=health.rollup(tree.customer_of),
    )
    if snapshot.devices_loaded:
        dataset.findings  # noqa: B018
    return dataset


def restamp(snapshot: AccountSnapshot, fetched_at: datetime) -> AccountSnapshot:
    """Returns `snapshot` with `fetched_at` set from the app's clock (frozen in tests)."""
    return replace(snapshot, fetched_at=fetched_at, _org_index={})


@dataclass
class Store:
    """The App's state: the open profile, its current dataset and how fresh it is.

    Changed only by the App's message handlers (workers post messages; they never touch it).
    """

    profile: str
    """Name of the open profile."""
    account: str = ""
    """Display name of the partner account (the top-level org's name once known)."""
    demo: bool = False
    read_only: bool = False
    dataset: Dataset | None = None
    from_cache: bool = False
    """True while the dataset came from the local cache and no refresh has succeeded yet."""
    stale: bool = False
    """True when the last refresh failed (the dataset is the last good one)."""
    error: str | None = None
    """One line about the last failure, shown in the status line."""
    refreshing: bool = False
    failures: int = 0
    """Consecutive failed refreshes (drives the retry back-off)."""

