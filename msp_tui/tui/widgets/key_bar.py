"""Provides `KeyBar`: the bottom line of key hints, drawn as one widget.

Textual's `Footer` mounts a widget per key (16 on the main screen) and restyles each of them
whenever the bindings change; on a 2-core jump host that was ~0.3 s of every screen push (the
all-devices view opened in 0.7 s instead of 1.0 s without it). `KeyBar` shows the same hints,
in the same order and colours, as one line of text; a click on a hint presses its key. Help
and the command palette stay at the right end, so they show at 80 columns too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from textual import events
from textual.binding import Binding
from textual.content import Content, Span
from textual.screen import Screen
from textual.widget import Widget


HELP_KEY = "question_mark"
"""Help is pinned at the right end with the palette: the one key that leads to all others."""


class KeyHint(NamedTuple):
    """One hint: the key as shown, what it does, the key to press on a click."""

    key_display: str
    description: str
    key: str
    enabled: bool


def key_hints(
    active: Iterable[tuple[object, Binding, bool, str]],
    display: Callable[[Binding], str],
    *,
    pinned: Sequence[str | None] = (),
) -> tuple[list[KeyHint], list[KeyHint]]:
    """Returns the shown hints (one per action, first binding wins, as Textual's Footer does)
    and, apart, the hints of the `pinned` keys (help, the command palette), in that order.

    Args:
        active: `Screen.active_bindings.values()`: (node, binding, enabled, tooltip).
        display: How a binding's key is shown (`App.get_key_display`).
        pinned: Keys shown at the right end whatever the width (None entries are ignored).
    """
    hints: list[KeyHint] = []
    pins: dict[str, KeyHint] = {}
    actions: set[str] = set()
    for _node, binding, enabled, _tooltip in active:
        if binding.key in pinned:
            pins.setdefault(binding.key, KeyHint(display(binding), binding.description, binding.key, enabled))
            continue
        if not binding.show or binding.action in actions:
            continue
        actions.add(binding.action)
        hints.append(KeyHint(display(binding), binding.description, binding.key, enabled))
    return hints, [pins[key] for key in pinned if key is not None and key in pins]


def _hint_spans(hint: KeyHint, at: int) -> tuple[str, list[Span]]:
    text = f" {hint.key_display} {hint.description} "
    key_end = at + 2 + len(hint.key_display)  # the key with a space each side, as Footer pads it
    key_style = "key-bar--key" if hint.enabled else "key-bar--disabled"
    spans = [Span(at, key_end, key_style)]
    if not hint.enabled:
        spans.append(Span(key_end, at + len(text), "key-bar--disabled"))
    return text, spans


class HintLine(NamedTuple):
    """One laid-out line of hints: its content and the cells each hint covers."""

    content: Content
    targets: list[tuple[int, int, str]]
    """(first cell, cell after the last, key to press) per hint shown."""

    def key_at(self, x: int) -> str | None:
        """The key of the hint at cell `x`, or None."""
        return next((key for start, end, key in self.targets if start <= x < end), None)


def render_hints(hints: list[KeyHint], pinned: list[KeyHint], width: int,
                 styles: dict[str, str]) -> HintLine:
    """Lays the hints out on one line of `width` cells: hints that do not fit are left out;
    the pinned hints (help, the palette) sit at the right end behind a bar, so they show at
    80 columns too. `styles` maps the class names used in the spans (`key-bar--key`,
    `key-bar--disabled`) to style strings."""
    tail = "│" if pinned else ""
    tail_spans: list[Span] = []
    tail_targets: list[tuple[int, int, str]] = []
    for hint in pinned:
        piece, piece_spans = _hint_spans(hint, len(tail))
        tail_targets.append((len(tail), len(tail) + len(piece), hint.key))
        tail += piece
        tail_spans.extend(piece_spans)
    room = max(width - len(tail), 0)
    text = ""
    spans: list[Span] = []
    targets: list[tuple[int, int, str]] = []
    for hint in hints:
        piece, piece_spans = _hint_spans(hint, len(text))
        if len(text) + len(piece) > room:
            break
        targets.append((len(text), len(text) + len(piece), hint.key))
        text += piece
        spans.extend(piece_spans)
    pad = width - len(text) - len(tail)
    if tail and pad >= 0:
        start = len(text) + pad
        text += " " * pad + tail
        spans.extend(Span(s.start + start, s.end + start, s.style) for s in tail_spans)
        targets.extend((first + start, end + start, key) for first, end, key in tail_targets)
    resolved = [Span(s.start, s.end, styles.get(str(s.style), str(s.style))) for s in spans]
    return HintLine(Content(text, resolved), targets)


class KeyBar(Widget):
    """The key hints of the screen's active bindings, on one line docked at the bottom."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    """

    ALLOW_SELECT = False
    _line: HintLine | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> Content:
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        hints, pinned = key_hints(self.screen.active_bindings.values(), app.get_key_display,
                                  pinned=(HELP_KEY, palette_key))
        styles = {
            "key-bar--key": "bold $footer-key-foreground",
            "key-bar--disabled": "dim",
        }
        self._line = render_hints(hints, pinned, self.size.width, styles)
        return self._line.content

    def on_click(self, event: events.Click) -> None:
        key = self._line.key_at(event.x) if self._line is not None else None
        if key is not None:
            event.stop()
            self.app.simulate_key(key)
