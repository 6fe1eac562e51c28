"""Provides WhatIfScreen: try changes to a customer's users and see the bill before and after.

Nothing is sent to the server: the snapshot is reduced to per-customer counts and the changes
(add / remove / deactivate N users on a customer, remove a customer) are applied with
`domain.whatif`. The draft change updates the table as you type; `ctrl+a` keeps it and starts
another. `ctrl+s` (or enter) closes and hands the result to the caller (e.g. to show it in the
cost pane); `esc` closes with None.
"""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from msp_tui.domain.policy import Policy
from msp_tui.domain.pricing import format_money
from msp_tui.domain.projection import Projection
from msp_tui.domain.whatif import (
    AddUsers,
    Change,
    DeactivateUsers,
    RemoveCustomer,
    RemoveUsers,
    WhatIfError,
    WhatIfResult,
    counts_from_snapshot,
    what_if,
)
from msp_tui.models import AccountSnapshot
from msp_tui.tui.screens.dialog import DialogScreen

KINDS: tuple[tuple[str, str], ...] = (
    ("Add users", "add_users"),
    ("Remove users (for good)", "remove_users"),
    ("Deactivate users (cold storage)", "deactivate_users"),
    ("Remove customer (purged)", "remove_customer"),
)
"""The change kinds offered, as (label, kind)."""


def draft_change(org: str, kind: str, users_text: str) -> Change:
    """Builds one change from the form's values.

    Raises:
        WhatIfError: The number of users is not a positive whole number.
    """
    if kind == "remove_customer":
        return RemoveCustomer(org=org)
    try:
        users = int(users_text.strip())
    except ValueError:
        raise WhatIfError("Users must be a whole number, e.g. 3.") from None
    if users <= 0:
        raise WhatIfError("Users must be at least 1.")
    model = {"add_users": AddUsers, "remove_users": RemoveUsers,
             "deactivate_users": DeactivateUsers}[kind]
    return model(org=org, users=users)


def describe_change(change: Change) -> str:
    """Returns a change in words: "add 3 users to Acme Dental"."""
    if isinstance(change, RemoveCustomer):
        return f"remove customer {change.org}"
    users = getattr(change, "users", 0)
    verb = {"add_users": "add", "remove_users": "remove", "deactivate_users": "deactivate"}
    prep = "to" if change.kind == "add_users" else "of"
    return f"{verb.get(change.kind, change.kind)} {users} users {prep} {change.org}"


def _tier(p: Projection) -> str:
    if p.at_tier:
        return f"✓ tier (+{p.margin_above_tier} spare)"
    return f"· {p.users_to_tier} to tier"


def comparison_table(result: WhatIfResult, policy: Policy) -> str:
    """Returns the before/after table as aligned text (no colour needed to read it)."""
    m = lambda amount: format_money(amount, policy.prices)  # noqa: E731
    b, a = result.before, result.after
    rows = [
        ("", "Before", "After"),
        ("Billed users", str(b.billed_users), str(a.billed_users)),
        ("This cycle rate", m(b.rate), m(a.rate)),
        ("Next cycle", f"{b.next_cycle_date:%Y-%m-%d}", f"{a.next_cycle_date:%Y-%m-%d}"),
        ("Next cycle rate", m(b.next_cycle_rate), m(a.next_cycle_rate)),
        ("Monthly total", m(b.next_cycle_total), m(a.next_cycle_total)),
        ("Tier", _tier(b), _tier(a)),
    ]
    lines = [f"{label:<16}{before:>18}  {after:>18}" for label, before, after in rows]
    delta = result.delta
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    lines.append(f"{'Change':<16}{'':>18}  {sign + m(abs(delta)) + ' a month':>18}")
    if a.at_tier and not b.at_tier:
        lines.append(f"▲ Reaches the {a.tier_threshold}-user tier from {a.next_cycle_date:%Y-%m-%d}.")
    elif b.at_tier and not a.at_tier:
        lines.append(f"▼ Falls below the {b.tier_threshold}-user tier from {a.next_cycle_date:%Y-%m-%d}.")
    lines.append(a.message)
    return "\n".join(lines)


class WhatIfScreen(DialogScreen[WhatIfResult | None]):
    """Edits hypothetical changes and shows the projection before and after."""

    DEFAULT_CSS = """
    WhatIfScreen > #dialog {
        width: 84;
    }
    WhatIfScreen #changes {
        color: $text-muted;
    }
    WhatIfScreen .row {
        height: 1;
        margin: 1 0 0 0;
    }
    WhatIfScreen .row Label {
        width: 10;
    }
    WhatIfScreen #org {
        width: 1fr;
    }
    WhatIfScreen #kind {
        width: 1fr;
    }
    WhatIfScreen #users {
        width: 10;
    }
    WhatIfScreen #problem {
        color: $text-error;
        height: auto;
    }
    WhatIfScreen #table {
        margin: 1 0 0 0;
    }
    WhatIfScreen #buttons {
        height: 1;
        align-horizontal: right;
    }
    WhatIfScreen #buttons Button {
        margin: 0 0 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="whatif.close"),
        Binding("ctrl+a", "keep", "Keep change", id="whatif.keep", priority=True),
        Binding("ctrl+d", "drop", "Drop last", id="whatif.drop", priority=True),
        Binding("ctrl+s", "apply", "Show in cost pane", id="whatif.apply", priority=True),
    ]
    """esc closes; ctrl+a keeps the draft change; ctrl+d drops the last kept one; ctrl+s applies."""

    AUTO_FOCUS = "#org"

    def __init__(self, snapshot: AccountSnapshot, policy: Policy, now: datetime) -> None:
        """Builds the editor for `snapshot`, priced with `policy` on `now`'s day."""
        super().__init__()
        self.policy = policy
        self.today = now.date()
        self.counts = counts_from_snapshot(snapshot)
        self.kept: list[Change] = []
        """Changes kept with ctrl+a, applied in order before the draft."""
        self.result: WhatIfResult | None = None
        """The latest result (kept changes plus a valid draft)."""

    def compose(self) -> ComposeResult:
        """Lays out the change form, the kept changes, the table and the buttons."""
        # Customer orgs only: the "(top-level org)" style lines are not customers to edit.
        names = [n for n in self.counts.customers if not n.startswith("(")]
        with Vertical(id="dialog"):
            yield Static("What-if: nothing is sent to the server", id="title")
            with Horizontal(classes="row"):
                yield Label("Customer")
                yield Select([(n, n) for n in names], value=names[0] if names else Select.BLANK,
                             allow_blank=not names, id="org", compact=True)
            with Horizontal(classes="row"):
                yield Label("Change")
                yield Select(KINDS, value="add_users", allow_blank=False, id="kind", compact=True)
                yield Label(" Users", classes="users-label")
                field = Input("1", id="users", type="integer", compact=True)
                field.cursor_blink = False
                yield field
            yield Static(id="changes", markup=False)
            yield Static(id="problem", markup=False)
            yield Static(id="table", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Close (esc)", id="close", compact=True)
                yield Button("Show in cost pane (ctrl+s)", variant="primary", id="apply",
                             compact=True)

    def on_mount(self) -> None:
        """Shows the first projection."""
        self.recompute()

    def _draft(self) -> Change | None:
        org = self.query_one("#org", Select).value
        kind = self.query_one("#kind", Select).value
        if not isinstance(org, str) or not isinstance(kind, str):
            return None
        return draft_change(org, kind, self.query_one("#users", Input).value)

    @on(Select.Changed)
    @on(Input.Changed)
    def recompute(self) -> None:
        """Applies the kept changes and the draft, and shows before and after."""
        problem = ""
        changes = list(self.kept)
        try:
            draft = self._draft()
            if draft is not None:
                changes.append(draft)
            self.result = what_if(self.counts, changes, self.policy, self.today)
        except WhatIfError as exc:
            problem = f"✗ {exc}"
            self.result = what_if(self.counts, self.kept, self.policy, self.today)
        kept = "; ".join(f"{i}. {describe_change(c)}" for i, c in enumerate(self.kept, 1))
        self.query_one("#changes", Static).update(
            f"Kept: {kept} (ctrl+d drops the last)" if kept else
            "ctrl+a keeps this change and starts another."
        )
        self.query_one("#problem", Static).update(problem)
        self.query_one("#table", Static).update(comparison_table(self.result, self.policy))

    @on(Input.Submitted)
    def submit_on_enter(self) -> None:
        """enter in the users field applies, like ctrl+s."""
        self.action_apply()

    def action_keep(self) -> None:
        """Keeps the draft change (if valid) so another can be added."""
        try:
            draft = self._draft()
            if draft is None:
                return
            what_if(self.counts, [*self.kept, draft], self.policy, self.today)
        except WhatIfError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.kept.append(draft)
        self.query_one("#users", Input).value = "1"
        self.recompute()

    def action_drop(self) -> None:
        """Drops the last kept change."""
        if self.kept:
            self.kept.pop()
            self.recompute()

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        """Closes with the result of what the form shows now."""
        self.recompute()
        self.dismiss(self.result)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Closes without a result."""
        self.dismiss(None)
