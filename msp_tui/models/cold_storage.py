"""Provides the ColdStorageRow model (GET /api/v1/ColdStorage, key `coldStorageRows`)."""

from __future__ import annotations

from datetime import datetime

from msp_tui.models.base import WireModel


class ColdStorageRow(WireModel):
    """An archive of a deactivated user or device, kept until its hold expires.

    While it sits in cold storage the archive still holds the user's subscription.
    """

    archive_guid: str | None = None
    archive_hold_expire_date: datetime | None = None
    archive_bytes: int | None = None
    source_user_id: int | None = None
    source_user_uid: str | None = None
    source_user_name: str | None = None
    source_computer_id: int | None = None
    source_computer_guid: str | None = None
    source_computer_name: str | None = None
    org_id: int | None = None
    org_name: str | None = None
