"""Provides HelpScreen: every key binding, the MSP program facts, contacts and a BAA draft.

The facts and contacts come from the Code42 MSP program FAQ. The drafted BAA request can be
copied to the clipboard with OSC 52 (`App.copy_to_clipboard`, which works over SSH when the
terminal allows it) or saved to a file on the host running msp-tui.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from msp_tui import paths
from msp_tui.domain.checks import MSP_BILLING_EMAIL, draft_baa_request
from msp_tui.tui.screens.dialog import DialogScreen

PAYMENT_SUPPORT_EMAIL = "support@2checkout.com"
SUPPORT_PORTAL = "https://support.code42.com (Code42 for Enterprise support: email, chat, phone)"

PROGRAM_FACTS = (
    "$9.99 per user per month, unlimited storage.",
    "From 51 users the whole account pays $7.49 per user, from the next billing cycle "
    "(counted in users, not devices).",
    "Up to 4 devices backing up per user.",
    "One org per customer, directly under your top-level org; no child orgs under customers.",
    "Storage is in the US only.",
    "Accounts cannot be merged; moving a client means deactivating, renaming and recreating "
    "users (archives start over).",
)
"""Program facts from the MSP FAQ."""

CONTACTS = (
    f"Billing questions, BAA (HIPAA) requests, closing an account: {MSP_BILLING_EMAIL}",
    f"Payment method problems (2Checkout): {PAYMENT_SUPPORT_EMAIL}",
    f"Technical support portal: {SUPPORT_PORTAL}",
)
"""Who to contact for what, from the MSP FAQ."""

SCREENSHOT_NOTE = (
    "Screenshots (command palette → Screenshot) are saved as SVG on the host running msp-tui "
    "(e.g. the jump host), in its working directory, not on your own machine."
)

HelpEntry = tuple[str, str, str]
"""(where, key, description) of one binding."""


def bindings_help(sources: Iterable[tuple[str, Sequence[BindingType]]]) -> list[HelpEntry]:
    """Lists the bindings of several places, e.g. [("Dashboard", MainScreen.BINDINGS), ...].

    Bindings without a description are left out; several keys of one binding are joined.
    """
    merged: dict[tuple[str, str, str], list[str]] = {}
    for where, bindings in sources:
        for binding in Binding.make_bindings(bindings):
            if binding.description:
                key = binding.key_display or key_label(binding.key)
                merged.setdefault((where, binding.action, binding.description), []).append(key)
    return [(where, " ".join(keys), description)
            for (where, _action, description), keys in merged.items()]


_KEY_NAMES = {
    "question_mark": "?", "escape": "esc", "slash": "/", "enter": "enter", "space": "space",
    "left_square_bracket": "[", "right_square_bracket": "]", "colon": ":", "full_stop": ".",
    "comma": ",", "plus": "+", "minus": "-", "tab": "tab",
}


def key_label(key: str) -> str:
    """Returns a key as people write it: "question_mark" → "?", "ctrl+s" stays."""
    parts = key.split("+")
    return "+".join(_KEY_NAMES.get(part, part) for part in parts)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "customer"


class HelpScreen(DialogScreen[None]):
    """Key bindings, program facts, contacts and the BAA request draft."""

    DEFAULT_CSS = """
    HelpScreen > #dialog {
        height: 100%;
        max-height: 40;
    }
    HelpScreen #body {
        height: 1fr;
    }
    HelpScreen .heading {
        text-style: bold underline;
        margin: 1 0 0 0;
    }
    HelpScreen #draft {
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    HelpScreen #buttons {
        height: 1;
        align-horizontal: right;
    }
    HelpScreen #buttons Button {
        margin: 0 0 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("c", "copy_draft", "Copy BAA email", id="help.copy"),
        Binding("s", "save_draft", "Save BAA email", id="help.save"),
    ]
    """esc/q/? closes; c copies the BAA draft (OSC 52); s saves it to a file."""

    AUTO_FOCUS = "#body"
    """The scrolling body has focus, so arrows and page keys scroll."""

    def __init__(
        self,
        bindings: Sequence[HelpEntry | tuple[str, str]] = (),
        *,
        partner: str = "",
        customer: str = "",
        save_dir: Path | None = None,
    ) -> None:
        """Builds the help.

        Args:
            bindings: (where, key, description) or (key, description) entries.
            partner: The partner account, named in the BAA draft.
            customer: The customer the BAA is for ("<customer>" when empty).
            save_dir: Where to save the draft; default the msp-tui data directory.
        """
        super().__init__()
        self.entries: list[HelpEntry] = [
            entry if len(entry) == 3 else ("", *entry)
            for entry in bindings
        ]
        self.partner = partner or "<your partner account>"
        self.customer = customer or "<customer>"
        self.save_dir = save_dir
        self.draft = draft_baa_request(self.customer, self.partner)
        """The BAA request email text."""

    def _keys_text(self) -> str:
        if not self.entries:
            return "No bindings listed."
        width = max(len(key) for _w, key, _d in self.entries) + 2
        lines: list[str] = []
        current = None
        for where, key, description in self.entries:
            if where != current and where:
                lines.append(f"{where}:")
                current = where
            lines.append(f"  {key:<{width}}{description}")
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        """Lays out the sections in a scrolling body and the buttons below."""
        with Vertical(id="dialog"):
            yield Static("Help · msp-tui", id="title")
            with VerticalScroll(id="body"):
                yield Static("Keys", classes="heading")
                yield Static(self._keys_text(), id="keys", markup=False)
                yield Static("Code42 MSP program", classes="heading")
                yield Static("\n".join(f"• {fact}" for fact in PROGRAM_FACTS), markup=False)
                yield Static("Contacts", classes="heading")
                yield Static("\n".join(f"• {line}" for line in CONTACTS), markup=False)
                yield Static("BAA request (draft)", classes="heading")
                yield Static(self.draft, id="draft", markup=False)
                yield Static("Screenshots", classes="heading")
                yield Static(SCREENSHOT_NOTE, markup=False)
            with Horizontal(id="buttons"):
                yield Button("Copy BAA email (c)", id="copy", compact=True)
                yield Button("Save BAA email (s)", id="save", compact=True)
                yield Button("Close (esc)", id="close", variant="primary", compact=True)

    @on(Button.Pressed, "#copy")
    def action_copy_draft(self) -> None:
        """Copies the draft to the clipboard of the terminal you are sitting at (OSC 52)."""
        self.app.copy_to_clipboard(self.draft)
        self.notify("BAA email copied (OSC 52: needs a terminal that allows clipboard writes; "
                    "in tmux set `set-clipboard on`).")

    def draft_path(self) -> Path:
        """Where `save_draft` writes the draft."""
        folder = self.save_dir or paths.data_dir() / "drafts"
        return folder / f"baa-request-{_slug(self.customer)}.txt"

    @on(Button.Pressed, "#save")
    def action_save_draft(self) -> None:
        """Writes the draft to a file on the host running msp-tui and says where."""
        path = self.draft_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.draft + "\n", encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not save the draft: {exc.strerror or exc}.", severity="error")
            return
        self.notify(f"BAA email saved to {path} (on the host running msp-tui).")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Closes the help."""
        self.dismiss(None)
