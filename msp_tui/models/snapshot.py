"""Provides AccountSnapshot: everything fetched from one partner account at one moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from msp_tui.models.cold_storage import ColdStorageRow
from msp_tui.models.device import Device
from msp_tui.models.org import Org
from msp_tui.models.summary import DeviceSummary, devices_loaded
from msp_tui.models.user import User


@dataclass(frozen=True)
class AccountSnapshot:
    """One complete, consistent fetch of a partner account's orgs, users and devices.

    A refresh produces a whole new snapshot or nothing, so the UI never shows a half-fetched
    account as if it were complete.
    """

    profile: str
    """Name of the profile (partner account) the data came from."""
    fetched_at: datetime
    """When the fetch finished (timezone-aware)."""
    orgs: tuple[Org, ...] = ()
    users: tuple[User, ...] = ()
    devices: Sequence[Device] = ()
    """A tuple, or a `DeferredDevices` (decoded on first access) for a snapshot from the cache."""
    cold_storage: tuple[ColdStorageRow, ...] = ()
    """Archives of deactivated users/devices still held (and so still billed) until purge."""
    _org_index: dict[int, Org] = field(default_factory=dict, repr=False, compare=False)
    _summary: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Values derived once per snapshot: the `DeviceSummary` (stored by the cache, else built on
    first use), the billed users per billing settings (`pricing.snapshot_billed_users`), the
    cold-storage retention asked per org (`tui.actions.org_retention_days`)."""

    def __post_init__(self) -> None:
        self._org_index.update({org.org_id: org for org in self.orgs})

    @property
    def device_summary(self) -> DeviceSummary:
        """The per-device columns the dashboard's first paint needs (built once)."""
        summary = self._summary.get("summary")
        if summary is None or len(summary) != len(self.devices):
            summary = self._summary["summary"] = DeviceSummary.from_devices(self.devices)
        return summary

    @property
    def devices_loaded(self) -> bool:
        """False while the full device records of a cached snapshot are still to be decoded."""
        return devices_loaded(self.devices)

    def org(self, org_id: int | None) -> Org | None:
        """Returns the org with `org_id`, or None."""
        if org_id is None:
            return None
        return self._org_index.get(org_id)

    @property
    def top_org(self) -> Org | None:
        """The partner's top-level org: the active org without a parent (the first one)."""
        tops = [o for o in self.orgs if o.is_top_level]
        active = [o for o in tops if o.is_active]
        return active[0] if active else tops[0] if tops else None
