"""Provides pydantic models of Code42 wire records."""

from msp_tui.models.cold_storage import ColdStorageRow
from msp_tui.models.device import BackupUsage, Device
from msp_tui.models.org import Org
from msp_tui.models.snapshot import AccountSnapshot
from msp_tui.models.user import User

__all__ = ["AccountSnapshot", "BackupUsage", "ColdStorageRow", "Device", "Org", "User"]
