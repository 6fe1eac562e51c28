"""Provides `TotpScreen`: the sign-in prompt for the TOTP code of a two-factor (LOCAL_2FA) account."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TotpScreen(ModalScreen["str | None"]):
    """Asks for the 6-digit TOTP code of a two-factor (LOCAL_2FA) account."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#totp-input"

    def __init__(self, username: str, problem: str | None = None) -> None:
        super().__init__()
        self.username = username
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="totp-dialog"):
            yield Static(
                f"Two-factor sign-in for {self.username}\n"
                + (f"✗ {self.problem}\n" if self.problem else "")
                + "Enter the code from your authenticator app (esc cancels):",
                id="totp-text",
            )
            yield Input(placeholder="123456", id="totp-input", max_length=8, restrict=r"[0-9 ]*")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        code = event.value.replace(" ", "")
        if code:
            self.dismiss(code)

    def action_cancel(self) -> None:
        """Gives up signing in (the app keeps showing cached data)."""
        self.dismiss(None)
