"""Provides the command palette entries: one per key binding of the current screen and the App.

Built from the bindings themselves, so every action that has a key is also in the palette
(ctrl+p), with its key shown, and nothing can drift out of sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.app import App
from textual.widget import Widget

_SKIP = {"back", "quit", "command_palette", "app.pop_screen"}
"""Actions that make no sense as palette entries (the palette itself, going back)."""


def palette_entries(screen: Widget, app: App[Any]) -> Iterator[tuple[str, str, Widget | App[Any], str]]:
    """Yields (title, help, target, action) for the bindings of `screen` and `app`."""
    seen: set[str] = set()
    for target in (screen, app):
        for item in getattr(target, "BINDINGS", ()):
            # A screen may bind an App action ("app.quit") to order its footer: one entry each.
            action = item.action.removeprefix("app.") if isinstance(item, Binding) else ""
            if not isinstance(item, Binding) or not item.description or action in _SKIP:
                continue
            if action in seen:
                continue
            seen.add(action)
            key = item.key_display or item.key.split(",")[0]
            key = {"question_mark": "?", "slash": "/", "right_square_bracket": "]",
                   "left_square_bracket": "["}.get(key, key)
            help_text = f"key: {key}" + (f" · {item.tooltip}" if item.tooltip else "")
            yield item.description, help_text, target, item.action


class MspCommands(Provider):
    """Palette commands for the dashboard's actions."""

    def _entries(self) -> list[tuple[str, str, Widget | App[Any], str]]:
        return list(palette_entries(self.screen, self.app))

    async def discover(self) -> Hits:
        for title, help_text, target, action in self._entries():
            yield DiscoveryHit(title, partial(target.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, target, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(target.run_action, action),
                          help=help_text)
