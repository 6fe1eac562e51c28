"""Provides the demo's time model and Code42 timestamp formatting.

Seeded times are stored as *offsets*: seconds relative to the clock when read (negative
= in the past; any |offset| below RELATIVE_LIMIT, about 31 years), so the demo looks the
same on any day. Times recorded by mutations at run time are stored as absolute epoch
seconds (always above RELATIVE_LIMIT). `resolve` turns either into epoch seconds.
"""

from __future__ import annotations

from datetime import datetime, timezone

DAY = 86400.0
RELATIVE_LIMIT = 1e9


def resolve(value: float | None, now: float) -> float | None:
    """Returns epoch seconds for a stored time (small values are offsets from `now`)."""
    if value is None:
        return None
    return now + value if abs(value) < RELATIVE_LIMIT else value


def iso(epoch: float | None) -> str | None:
    """Formats epoch seconds as ISO-8601 UTC with milliseconds and Z."""
    if epoch is None:
        return None
    text = _ISO_CACHE.get(epoch)
    if text is None:
        if len(_ISO_CACHE) >= _ISO_CACHE_LIMIT:
            _ISO_CACHE.clear()
        text = _ISO_CACHE[epoch] = _format_iso(epoch)
    return text


_ISO_CACHE: dict[float, str] = {}
"""Formatted timestamps: list pages repeat many (creation dates, "now minus a minute")."""
_ISO_CACHE_LIMIT = 100_000


def _format_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def iso_at(value: float | None, now: float) -> str | None:
    """Formats a stored (relative or absolute) time."""
    return iso(resolve(value, now))


def parse_date(text: str) -> float:
    """Parses "2020-10-12" or a full ISO timestamp into epoch seconds (UTC)."""
    cleaned = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def iso_day_anchored(value: float | None, now: float) -> str | None:
    """Formats a stored time, resolving offsets against midnight UTC of `now`.

    Used for creation dates, which a real server never changes: within a day they stay
    identical from one request to the next.
    """
    return iso(resolve(value, now - now % DAY))
