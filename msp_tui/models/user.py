"""Provides the User model (GET /api/v1/User)."""

from __future__ import annotations

from datetime import datetime

from msp_tui.models.base import WireModel, status_flags


class User(WireModel):
    """A user: one licence, up to four backing-up devices."""

    user_id: int
    user_uid: str | None = None
    status: str | None = None
    username: str = ""
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    quota_in_bytes: int | None = None
    org_id: int | None = None
    org_uid: str | None = None
    org_name: str | None = None
    user_ext_ref: str | None = None
    notes: str | None = None
    active: bool | None = None
    blocked: bool | None = None
    creation_date: datetime | None = None
    modification_date: datetime | None = None

    @property
    def is_active(self) -> bool:
        """True for an active user (blocked users are still active and billed)."""
        if self.active is not None:
            return self.active
        return "active" in status_flags(self.status)

    @property
    def is_blocked(self) -> bool:
        """True when the user is blocked (by flag or status string)."""
        return bool(self.blocked) or "blocked" in status_flags(self.status)

    @property
    def full_name(self) -> str:
        """Returns "First Last", skipping missing parts."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)
