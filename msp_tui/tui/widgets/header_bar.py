"""Provides the one-line header: account, DEMO / READ-ONLY / TLS OFF badges, data age and billed users.

No clock: the header changes only when the data or its freshness changes, so an idle dashboard
sends nothing over SSH. Badges are words, so they survive NO_COLOR and monochrome terminals.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from msp_tui.tui.dataset import Store


def age_marker(store: Store) -> str:
    """Returns "as of 14:02", with " · cached", " · stale" or " · refreshing…" when it applies."""
    dataset = store.dataset
    if dataset is None:
        return "refreshing…" if store.refreshing else "no data yet"
    text = f"as of {dataset.fetched_at.astimezone().strftime('%H:%M')}"
    if store.stale:
        text += " · stale"
    elif store.refreshing:
        text += " · refreshing…"
    elif store.from_cache:
        text += " · cached"
    return text


def billed_text(store: Store) -> str:
    """Returns the billed users against the tier threshold: "47/51 users" or "62 users ≥51"."""
    dataset = store.dataset
    if dataset is None:
        return ""
    p = dataset.projection
    if p.billed_users >= p.tier_threshold:
        return f"{p.billed_users} users ≥{p.tier_threshold} tier"
    return f"{p.billed_users}/{p.tier_threshold} users"


def tls_off(profile: object) -> bool:
    """True when the profile skips TLS verification (`verify_tls = false` and no CA bundle)."""
    if profile is None:
        return False
    return getattr(profile, "verify_tls", True) is False and not getattr(profile, "ca_bundle", None)


class HeaderBar(Horizontal):
    """The dashboard's top line."""

    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        background: $panel;
        color: $foreground;
        #header-left { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
        #header-right { width: auto; height: 1; text-wrap: nowrap; padding: 0 1 0 0; }
    }
    HeaderBar.-stale #header-right { color: $text-warning; }
    """
    """Theme variables only: the stale marker is also a word, so colour is a hint."""

    def compose(self) -> ComposeResult:
        yield Static(id="header-left")
        yield Static(id="header-right")

    def show(self, store: Store) -> None:
        """Renders the header from the store."""
        name = store.account or store.profile
        left = Content.from_markup(" [b]$name[/b]", name=name)
        if store.demo:
            left += Content.from_markup(" [reverse $accent] DEMO [/]")
        if store.read_only:
            left += Content.from_markup(" [reverse $warning] READ-ONLY [/]")
        if tls_off(getattr(self.app, "profile", None)):
            left += Content.from_markup(" [reverse $error] TLS OFF [/]")
        right = " · ".join(t for t in (age_marker(store), billed_text(store)) if t)
        self.query_one("#header-left", Static).update(left)
        self.query_one("#header-right", Static).update(right)
        self.set_class(store.stale, "-stale")
