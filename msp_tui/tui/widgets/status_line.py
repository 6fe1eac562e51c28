"""Provides the one-line status line: the last error (one line, never a traceback) or outcome."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class StatusLine(Static):
    """Errors and outcomes, one line; words and symbols carry the meaning, colour only helps."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusLine.-error { color: $text-error; }
    """

    def show(self, text: str, *, error: bool = False) -> None:
        """Shows `text`; errors get a ✗ and the error style."""
        self.set_class(error, "-error")
        self.update(Content(f"✗ {text}" if error and text else text))

    @property
    def text(self) -> str:
        """The plain text shown."""
        return str(self.render())
