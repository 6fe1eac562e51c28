"""Provides AccountSnapshot: everything fetched from one partner account at one moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from msp_tui.models.cold_storage import ColdStorageRow
from msp_tui.models.device import Device
from msp_tui.models.org import Org
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
    devices: tuple[Device, ...] = ()
    cold_storage: tuple[ColdStorageRow, ...] = ()
    """Archives of deactivated users/devices still held (and so still billed) until purge."""
    _org_index: dict[int, Org] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._org_index.update({org.org_id: org for org in self.orgs})

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
        return (active or tops or [None])[0]
