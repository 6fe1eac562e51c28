"""Tests the billing cycle: clamping to month ends, February, leap years, year rollover."""

from __future__ import annotations

from datetime import date

import pytest

from msp_tui.domain.billing_cycle import cycle_date, cycle_for, next_cycle_date


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2028, 2, 31, date(2028, 2, 29)),  # leap year
        (2027, 2, 31, date(2027, 2, 28)),
        (2027, 2, 29, date(2027, 2, 28)),
        (2028, 2, 29, date(2028, 2, 29)),
        (2027, 2, 30, date(2027, 2, 28)),
        (2100, 2, 29, date(2100, 2, 28)),  # not a leap year
        (2000, 2, 30, date(2000, 2, 29)),  # a leap year
        (2026, 4, 31, date(2026, 4, 30)),
        (2026, 1, 31, date(2026, 1, 31)),
        (2026, 6, 1, date(2026, 6, 1)),
    ],
)
def test_cycle_date_clamps_to_month_end(year: int, month: int, day: int, expected: date) -> None:
    assert cycle_date(year, month, day) == expected


@pytest.mark.parametrize(
    ("today", "day", "start", "nxt"),
    [
        (date(2026, 5, 14), 1, date(2026, 5, 1), date(2026, 6, 1)),
        (date(2026, 5, 1), 1, date(2026, 5, 1), date(2026, 6, 1)),  # on the day: next month
        (date(2026, 4, 30), 1, date(2026, 4, 1), date(2026, 5, 1)),
        (date(2026, 12, 15), 1, date(2026, 12, 1), date(2027, 1, 1)),  # year rollover
        (date(2026, 12, 31), 31, date(2026, 12, 31), date(2027, 1, 31)),
        (date(2027, 1, 5), 10, date(2026, 12, 10), date(2027, 1, 10)),  # back across the year
        # Billing day 31 in February.
        (date(2028, 2, 10), 31, date(2028, 1, 31), date(2028, 2, 29)),  # leap
        (date(2027, 2, 10), 31, date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 2, 29), 31, date(2028, 2, 29), date(2028, 3, 31)),
        (date(2027, 2, 28), 31, date(2027, 2, 28), date(2027, 3, 31)),
        (date(2028, 2, 28), 31, date(2028, 1, 31), date(2028, 2, 29)),
        (date(2027, 3, 1), 31, date(2027, 2, 28), date(2027, 3, 31)),
        # Days 29 and 30.
        (date(2027, 2, 15), 29, date(2027, 1, 29), date(2027, 2, 28)),
        (date(2028, 2, 15), 29, date(2028, 1, 29), date(2028, 2, 29)),
        (date(2027, 2, 28), 30, date(2027, 2, 28), date(2027, 3, 30)),
        (date(2026, 3, 30), 30, date(2026, 3, 30), date(2026, 4, 30)),
        (date(2026, 4, 30), 31, date(2026, 4, 30), date(2026, 5, 31)),
    ],
)
def test_cycle_for(today: date, day: int, start: date, nxt: date) -> None:
    cycle = cycle_for(today, day)
    assert (cycle.start, cycle.next_start) == (start, nxt)
    assert next_cycle_date(today, day) == nxt
    assert cycle.start <= today < cycle.next_start


def test_cycle_length_and_days_until_next() -> None:
    cycle = cycle_for(date(2028, 2, 10), 1)
    assert cycle.length_days == 29
    assert cycle.days_until_next(date(2028, 2, 10)) == 20
    assert cycle_for(date(2027, 2, 10), 1).length_days == 28


def test_default_billing_day_is_the_first() -> None:
    assert next_cycle_date(date(2026, 1, 31)) == date(2026, 2, 1)
