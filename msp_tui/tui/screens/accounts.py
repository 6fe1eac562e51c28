"""Provides the account screens: ProfileSwitchScreen and AccountsSummaryScreen.

ProfileSwitchScreen picks another configured partner account (profile). AccountsSummaryScreen
is the consolidated, read-only table across all accounts (accounts cannot be merged; this only
lines them up), built from `domain.accounts_summary` rows the shell computes.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from msp_tui.domain.accounts_summary import AccountSummaryRow, totals
from msp_tui.domain.pricing import format_money
from msp_tui.tui.screens.dialog import DialogScreen


class ProfileSwitchScreen(DialogScreen[str | None]):
    """Lists the profiles; enter switches to the highlighted one, esc keeps the current one."""

    DEFAULT_CSS = """
    ProfileSwitchScreen > #dialog {
        width: 60;
    }
    ProfileSwitchScreen OptionList {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="profiles.cancel")]
    """esc keeps the current account."""

    AUTO_FOCUS = "OptionList"

    def __init__(self, profiles: Sequence[str], current: str | None) -> None:
        """Builds the list.

        Args:
            profiles: Profile names, in display order.
            current: The open profile, marked and highlighted.
        """
        super().__init__()
        self.profiles = list(profiles)
        self.current = current

    def compose(self) -> ComposeResult:
        """Lays out the title, the profile list and a hint."""
        options = [
            Option(f"{'● ' if name == self.current else '  '}{name}"
                   f"{'  (current)' if name == self.current else ''}", id=name)
            for name in self.profiles
        ]
        with Vertical(id="dialog"):
            yield Static("Switch account", id="title")
            yield OptionList(*options, id="profiles")
            yield Static("enter switches · esc cancels", classes="hint")

    def on_mount(self) -> None:
        """Highlights the current profile."""
        if self.current in self.profiles:
            self.query_one(OptionList).highlighted = self.profiles.index(self.current)

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        """Dismisses with the chosen profile (None when it is the current one)."""
        name = event.option.id
        self.dismiss(None if name == self.current else name)

    def action_cancel(self) -> None:
        """Dismisses with None."""
        self.dismiss(None)


SUMMARY_COLUMNS = (
    "Account", "Users", "Rate", "Monthly", "Next cycle", "To tier", "Customers", "Devices",
    "Critical", "Never backed up", "Status",
)
"""Column headings of the summary table."""


def summary_cells(row: AccountSummaryRow) -> tuple[str, ...]:
    """The cells of one summary row, as text (status in words, not colour)."""
    if row.error is not None:
        return (row.profile, "", "", "", "", "", "", "", "", "", f"✗ {row.error}")
    rate = format_money(row.rate) if row.rate is not None else "—"
    if row.users_to_tier is None:
        to_tier = "—"
    else:
        to_tier = "✓ at tier" if row.users_to_tier == 0 else str(row.users_to_tier)
    critical = f"⚠ {row.critical_devices}" if row.critical_devices else "0"
    return (
        row.profile, str(row.billed_users), rate, format_money(row.monthly_total),
        format_money(row.next_cycle_total), to_tier, str(row.customers), str(row.devices),
        critical, str(row.never_backed_up), "✓ ok" if row.fetched_at is not None else "",
    )


class AccountsSummaryScreen(DialogScreen[None]):
    """A read-only table of every configured account, with a totals row."""

    DEFAULT_CSS = """
    AccountsSummaryScreen > #dialog {
        width: 130;
    }
    AccountsSummaryScreen DataTable {
        height: auto;
        max-height: 20;
    }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", id="summary.close")]
    """esc or q closes."""

    AUTO_FOCUS = "DataTable"

    def __init__(self, summaries: Sequence[AccountSummaryRow]) -> None:
        """Builds the table from one row per account (failed accounts included)."""
        super().__init__()
        self.summaries = list(summaries)

    def compose(self) -> ComposeResult:
        """Lays out the title, the table and a note."""
        with Vertical(id="dialog"):
            yield Static("All accounts (read-only)", id="title")
            yield DataTable(id="summary", cursor_type="row", zebra_stripes=True)
            yield Static("Accounts are billed separately (each has its own 51-user tier); "
                         "totals add money and counts only. esc closes.", classes="hint")

    def on_mount(self) -> None:
        """Fills the table."""
        table = self.query_one(DataTable)
        table.add_columns(*SUMMARY_COLUMNS)
        for row in self.summaries:
            table.add_row(*summary_cells(row), key=row.profile)
        if len(self.summaries) > 1:
            table.add_row(*summary_cells(totals(self.summaries)), key="__total__")

    def action_close(self) -> None:
        """Closes the summary."""
        self.dismiss(None)
