"""Provides ConfirmScreen: the consequences of an action and a typed confirmation.

A destructive action (deactivate) is confirmed only by typing the subject's exact name (the
username, device name or org name); the Confirm button stays disabled until the text matches.
A non-destructive action (block, unblock, reactivate) is confirmed with the button or enter.
`esc` always cancels. The screen is dismissed with True (confirmed) or False.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from msp_tui.domain.consequences import Consequences
from msp_tui.tui.screens.dialog import DialogScreen


class ConfirmScreen(DialogScreen[bool]):
    """Shows an action's consequences and asks for confirmation."""

    DEFAULT_CSS = """
    ConfirmScreen.-destructive > #dialog {
        border: thick $error;
    }
    ConfirmScreen #subject {
        color: $text-muted;
    }
    ConfirmScreen #lines {
        height: auto;
        max-height: 8;
        margin: 1 0 0 0;
    }
    ConfirmScreen #cost {
        margin: 1 0 0 0;
        text-style: bold;
    }
    ConfirmScreen #prompt {
        margin: 1 0 0 0;
    }
    ConfirmScreen #confirm-input {
        border: none;
        background: $boost;
    }
    ConfirmScreen #match {
        color: $text-muted;
        height: 1;
    }
    ConfirmScreen #buttons {
        height: auto;
        align-horizontal: right;
    }
    ConfirmScreen #buttons Button {
        margin: 0 0 0 1;
    }
    """
    """Dialog layout; a destructive action gets an error-coloured border and a word saying so."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]
    """esc cancels (dismisses with False)."""

    AUTO_FOCUS = "#confirm-input, #confirm"
    """Focus the name field of a destructive action, else the Confirm button."""

    def __init__(self, consequences: Consequences) -> None:
        """Builds the dialog.

        Args:
            consequences: What the action does; `confirm_text` (if any) must be typed.
        """
        super().__init__(classes="-destructive" if consequences.destructive else None)
        self.consequences = consequences
        """The consequences shown."""

    @property
    def requires_typing(self) -> bool:
        """True when the user must type `confirm_text`."""
        return bool(self.consequences.confirm_text)

    def compose(self) -> ComposeResult:
        """Lays out title, subject, consequence lines, the name field and the buttons."""
        c = self.consequences
        badge = "⚠ DESTRUCTIVE · " if c.destructive else ""
        with Vertical(id="dialog"):
            yield Static(f"{badge}{c.title}", id="title", markup=False)
            yield Static(c.subject, id="subject", markup=False)
            effects = [line for line in c.lines if line not in c.cost_lines]
            with VerticalScroll(id="lines"):
                yield Static("\n".join(f"• {line}" for line in effects), markup=False)
            yield Static("\n".join(f"• {line}" for line in c.cost_lines), id="cost", markup=False)
            if self.requires_typing:
                yield Static(f"Type {c.confirm_text} to confirm:", id="prompt", markup=False)
                field = Input(placeholder=c.confirm_text or "", id="confirm-input", compact=True)
                field.cursor_blink = False
                yield field
                yield Static("✗ does not match yet", id="match")
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button(
                    c.title,
                    variant="error" if c.destructive else "primary",
                    id="confirm",
                    disabled=self.requires_typing,
                    compact=True,
                )

    def on_resize(self) -> None:
        """Gives the scrolling list of effects what is left of the height (80x24 included)."""
        lines = self.query_one("#lines", VerticalScroll)
        lines.styles.max_height = max(3, self.size.height - self._fixed_rows())

    def _fixed_rows(self) -> int:
        width = max(self.size.width - 6, 20)
        cost = self.query_one("#cost", Static)
        text = str(cost.render())
        cost_rows = sum(max(1, -(-len(row) // width)) for row in text.splitlines()) if text else 0
        subject_rows = -(-len(self.consequences.subject) // width)
        typing_rows = 4 if self.requires_typing else 0
        # border 2, title 1, margins 2, buttons 1, plus a spare row for wrapping slack
        return 7 + subject_rows + cost_rows + typing_rows

    def matches(self, text: str) -> bool:
        """True when `text` is exactly the confirmation text (case and spaces included)."""
        return not self.requires_typing or text == self.consequences.confirm_text

    @on(Input.Changed, "#confirm-input")
    def update_match(self, event: Input.Changed) -> None:
        """Enables Confirm only when the typed text matches exactly."""
        ok = self.matches(event.value)
        self.query_one("#confirm", Button).disabled = not ok
        label = "✓ matches" if ok else "✗ does not match yet"
        self.query_one("#match", Static).update(label)

    @on(Input.Submitted, "#confirm-input")
    def submit_typed(self, event: Input.Submitted) -> None:
        """enter in the name field confirms when the text matches."""
        if self.matches(event.value):
            self.dismiss(True)
        else:
            self.notify("Type the exact name to confirm.", severity="warning")

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        """Dismisses with True (the button is only enabled on a match)."""
        value = self.query_one("#confirm-input", Input).value if self.requires_typing else ""
        if self.matches(value):
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Dismisses with False."""
        self.dismiss(False)
