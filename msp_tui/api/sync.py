"""Provides the full fetch of one partner account into an AccountSnapshot.

Orgs, users, devices (with backup usage) and cold storage are fetched concurrently; the
snapshot is built only when every part arrived, so a failed refresh leaves nothing half-done.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from msp_tui.api.resources import Code42Client
from msp_tui.models import AccountSnapshot, ColdStorageRow


async def fetch_snapshot(client: Code42Client, profile: str) -> AccountSnapshot:
    """Fetches everything the dashboard shows for one account."""
    orgs, users, devices = await asyncio.gather(
        client.list_orgs(), client.list_users(), client.list_devices(backup_usage=True)
    )
    tops = [org for org in orgs if org.is_top_level and org.is_active] or [
        org for org in orgs if org.is_top_level
    ]
    cold: list[ColdStorageRow] = []
    for top in tops[:1]:
        cold = await client.list_cold_storage(top.org_id)
    return AccountSnapshot(
        profile=profile,
        fetched_at=datetime.now(timezone.utc),
        orgs=tuple(orgs),
        users=tuple(users),
        devices=tuple(devices),
        cold_storage=tuple(cold),
    )
