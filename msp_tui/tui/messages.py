"""Provides the app-level messages: workers post them, the App's handlers own the state.

Widget-specific messages live on their widgets (e.g. `OrgTree.OrgSelected`); these cross screens.
"""

from __future__ import annotations

from textual.message import Message

from msp_tui.tui.dataset import Dataset


class DatasetReady(Message):
    """A new dataset was built (from the cache or a refresh) for `profile`."""

    def __init__(self, profile: str, dataset: Dataset, *, from_cache: bool) -> None:
        super().__init__()
        self.profile = profile
        self.dataset = dataset
        self.from_cache = from_cache


class RefreshFailed(Message):
    """A refresh of `profile` failed; `error` is one line fit for the status line."""

    def __init__(self, profile: str, error: str) -> None:
        super().__init__()
        self.profile = profile
        self.error = error


class JumpTo(Message):
    """Show an org, user or device on the main screen (from findings, all devices, search)."""

    bubble = False

    def __init__(
        self, org_id: int | None = None, user_id: int | None = None, computer_id: int | None = None
    ) -> None:
        super().__init__()
        self.org_id = org_id
        self.user_id = user_id
        self.computer_id = computer_id


class Notice(Message):
    """A one-line outcome to show in the status line (an action's result, an export path)."""

    def __init__(self, text: str, *, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error
