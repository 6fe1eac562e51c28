"""Provides `MspApp`, the dashboard App, and `build_app`, which the CLI and the tests share.

Data flow: the App starts from the local snapshot cache (no network before the first paint),
then refreshes in a background worker: sign in, fetch a whole snapshot, save it to the cache,
derive a `Dataset` (in a thread when large) and swap it in all at once. A failed refresh keeps
the last good data, marks it stale, shows one line in the status line and retries with
back-off. Workers never touch widgets: they post `DatasetReady` / `RefreshFailed`, and the
App's handlers update the `Store` and the `dataset` reactive that the screens watch.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from msp_tui import session
from msp_tui.config import Profile, Settings
from msp_tui.state.cache import SnapshotCache
from msp_tui.tui.commands import MspCommands
from msp_tui.tui.dataset import LARGE_DEVICES, Dataset, Store, build_dataset, restamp
from msp_tui.tui.messages import DatasetReady, JumpTo, Notice, RefreshFailed
from msp_tui.tui.screens.main import MainScreen
from msp_tui.tui.launch import log_exception
from msp_tui.tui.screens.signin import TotpScreen

if TYPE_CHECKING:  # the API client (httpx: ~0.2 s of imports) loads after the first paint
    import httpx

    from msp_tui.api import Code42Client, Credentials
    from msp_tui.models import AccountSnapshot
    from msp_tui.state.audit import AuditLog

log = logging.getLogger(__name__)

RETRY_DELAYS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0)
"""Seconds before retrying after the 1st, 2nd, … consecutive failed refresh."""

PREBUILD_DELAY = 1.5
"""Seconds after a big dataset is shown before its all-devices filter text is prebuilt."""

DETAILS_DELAY = 0.5
"""Seconds after a cached dataset is shown before its full device records are decoded (in a
thread: started at once it would compete with the first paint for the GIL)."""

Clock = Callable[[], datetime]
CredentialsFactory = Callable[[Profile, "str | None"], "Credentials"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class MspApp(App[int]):
    """The msp-tui dashboard."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "msp-tui"
    COMMANDS = App.COMMANDS | {MspCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch the account again"),
        Binding("p", "switch_profile", "Profile", id="switch_profile",
                tooltip="Switch to another partner account"),
        Binding("A", "accounts_summary", "All accounts", id="accounts_summary",
                tooltip="Read-only summary across every configured account"),
    ]
    """App-wide keys (k9s/lazygit grammar): q quits, ? help, r refresh, p profile, A summary."""

    dataset: var[Dataset | None] = var(None, init=False)
    """The dataset shown; screens watch it. Replaced whole, never mutated."""
    status_version: var[int] = var(0, init=False)
    """Bumped whenever the store's freshness or error changes (header and status line watch it)."""
    details_loading: var[bool] = var(False, init=False)
    """True while the shown dataset's full device records are still being decoded (a staged
    start from the cache: tree, costs and tables come from the per-device summary first)."""
    refresh_delay: float = 0.5
    """Seconds a staged start waits after showing the cache before it signs in and refreshes."""
    staged_devices: int = LARGE_DEVICES
    """A cached account with more devices than this starts staged (summary first, then the
    full device records in a thread)."""

    def __init__(
        self,
        settings: Settings,
        profiles: dict[str, Profile],
        profile: Profile,
        *,
        conn: sqlite3.Connection,
        read_only: bool = False,
        clock: Clock = _utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
        credentials: CredentialsFactory | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.profiles = profiles
        self.profile = profile
        self.conn = conn
        self.cache = SnapshotCache(conn)
        self._audit: AuditLog | None = None
        self.clock = clock
        """Returns "now" (frozen in tests and screenshots)."""
        self.force_read_only = read_only
        self.transport = transport
        self.credentials = credentials or (lambda p, totp: session.credentials_for(p, totp=totp))
        self.store = self._new_store(profile)
        self.client: Code42Client | None = None
        self.export_dir = Path.cwd()
        """Where `e` writes exports (the working directory, as for any CLI tool)."""
        self._retry_timer: Timer | None = None
        self.animation_level = "none"
        self.theme = settings.app.theme if settings.app.theme in self.available_themes else "textual-dark"

    @property
    def audit(self) -> AuditLog:
        """The audit log of API calls (opened on first use: it pulls in the API client)."""
        if self._audit is None:
            from msp_tui.state.audit import AuditLog

            self._audit = AuditLog(self.conn)
        return self._audit

    def _new_store(self, profile: Profile) -> Store:
        read_only = self.force_read_only or self.settings.app.read_only or profile.read_only
        return Store(profile=profile.name, demo=profile.is_demo, read_only=read_only)

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen()

    def on_mount(self) -> None:
        self.start_session()
        interval = self.settings.app.refresh_interval_seconds
        if interval > 0:
            self.set_interval(interval, self.action_refresh, name="periodic refresh")

    async def on_unmount(self) -> None:
        await self._close_client()

    # ---------------------------------------------------------------- data flow

    def start_session(self) -> None:
        """Shows the cached snapshot of the profile, then refreshes from the server."""
        self.refresh_data(use_cache=True)

    def action_refresh(self) -> None:
        """Fetches the account again (`r`); the current data stays until the new data is in."""
        self.refresh_data(use_cache=self.dataset is None)

    @work(exclusive=True, group="refresh", exit_on_error=False, description="Refresh account data")
    async def refresh_data(self, use_cache: bool = False) -> None:
        """Loads the cache (first time), then fetches, caches and derives a fresh dataset."""
        profile = self.profile
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self._set_refreshing(True)
        if use_cache:
            cached = await asyncio.to_thread(
                self.cache.load, profile.name, defer_devices_over=self.staged_devices)
            if cached is not None:
                dataset = await self._derive(cached)
                self.post_message(DatasetReady(profile.name, dataset, from_cache=True))
                if not dataset.devices_loaded:
                    # A staged start: let the first paint have the CPU before signing in.
                    await asyncio.sleep(self.refresh_delay)
        # Imported here, in a thread: the API client is not needed for the first paint.
        api = await asyncio.to_thread(importlib.import_module, "msp_tui.api")
        try:
            client = await self.signed_in_client()
            snapshot = restamp(await api.fetch_snapshot(client, profile.name), self.clock())
        except api.ApiError as exc:
            self.post_message(RefreshFailed(profile.name, str(exc)))
            return
        await asyncio.to_thread(self.cache.save, snapshot)
        self.post_message(DatasetReady(profile.name, await self._derive(snapshot), from_cache=False))

    async def _derive(self, snapshot: Any) -> Dataset:
        policy, now = self.settings.policy(), self.clock()
        if len(snapshot.devices) > LARGE_DEVICES:
            return await asyncio.to_thread(build_dataset, snapshot, policy, now)
        return build_dataset(snapshot, policy, now)

    async def signed_in_client(self) -> Code42Client:
        """Returns the open profile's client, signing in first (asking for a TOTP code if needed).

        Call it from a worker: the TOTP prompt waits for the user.
        """
        profile = self.profile
        if self.client is not None:
            return self.client
        if profile.is_demo and self.transport is None:
            await session.open_demo_authority()
        self.client = await self.sign_in_profile(profile, read_only=self.store.read_only)
        return self.client

    async def sign_in_profile(self, profile: Any, *, read_only: bool) -> Code42Client:
        """Opens a client for any profile and signs in, asking for a TOTP code when needed.

        Shared by the dashboard and the wizards (which also sign in to a target account).
        Call it from a worker: the TOTP prompt waits for the user.
        """
        from msp_tui.api import ApiError
        from msp_tui.api.errors import TotpRequiredError

        totp: str | None = None
        while True:
            client = session.open_client(
                profile, self.settings, credentials=self.credentials(profile, totp),
                read_only=read_only, audit=self.audit.sink(profile.name),
                transport=self.transport,
            )
            try:
                await client.sign_in()
            except TotpRequiredError as exc:
                await client.aclose()
                problem = str(exc) if totp else None
                totp = await self.push_screen(TotpScreen(profile.username, problem), wait_for_dismiss=True)
                if not totp:
                    raise ApiError(
                        f"Sign-in cancelled for {profile.name}: no TOTP code given (press r to try again)."
                    ) from None
                continue
            except BaseException:
                await client.aclose()
                raise
            return client

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.aclose()

    def _set_refreshing(self, value: bool) -> None:
        self.store.refreshing = value
        self.status_version += 1

    @on(DatasetReady)
    def _adopt_dataset(self, message: DatasetReady) -> None:
        if message.profile != self.store.profile:
            return
        store = self.store
        if not message.from_cache:
            store.from_cache = store.stale = False
            store.error = None
            store.failures = 0
            store.refreshing = False
        elif store.dataset is None:
            store.from_cache = True
        else:
            return  # fresher data already shown
        top = message.dataset.tree.top
        store.account = top.org_name if top is not None else store.profile
        store.dataset = message.dataset
        self.details_loading = not message.dataset.devices_loaded
        self.dataset = message.dataset
        self.status_version += 1
        if self.details_loading:
            dataset = message.dataset
            self.set_timer(DETAILS_DELAY, lambda: self._load_details_if_current(dataset))
        if len(message.dataset.snapshot.devices) > LARGE_DEVICES:
            # After the first paint: this thread would compete with it for the GIL.
            dataset = message.dataset
            self.set_timer(PREBUILD_DELAY, lambda: self._prebuild_if_current(dataset))

    def _load_details_if_current(self, dataset: Dataset) -> None:
        if dataset is self.dataset:
            self._load_details(dataset)

    @work(thread=True, exclusive=True, group="details", exit_on_error=False,
          description="Load the device details")
    def _load_details(self, dataset: Dataset) -> None:
        """Decodes the full device records of a cached dataset (and its findings)."""
        dataset.load_devices()
        self.call_from_thread(self._details_loaded, dataset)

    def _details_loaded(self, dataset: Dataset) -> None:
        if dataset is self.dataset:
            self.details_loading = False

    async def wait_for_details(self, dataset: Dataset) -> None:
        """Returns once `dataset`'s full device records are decoded (at once if they are)."""
        if not dataset.devices_loaded:
            await asyncio.to_thread(dataset.load_devices)

    def _prebuild_if_current(self, dataset: Dataset) -> None:
        if dataset is self.dataset:
            self._prebuild_rows(dataset)

    @work(thread=True, exclusive=True, group="prebuild", exit_on_error=False,
          description="Prepare the all-devices rows")
    def _prebuild_rows(self, dataset: Dataset) -> None:
        """Prepares the all-devices rows (and their filter text) of a big account while the user
        reads the first screen."""
        from msp_tui.tui.screens.all_devices import prebuild_haystacks

        prebuild_haystacks(dataset)

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        if message.profile != self.store.profile:
            return
        store = self.store
        store.failures += 1
        store.refreshing = False
        store.stale = store.dataset is not None
        delay = RETRY_DELAYS[min(store.failures, len(RETRY_DELAYS)) - 1]
        kept = "showing the last good data; " if store.dataset is not None else ""
        store.error = f"Refresh failed: {message.error} ({kept}retry in {delay:.0f}s, r now)"
        self._retry_timer = self.set_timer(delay, self.action_refresh, name="refresh retry")
        self.status_version += 1

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("worker %s failed", event.worker.name, exc_info=error)
        if event.worker.group == "refresh":
            self.post_message(RefreshFailed(self.store.profile, f"unexpected error: {error}"))
        else:
            self.post_message(Notice(f"{event.worker.description or 'Task'} failed: {error}", error=True))

    @on(JumpTo)
    def _forward_jump(self, message: JumpTo) -> None:
        main = self.main_screen()
        if main is not None:
            main.jump_to(message)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        if isinstance(self.screen, MainScreen):
            self.screen.show_notice(message.text, error=message.error)
        elif message.error:
            self.notify(message.text, severity="error")

    # ---------------------------------------------------------------- profiles

    async def switch_profile(self, name: str) -> None:
        """Closes the current account and opens the profile `name` (cache first, then refresh)."""
        if name not in self.profiles or name == self.store.profile:
            return
        self.workers.cancel_group(self, "refresh")
        if self._retry_timer is not None:
            self._retry_timer.stop()
        await self._close_client()
        self.profile = self.profiles[name]
        self.store = self._new_store(self.profile)
        self.details_loading = False
        self.dataset = None
        self.status_version += 1
        self.start_session()

    def action_switch_profile(self) -> None:
        """Picks another partner account (`p`)."""
        from msp_tui.tui.screens.accounts import ProfileSwitchScreen

        async def chosen(name: str | None) -> None:
            if name:
                await self.switch_profile(name)

        self.push_screen(ProfileSwitchScreen(list(self.profiles), self.store.profile), chosen)

    @work(exclusive=True, group="accounts", exit_on_error=False, description="Summarise accounts")
    async def action_accounts_summary(self) -> None:
        """Shows every configured account side by side, read-only (`A`)."""
        from msp_tui.tui.screens.accounts import AccountsSummaryScreen

        self.post_message(Notice("Summarising every account…"))
        rows = []
        snapshot: AccountSnapshot | None
        for name, profile in self.profiles.items():
            if name == self.store.profile and self.store.dataset is not None:
                snapshot = self.store.dataset.snapshot
            else:
                snapshot = await asyncio.to_thread(self.cache.load, name)
            rows.append(await summary_row(self, profile, snapshot))
        self.post_message(Notice(""))
        await self.push_screen(AccountsSummaryScreen(rows))

    # ---------------------------------------------------------------- errors

    def _handle_exception(self, error: Exception) -> None:
        # Tests want the real exception; users never get a traceback (textual#5325: errors
        # raised while exiting are only logged).
        if self.is_headless:
            super()._handle_exception(error)
            return
        where = log_exception(error)
        if self._exit:
            return
        self.exit(return_code=1, message=f"msp-tui stopped on an unexpected error: {error}. Details: {where}")

    def main_screen(self) -> MainScreen | None:
        """The dashboard screen (at the bottom of the stack)."""
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def action_help(self) -> None:
        """Shows every key and the program's contacts (`?`)."""
        main = self.main_screen()
        if main is not None:
            main.action_help()


async def summary_row(app: MspApp, profile: Profile, snapshot: Any) -> Any:
    """One account's summary: from `snapshot` when given, else a read-only fetch (then cached)."""
    from msp_tui.api import fetch_snapshot
    from msp_tui.domain.accounts_summary import failed_row, summarize

    policy, now = app.settings.policy(), app.clock()
    if snapshot is None:
        try:
            client = session.open_client(profile, app.settings, read_only=True,
                                         credentials=app.credentials(profile, None),
                                         transport=app.transport)
            async with client:
                snapshot = restamp(await fetch_snapshot(client, profile.name), now)
            await asyncio.to_thread(app.cache.save, snapshot)
        except Exception as exc:  # one failed account must not hide the others
            return failed_row(profile.name, str(exc))
    return await asyncio.to_thread(summarize, snapshot, policy, now)


def build_app(
    settings: Settings,
    *,
    profile_name: str | None = None,
    demo: bool = False,
    read_only: bool = False,
    now: Clock | datetime | None = None,
    conn: sqlite3.Connection | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: CredentialsFactory | None = None,
) -> MspApp:
    """Builds the dashboard for a profile (demo profiles when none is configured or `demo`).

    Args:
        settings: Loaded settings.
        profile_name: Profile to open; None takes the default one.
        demo: Use the demo profiles even when profiles are configured.
        read_only: Refuse every mutating call.
        now: A clock or a fixed time (tests, screenshots); None uses the wall clock.
        conn: State database; None opens the user's.
        transport: HTTP transport override (tests).
        credentials: Credentials factory override (tests).

    Raises:
        ConfigError: `profile_name` is unknown.
    """
    from msp_tui.state import db

    profiles = session.available_profiles(settings, demo=demo)
    profile = session.choose_profile(settings, profile_name, demo=demo)
    clock: Clock = (lambda: now) if isinstance(now, datetime) else (now or _utc_now)
    return MspApp(
        settings, profiles, profile, conn=conn or db.connect(), read_only=read_only, clock=clock,
        transport=transport, credentials=credentials,
    )
