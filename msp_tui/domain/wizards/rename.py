"""Provides the documented, reversible rename rule for users leaving an account.

An email (and a username, which Code42 clouds require to be an email) can belong to only one
user at a time, so a user who leaves is renamed before the address is used again. The rule
inserts a suffix — by default "_deactivated_YYYYMMDD" — before the "@" of the username and of
the email: jane.doe@example.com becomes jane.doe_deactivated_20261126@example.com. A value
without an "@" gets the suffix at the end. `original_name` undoes it exactly.
"""

from __future__ import annotations

from datetime import date

DEFAULT_SUFFIX = "_deactivated_{date}"
"""The suffix template; {date} becomes YYYYMMDD."""


def suffix_for(day: date, template: str = DEFAULT_SUFFIX) -> str:
    """Returns the suffix for `day` ("_deactivated_20261126")."""
    return template.replace("{date}", day.strftime("%Y%m%d"))


def deactivated_name(value: str, day: date, template: str = DEFAULT_SUFFIX) -> str:
    """Returns `value` with the suffix of `day` inserted before its last "@".

    Already-renamed values are returned unchanged, so applying the rule twice is harmless.
    """
    suffix = suffix_for(day, template)
    local, at, domain = value.rpartition("@")
    if not at:
        return value if value.endswith(suffix) else value + suffix
    if local.endswith(suffix):
        return value
    return f"{local}{suffix}@{domain}"


def original_name(value: str, day: date, template: str = DEFAULT_SUFFIX) -> str:
    """Undoes `deactivated_name` for `day`; a value without the suffix is returned unchanged."""
    suffix = suffix_for(day, template)
    local, at, domain = value.rpartition("@")
    if not at:
        return value[: -len(suffix)] if value.endswith(suffix) else value
    if local.endswith(suffix):
        return f"{local[: -len(suffix)]}@{domain}"
    return value
