"""Provides DialogScreen: the modal base every dialog screen shares.

A dialog screen composes a `Vertical(id="dialog")` box, centred, holding a bold `#title` and
muted `.hint` lines. The common rules below name `DialogScreen`, which Textual matches on every
subclass (a type selector matches the class and its bases); a subclass' own DEFAULT_CSS wins
over them at equal specificity, so a screen declares only what differs: its width (100 unless
it says otherwise), another border, extra rows.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class DialogScreen(ModalScreen[ResultT]):
    """A centred `#dialog` box (width 100, theme border and surface) with a bold title."""

    DEFAULT_CSS = """
    DialogScreen {
        align: center middle;
    }
    DialogScreen > #dialog {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    DialogScreen #title {
        text-style: bold;
    }
    DialogScreen .hint {
        color: $text-muted;
    }
    """
