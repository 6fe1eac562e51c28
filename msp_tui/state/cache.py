"""Provides the snapshot cache: the last good AccountSnapshot of each profile.

Lists are stored as zlib-compressed JSON produced and parsed by pydantic's Rust core,
so a 60,000-device account loads in a fraction of a second at start-up.
"""

from __future__ import annotations

import sqlite3
import zlib
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User
from msp_tui.models.base import gc_paused

_ADAPTERS = {
    "orgs": TypeAdapter(tuple[Org, ...]),
    "users": TypeAdapter(tuple[User, ...]),
    "devices": TypeAdapter(tuple[Device, ...]),
    "cold_storage": TypeAdapter(tuple[ColdStorageRow, ...]),
}


class SnapshotCache:
    """Saves and loads snapshots in the snapshots table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, snapshot: AccountSnapshot) -> None:
        """Replaces the profile's cached snapshot in one transaction."""
        with gc_paused():
            blobs = [
                zlib.compress(adapter.dump_json(getattr(snapshot, name), by_alias=True, exclude_none=True), 1)
                for name, adapter in _ADAPTERS.items()
            ]
        self._conn.execute(
            "INSERT OR REPLACE INTO snapshots"
            " (profile, fetched_at, orgs, users, devices, cold_storage) VALUES (?, ?, ?, ?, ?, ?)",
            (snapshot.profile, snapshot.fetched_at.isoformat(), *blobs),
        )

    def load(self, profile: str) -> AccountSnapshot | None:
        """Returns the cached snapshot, or None when there is none or it is unreadable."""
        row = self._conn.execute(
            "SELECT fetched_at, orgs, users, devices, cold_storage FROM snapshots WHERE profile = ?",
            (profile,),
        ).fetchone()
        if row is None:
            return None
        try:
            with gc_paused():  # ~1M surviving objects: see gc_paused
                parts = {
                    name: adapter.validate_json(zlib.decompress(blob))
                    for (name, adapter), blob in zip(_ADAPTERS.items(), row[1:])
                }
            return AccountSnapshot(profile=profile, fetched_at=datetime.fromisoformat(row[0]), **parts)
        except (zlib.error, ValidationError, ValueError):
            # A damaged cache entry is only a cache: drop it and refetch.
            self._conn.execute("DELETE FROM snapshots WHERE profile = ?", (profile,))
            return None
