"""Provides what the wizard screens need from the App: the journal and a client per account role.

The App holds one signed-in client, for the profile it shows. A wizard may also need another
account (the migration target, or the source of a run resumed while another profile is open):
`WizardClients` opens those itself, signs them in (asking for a TOTP code when the account
wants one) and closes them when the wizard screen goes away; the App's own client is borrowed,
never closed. One `Journal` per App (`journal_for`) so every screen of the App holds runs
under the same lease owner: closing a wizard and resuming the run at once never looks busy.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from typing import Any

from msp_tui.api import ApiError, Code42Client, fetch_snapshot
from msp_tui.config import Profile
from msp_tui.models import AccountSnapshot
from msp_tui.state.journal import Journal

_JOURNALS: weakref.WeakKeyDictionary[Any, Journal] = weakref.WeakKeyDictionary()


def journal_for(app: Any) -> Journal:
    """The App's wizard journal (on its state database, with its clock)."""
    journal = _JOURNALS.get(app)
    if journal is None:
        journal = _JOURNALS[app] = Journal(app.conn, now=app.clock)
    return journal


class WizardClients:
    """Signed-in clients per profile name for one wizard screen."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._clients: dict[str, Code42Client] = {}
        self._owned: list[Code42Client] = []
        self._lock = asyncio.Lock()

    def profile(self, name: str) -> Profile:
        """The profile called `name`.

        Raises:
            ApiError: the profile is not configured here (a run planned elsewhere).
        """
        profiles: Mapping[str, Profile] = self.app.profiles
        if name not in profiles:
            known = ", ".join(profiles) or "none"
            raise ApiError(f"the profile {name!r} is not available here (known: {known})")
        return profiles[name]

    def read_only(self, name: str) -> bool:
        """True when the session on profile `name` may not change anything."""
        app = self.app
        if name == app.store.profile:
            return bool(app.store.read_only)
        profile = self.profile(name)
        return bool(app.force_read_only or app.settings.app.read_only or profile.read_only)

    async def client(self, name: str) -> Code42Client:
        """A signed-in client for profile `name` (the App's own for the profile it shows)."""
        async with self._lock:
            if name == self.app.store.profile:
                return await self.app.signed_in_client()
            if name not in self._clients:
                self._clients[name] = await self._sign_in(self.profile(name))
            return self._clients[name]

    async def _sign_in(self, profile: Profile) -> Code42Client:
        client = await self.app.sign_in_profile(profile, read_only=self.read_only(profile.name))
        self._owned.append(client)
        return client

    async def for_roles(self, profiles: Mapping[str, str]) -> dict[str, Code42Client]:
        """A client per account role ("source", "target") of a plan's `profiles`."""
        return {role: await self.client(name) for role, name in profiles.items()}

    async def snapshots(self, profiles: Mapping[str, str]) -> dict[str, AccountSnapshot]:
        """Fetches every role's account now (plans are built from live data, not the cache)."""
        clients = await self.for_roles(profiles)
        snaps = await asyncio.gather(*(fetch_snapshot(clients[r], n) for r, n in profiles.items()))
        return dict(zip(profiles, snaps))

    async def aclose(self) -> None:
        """Closes the clients this wizard opened (never the App's own)."""
        owned, self._owned, self._clients = self._owned, [], {}
        for client in owned:
            await client.aclose()
