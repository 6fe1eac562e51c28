"""Provides the create forms: CreateOrgScreen and CreateUserScreen.

Both are modal, keyboard-only and fit 80x24: one compact row per field, an inline message
under a field that is wrong ("✗ ..."), `tab` between fields, `enter` or `ctrl+s` submits, `esc`
cancels. They validate locally with `msp_tui.domain.validation` and dismiss with a request
object (or None); the caller sends it to the server. A server refusal (e.g. a duplicate email)
can be shown by reopening the form with the request and `errors`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from msp_tui.domain.validation import validate_org_name, validate_user_fields
from msp_tui.models import Org
from msp_tui.tui.screens.dialog import DialogScreen


@dataclass(frozen=True)
class CreateOrgRequest:
    """A customer org to create directly under the partner's top-level org."""

    name: str


@dataclass(frozen=True)
class CreateUserRequest:
    """A user to create in a customer org."""

    org_id: int
    org_uid: str
    org_name: str
    username: str
    email: str
    """Defaults to the username when left empty."""
    first_name: str = ""
    last_name: str = ""


FORM_CSS = """
{cls} > #dialog {{
    width: 76;
}}
{cls} .row {{
    height: 1;
    margin: 1 0 0 0;
}}
{cls} .row Label {{
    width: 13;
}}
{cls} .row Input {{
    width: 1fr;
    background: $boost;
}}
{cls} .row Input:focus {{
    background: $primary-muted;
}}
{cls} .field-error {{
    display: none;
    color: $text-error;
}}
{cls} .field-error.-shown {{
    display: block;
}}
{cls} #buttons {{
    height: 1;
    margin: 1 0 0 0;
    align-horizontal: right;
}}
{cls} #buttons Button {{
    margin: 0 0 0 1;
}}
"""
"""Shared layout of the forms (theme variables only), formatted with the screen's class name."""


class _FormScreen(DialogScreen[object]):
    """Common behaviour: field rows, inline errors, submit and cancel keys."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
    ]
    """esc cancels; ctrl+s (or enter in a field) submits."""

    AUTO_FOCUS = "Input"
    """The first field has focus when the form opens."""

    FIELDS: tuple[tuple[str, str, str], ...] = ()
    """(key, label, placeholder) of each field, in order."""

    def __init__(self, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None) -> None:
        super().__init__()
        self._values = values or {}
        self._initial_errors = errors or {}
        self._shown_for: dict[str, str] = {}
        """The field text each shown message was about (a message stays until the text changes)."""

    def _field_rows(self) -> ComposeResult:
        for key, label, placeholder in self.FIELDS:
            with Horizontal(classes="row"):
                yield Label(label, markup=False)
                field = Input(self._values.get(key, ""), placeholder=placeholder, id=key,
                              compact=True)
                field.cursor_blink = False
                yield field
            yield Static(id=f"{key}-error", classes="field-error", markup=False)

    def _buttons(self, submit_label: str) -> ComposeResult:
        with Horizontal(id="buttons"):
            yield Button("Cancel (esc)", id="cancel", compact=True)
            yield Button(f"{submit_label} (ctrl+s)", variant="primary", id="submit", compact=True)

    def on_mount(self) -> None:
        """Shows errors the form was opened with (e.g. from the server)."""
        for key, message in self._initial_errors.items():
            self.show_error(key, message)

    def value(self, key: str) -> str:
        """The current text of field `key`, stripped."""
        return self.query_one(f"#{key}", Input).value.strip()

    def show_error(self, key: str, message: str | None) -> None:
        """Shows (or, with None, hides) the inline message under field `key`."""
        line = self.query_one(f"#{key}-error", Static)
        line.update(f"✗ {message}" if message else "")
        line.set_class(bool(message), "-shown")
        self._shown_for[key] = self.query_one(f"#{key}", Input).value

    def errors(self) -> dict[str, str]:
        """Validates every field; returns messages by field key."""
        raise NotImplementedError

    def result(self) -> object:
        """Builds the request from valid fields."""
        raise NotImplementedError

    def _show_all(self, problems: dict[str, str]) -> None:
        for key, _label, _placeholder in self.FIELDS:
            self.show_error(key, problems.get(key))

    @on(Input.Changed)
    def revalidate(self, event: Input.Changed) -> None:
        """Updates the message of a field that currently shows one, as the user fixes it."""
        key = event.input.id or ""
        line = self.query_one(f"#{key}-error", Static)
        if line.has_class("-shown") and event.value != self._shown_for.get(key):
            self.show_error(key, self.errors().get(key))

    @on(Input.Submitted)
    def submit_on_enter(self) -> None:
        """enter in any field submits the form."""
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        """Dismisses with the request when valid; otherwise shows the messages."""
        problems = self.errors()
        self._show_all(problems)
        if problems:
            first = next(k for k, _l, _p in self.FIELDS if k in problems)
            self.query_one(f"#{first}", Input).focus()
            return
        self.dismiss(self.result())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Dismisses with None."""
        self.dismiss(None)


class CreateOrgScreen(_FormScreen):
    """Asks for a new customer org's name; it is always created under the top-level org."""

    DEFAULT_CSS = FORM_CSS.format(cls="CreateOrgScreen")

    FIELDS = (("name", "Org name", "Customer name, e.g. Acme Dental"),)

    def __init__(self, top_org_name: str = "", *, name: str = "",
                 errors: dict[str, str] | None = None) -> None:
        """Builds the form.

        Args:
            top_org_name: The partner's top-level org, shown as the parent.
            name: Initial name (when reopening after a server error).
            errors: Messages to show at once, by field key ("name").
        """
        super().__init__({"name": name}, errors)
        self.top_org_name = top_org_name

    def compose(self) -> ComposeResult:
        """Lays out the title, the parent note, the name field and the buttons."""
        parent = self.top_org_name or "the top-level org"
        with Vertical(id="dialog"):
            yield Static("New customer org", id="title")
            yield Static(f"Created directly under {parent} (one org per customer).",
                         classes="hint", markup=False)
            yield from self._field_rows()
            yield from self._buttons("Create org")

    def errors(self) -> dict[str, str]:
        """Validates the name."""
        message = validate_org_name(self.query_one("#name", Input).value)
        return {"name": message} if message else {}

    def result(self) -> CreateOrgRequest:
        """The request with the trimmed name."""
        return CreateOrgRequest(self.value("name"))


class CreateUserScreen(_FormScreen):
    """Asks for a new user of a customer org: username (an email), email, first and last name."""

    DEFAULT_CSS = FORM_CSS.format(cls="CreateUserScreen")

    FIELDS = (
        ("username", "Username", "name@customer.example"),
        ("email", "Email", "same as the username if empty"),
        ("first_name", "First name", "optional"),
        ("last_name", "Last name", "optional"),
    )

    def __init__(self, org: Org, *, request: CreateUserRequest | None = None,
                 errors: dict[str, str] | None = None) -> None:
        """Builds the form.

        Args:
            org: The customer org the user goes into.
            request: Values to start from (when reopening after a server error).
            errors: Messages to show at once, by field key.
        """
        values = {}
        if request is not None:
            values = {
                "username": request.username,
                "email": "" if request.email == request.username else request.email,
                "first_name": request.first_name,
                "last_name": request.last_name,
            }
        super().__init__(values, errors)
        self.org = org

    def compose(self) -> ComposeResult:
        """Lays out the title, the org, the fields and the buttons."""
        with Vertical(id="dialog"):
            yield Static("New user", id="title")
            yield Static(f"In {self.org.org_name}. Each active user is billed one licence.",
                         classes="hint", markup=False)
            yield from self._field_rows()
            yield from self._buttons("Create user")

    def errors(self) -> dict[str, str]:
        """Validates all fields together."""
        return validate_user_fields(
            self.value("username"), self.value("email"),
            self.query_one("#first_name", Input).value,
            self.query_one("#last_name", Input).value,
        )

    def result(self) -> CreateUserRequest:
        """The request; an empty email becomes the username."""
        username = self.value("username")
        return CreateUserRequest(
            org_id=self.org.org_id,
            org_uid=self.org.org_uid or "",
            org_name=self.org.org_name,
            username=username,
            email=self.value("email") or username,
            first_name=self.value("first_name"),
            last_name=self.value("last_name"),
        )
