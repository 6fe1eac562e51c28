"""Provides the async Code42 REST client."""

from msp_tui.api.auth import ApiClientCredentials, Credentials, LocalAccount
from msp_tui.api.errors import ApiError, ReadOnlyError
from msp_tui.api.resources import Code42Client
from msp_tui.api.sync import fetch_snapshot

__all__ = [
    "ApiClientCredentials",
    "ApiError",
    "Code42Client",
    "Credentials",
    "LocalAccount",
    "ReadOnlyError",
    "fetch_snapshot",
]
