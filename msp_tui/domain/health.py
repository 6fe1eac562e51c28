"""Provides per-device backup health and its rollups per user and per org.

A device's last completed backup is the latest `lastCompletedBackup` over its destinations
(None if it never completed one); its health is `never`, `ok`, `warning` (more than
`warning_days` without one) or `critical` (more than `critical_days`), and `inactive` for a
deactivated device.

Speed: everything that does not depend on the clock (latest backup, bytes, active flags, device
counts per user and org) is read once per snapshot from its `DeviceSummary` (stored in the
snapshot cache, so a warm start needs no device records) into flat columns
(`DeviceFacts`, cached for the last snapshot seen). A pass at a new `now` then only compares
floats, so 60,000 devices take a few milliseconds; `DeviceHealth` records are built on demand.
"""

from __future__ import annotations

import weakref
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from itertools import compress
from typing import NamedTuple

from msp_tui.domain.policy import CheckSettings
from msp_tui.models.device import Device
from msp_tui.models.snapshot import AccountSnapshot
from msp_tui.models.summary import DeviceSummary, latest, timestamp

_DAY = 86400.0
_NEVER = float("-inf")


class Health(str, Enum):
    """Backup health of a device or the worst of a group."""

    INACTIVE = "inactive"
    OK = "ok"
    WARNING = "warning"
    NEVER = "never"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Badness for rollups: critical > never > warning > ok > inactive."""
        return _CODES.index(self)


_CODES = (Health.INACTIVE, Health.OK, Health.WARNING, Health.NEVER, Health.CRITICAL)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


_ts = timestamp


def _is_active(active: bool | None, status: str | None) -> bool:
    # Same rule as Device.is_active/User.is_active, without splitting the status string.
    if active is not None:
        return active
    if not status:
        return False
    lowered = status.lower()
    return "deactivated" not in lowered and "active" in lowered


_latest = latest


class DeviceFacts:
    """Clock-independent per-device values of one snapshot, as flat columns.

    Read from the snapshot's `DeviceSummary` only, so a snapshot from the cache gets them before
    (and without) its full device records are decoded; `devices` is the snapshot's records.
    """

    def __init__(self, snapshot: AccountSnapshot) -> None:
        summary: DeviceSummary = snapshot.device_summary
        self.summary = summary
        self.devices: Sequence[Device] = snapshot.devices
        """The full records (a cached snapshot decodes them on first access)."""
        self.position: dict[int, int] = {cid: i for i, cid in enumerate(summary.computer_id)}
        self.last_backup: Sequence[datetime | None] = summary.last_backup
        self.last_connected: Sequence[datetime | None] = summary.last_connected
        self.backup_ts: Sequence[float] = summary.backup_ts
        """`last_backup` as POSIX seconds (-inf for never), an `array("d")`."""
        self.connected_ts: Sequence[float] = summary.connected_ts
        self.archive_bytes: Sequence[int] = summary.archive_bytes
        # Column-wise, with C-level loops (map, Counter, compress): ~0.15 s less at 60,000.
        keys = list(zip(summary.active, summary.status))
        active_of: dict[tuple[bool | None, str | None], bool] = {}
        backing_of: dict[tuple[bool | None, str | None], bool] = {}
        for key in set(keys):
            active_raw, status = key
            active = active_of[key] = _is_active(active_raw, status)
            backing_of[key] = active and not (status is not None and "deauthorized" in status.lower())
        self.active = bytearray(map(active_of.__getitem__, keys))
        self.backing_up = bytearray(map(backing_of.__getitem__, keys))
        del keys
        by_user = Counter(compress(summary.user_id, self.backing_up))
        self.active_devices_by_user: dict[int, int] = {k: n for k, n in by_user.items() if k is not None}
        self.org_ids: list[int] = [o for o in dict.fromkeys(summary.org_id) if o is not None]
        """Org ids in order of first appearance among the devices."""
        slots: dict[int | None, int] = {org_id: i for i, org_id in enumerate(self.org_ids)}
        slots[None] = -1
        self.org_slot = array("l", map(slots.__getitem__, summary.org_id))
        """Index into `org_ids` of each device's org (-1 for none)."""
        by_org = Counter(compress(summary.org_id, self.active))
        self.org_devices: dict[int, int] = {k: n for k, n in by_org.items() if k is not None}
        self.org_bytes: dict[int, int] = {}
        org_bytes = self.org_bytes
        for org_id, archive in compress(zip(summary.org_id, summary.archive_bytes), self.active):
            if org_id is not None:
                org_bytes[org_id] = org_bytes.get(org_id, 0) + archive
        self.org_users: dict[int, int] = {}
        for user in snapshot.users:
            if user.org_id is not None and _is_active(user.active, user.status):
                self.org_users[user.org_id] = self.org_users.get(user.org_id, 0) + 1


_facts_cache: tuple[weakref.ref[AccountSnapshot], DeviceFacts] | None = None


def facts_for(snapshot: AccountSnapshot) -> DeviceFacts:
    """Returns the `DeviceFacts` of `snapshot`, reusing them for the last snapshot seen."""
    global _facts_cache
    if _facts_cache is not None and _facts_cache[0]() is snapshot:
        return _facts_cache[1]
    facts = DeviceFacts(snapshot)
    _facts_cache = (weakref.ref(snapshot), facts)
    return facts


class DeviceHealth(NamedTuple):
    """Derived backup values of one device at one moment."""

    device: Device
    now: datetime
    """The reference time the values were computed for."""
    active: bool
    backing_up: bool
    """Active and not deauthorized: the device counts against the per-user device cap."""
    last_completed_backup: datetime | None
    """Latest completed backup over all destinations; None if never."""
    last_connected: datetime | None
    """Latest contact with the server (the device's or any destination's)."""
    archive_bytes: int
    """Sum of `archiveBytes` over the device's destinations."""
    health: Health

    @property
    def computer_id(self) -> int:
        """The device's computer id."""
        return self.device.computer_id

    @property
    def user_id(self) -> int | None:
        """The owning user's id."""
        return self.device.user_id

    @property
    def org_id(self) -> int | None:
        """The device's org id."""
        return self.device.org_id

    @property
    def name(self) -> str:
        """The device's display name."""
        return self.device.display_name

    @property
    def days_since_backup(self) -> float | None:
        """Days since the last completed backup; None if never."""
        last = self.last_completed_backup
        return None if last is None else (self.now - last).total_seconds() / _DAY

    @property
    def days_since_connected(self) -> float | None:
        """Days since the last contact; None if unknown."""
        seen = self.last_connected
        return None if seen is None else (self.now - seen).total_seconds() / _DAY


@dataclass(frozen=True, slots=True)
class GroupHealth:
    """Rollup of a group of devices (an org, a customer)."""

    worst: Health | None
    """Worst health among active devices; None when the group has no active device."""
    users: int
    """Active users in the group."""
    devices: int
    """Active devices in the group."""
    archive_bytes: int
    """Archive bytes of the active devices."""
    counts: Mapping[Health, int]
    """Devices per health value (inactive devices included)."""


def _merge(groups: list[GroupHealth]) -> GroupHealth:
    worst: Health | None = None
    counts: dict[Health, int] = {}
    for g in groups:
        if g.worst is not None and (worst is None or g.worst.rank > worst.rank):
            worst = g.worst
        for h, n in g.counts.items():
            counts[h] = counts.get(h, 0) + n
    return GroupHealth(
        worst,
        sum(g.users for g in groups),
        sum(g.devices for g in groups),
        sum(g.archive_bytes for g in groups),
        counts,
    )


class HealthReport:
    """Health of every device of a snapshot at one moment, with per-user and per-org rollups."""

    def __init__(self, facts: DeviceFacts, now: datetime, codes: bytearray,
                 orgs: dict[int, GroupHealth]) -> None:
        self.facts = facts
        self.now = now
        """The reference time."""
        self.codes = codes
        """Health rank per device position (see `Health.rank`)."""
        self.orgs = orgs
        """Rollup per org id (the org's own users and devices, not its children's)."""

    @property
    def active_devices_by_user(self) -> dict[int, int]:
        """Active, backing-up devices per user id."""
        return self.facts.active_devices_by_user

    def __len__(self) -> int:
        return len(self.codes)

    def _at(self, i: int) -> DeviceHealth:
        f = self.facts
        return DeviceHealth(
            f.devices[i], self.now, bool(f.active[i]), bool(f.backing_up[i]),
            f.last_backup[i], f.last_connected[i], f.archive_bytes[i], _CODES[self.codes[i]],
        )

    def device(self, computer_id: int) -> DeviceHealth | None:
        """Returns the health of the device `computer_id`, or None if unknown."""
        i = self.facts.position.get(computer_id)
        return None if i is None else self._at(i)

    def __iter__(self) -> Iterator[DeviceHealth]:
        return (self._at(i) for i in range(len(self.codes)))

    def with_health(self, *healths: Health) -> Iterator[DeviceHealth]:
        """Yields the devices whose health is one of `healths`, in snapshot order."""
        wanted = {h.rank for h in healths}
        return (self._at(i) for i, c in enumerate(self.codes) if c in wanted)

    def not_connected_since(self, cutoff: datetime) -> Iterator[DeviceHealth]:
        """Yields active devices whose last contact is known and before `cutoff`."""
        limit = _aware(cutoff).timestamp()
        f = self.facts
        return (
            self._at(i)
            for i, ts in enumerate(f.connected_ts)
            if f.active[i] and _NEVER < ts < limit
        )

    def rollup(self, key_of_org: Mapping[int, int | None]) -> dict[int, GroupHealth]:
        """Rolls org rollups up by a mapping org id → group id (e.g. `OrgTree.customer_of`).

        Orgs mapped to None or absent from the mapping are left out.
        """
        merged: dict[int, list[GroupHealth]] = {}
        for org_id, group in self.orgs.items():
            target = key_of_org.get(org_id)
            if target is not None:
                merged.setdefault(target, []).append(group)
        return {k: _merge(v) for k, v in merged.items()}


def assess(snapshot: AccountSnapshot, settings: CheckSettings, now: datetime) -> HealthReport:
    """Computes the health of every device in `snapshot` at `now`.

    Args:
        snapshot: The account.
        settings: Warning and critical thresholds.
        now: The reference time (naive values are taken as UTC).

    Returns:
        The report with per-device values and per-user and per-org rollups.
    """
    facts = facts_for(snapshot)
    now = _aware(now)
    now_ts = now.timestamp()
    warn_cut = now_ts - settings.warning_days * _DAY
    crit_cut = now_ts - settings.critical_days * _DAY
    codes = bytearray(len(facts.active))
    per_org = [[0, 0, 0, 0, 0] for _ in facts.org_ids]
    for i, (active, ts, slot) in enumerate(zip(facts.active, facts.backup_ts, facts.org_slot)):
        if not active:
            code = 0
        elif ts == _NEVER:
            code = 3
        elif ts < crit_cut:
            code = 4
        elif ts < warn_cut:
            code = 2
        else:
            code = 1
        codes[i] = code
        if slot >= 0:
            per_org[slot][code] += 1
    orgs: dict[int, GroupHealth] = {}
    for org_id, counts in zip(facts.org_ids, per_org):
        worst = next((_CODES[c] for c in (4, 3, 2, 1) if counts[c]), None)
        orgs[org_id] = GroupHealth(
            worst,
            facts.org_users.get(org_id, 0),
            facts.org_devices.get(org_id, 0),
            facts.org_bytes.get(org_id, 0),
            {_CODES[c]: n for c, n in enumerate(counts) if n},
        )
    for org_id, users in facts.org_users.items():
        if org_id not in orgs:
            orgs[org_id] = GroupHealth(None, users, 0, 0, {})
    return HealthReport(facts, now, codes, orgs)


def device_health(device: Device, settings: CheckSettings, now: datetime) -> DeviceHealth:
    """Returns the derived backup values of one device at `now` (naive is taken as UTC)."""
    now = _aware(now)
    last, seen, archive = _latest(device)
    active = _is_active(device.active, device.status)
    backing = active and "deauthorized" not in (device.status or "").lower()
    if not active:
        health = Health.INACTIVE
    elif last is None:
        health = Health.NEVER
    else:
        days = (now - last).total_seconds() / _DAY
        health = (
            Health.CRITICAL if days > settings.critical_days
            else Health.WARNING if days > settings.warning_days
            else Health.OK
        )
    return DeviceHealth(device, now, active, backing, last, seen, archive, health)
