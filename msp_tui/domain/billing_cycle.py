"""Provides the billing cycle: the cycle start of each month and the next cycle after a date.

A cycle starts on the configured billing day; in a month too short for it (day 31 in April,
29-31 in February) it starts on the month's last day, so February 2028 starts on the 29th and
February 2027 on the 28th. The "next cycle" after `today` is the first cycle start strictly
after it: on a billing day the current cycle has just begun and the next is a month away.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


def cycle_date(year: int, month: int, billing_day: int) -> date:
    """Returns the day the cycle starts in `year`-`month`, clamped to the month's last day."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(max(billing_day, 1), last))


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True)
class BillingCycle:
    """The billing cycle that contains a given day."""

    billing_day: int
    """The configured billing day (1..31)."""
    start: date
    """First day of the cycle containing the reference day."""
    next_start: date
    """First day of the following cycle (the "next billing cycle" of the FAQ)."""

    @property
    def length_days(self) -> int:
        """Days in this cycle."""
        return (self.next_start - self.start).days

    def days_until_next(self, today: date) -> int:
        """Days from `today` until the next cycle starts."""
        return (self.next_start - today).days


def cycle_for(today: date, billing_day: int = 1) -> BillingCycle:
    """Returns the billing cycle containing `today` for cycles starting on `billing_day`."""
    this_month = cycle_date(today.year, today.month, billing_day)
    if today >= this_month:
        start = this_month
        year, month = _shift(today.year, today.month, 1)
        next_start = cycle_date(year, month, billing_day)
    else:
        year, month = _shift(today.year, today.month, -1)
        start = cycle_date(year, month, billing_day)
        next_start = this_month
    return BillingCycle(billing_day=billing_day, start=start, next_start=next_start)


def next_cycle_date(today: date, billing_day: int = 1) -> date:
    """Returns the first cycle start strictly after `today`."""
    return cycle_for(today, billing_day).next_start
