"""Provides the Org model (GET /api/v1/Org, /api/v3/orgs/{guid})."""

from __future__ import annotations

from datetime import datetime

from msp_tui.models.base import WireModel, status_flags


class Org(WireModel):
    """An organization: a partner's top-level org or one of its customer orgs."""

    org_id: int
    org_uid: str | None = None
    org_guid: str | None = None
    org_name: str = ""
    parent_org_id: int | None = None
    parent_org_uid: str | None = None
    parent_org_guid: str | None = None
    status: str | None = None
    active: bool | None = None
    blocked: bool | None = None
    registration_key: str | None = None
    type: str | None = None
    org_ext_ref: str | None = None
    notes: str | None = None
    creation_date: datetime | None = None
    modification_date: datetime | None = None
    deactivation_date: datetime | None = None
    user_count: int | None = None
    computer_count: int | None = None

    @property
    def is_active(self) -> bool:
        """True unless the org is deactivated (by flag or by status string)."""
        if self.active is not None:
            return self.active
        return "deactivated" not in status_flags(self.status)

    @property
    def is_top_level(self) -> bool:
        """True for an org with no parent (the partner's own org)."""
        return self.parent_org_id is None
