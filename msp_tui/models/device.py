"""Provides the Device and BackupUsage models (GET /api/v1/Computer)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from msp_tui.models.base import WireModel, status_flags


class BackupUsage(WireModel):
    """One destination's backup of one device (an entry of `backupUsage`)."""

    target_computer_guid: str | None = None
    target_computer_name: str | None = None
    target_computer_type: str | None = None
    selected_files: int | None = None
    selected_bytes: int | None = None
    todo_bytes: int | None = None
    archive_bytes: int | None = None
    billable_bytes: int | None = None
    last_backup: datetime | None = None
    last_completed_backup: datetime | None = None
    last_connected: datetime | None = None
    percent_complete: float | None = None
    alert_states: list[str] = Field(default_factory=list)
    archive_guid: str | None = None
    archive_format: str | None = None
    server_name: str | None = None
    store_point_name: str | None = None
    using: bool | None = None

    @field_validator("alert_states", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class Device(WireModel):
    """A computer running the backup agent, with its backup usage per destination."""

    computer_id: int
    guid: str | None = None
    name: str | None = None
    os_hostname: str | None = None
    type: str | None = None
    status: str | None = None
    active: bool | None = None
    blocked: bool | None = None
    alert_state: int | None = None
    alert_states: list[str] = Field(default_factory=list)
    user_id: int | None = None
    user_uid: str | None = None
    org_id: int | None = None
    org_uid: str | None = None
    last_connected: datetime | None = None
    os_name: str | None = None
    os_version: str | None = None
    product_version: str | None = None
    address: str | None = None
    remote_address: str | None = None
    time_zone: str | None = None
    creation_date: datetime | None = None
    modification_date: datetime | None = None
    login_date: datetime | None = None
    service: str | None = None
    backup_usage: list[BackupUsage] = Field(default_factory=list)

    @field_validator("alert_states", "backup_usage", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @property
    def flags(self) -> frozenset[str]:
        """The words of the status string, e.g. {"active", "deauthorized"}."""
        return status_flags(self.status)

    @property
    def is_active(self) -> bool:
        """True for a device that is not deactivated."""
        if self.active is not None:
            return self.active
        return "deactivated" not in self.flags and "active" in self.flags

    @property
    def is_blocked(self) -> bool:
        """True when the device is blocked."""
        return bool(self.blocked) or "blocked" in self.flags

    @property
    def is_deauthorized(self) -> bool:
        """True when the device is signed out ("Active, Deauthorized")."""
        return "deauthorized" in self.flags

    @property
    def display_name(self) -> str:
        """The device name, falling back to the hostname and then the guid."""
        return self.name or self.os_hostname or self.guid or str(self.computer_id)
