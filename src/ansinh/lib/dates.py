"""Bounds on calendar dates typed or imported by users. No clock here: callers pass today.

- Birth dates: from 1900-01-01 (citizen IDs encode no earlier century, DOMAIN.md §3.4) to today.
- Payment dates: never after today (``PAYMENT_DAYS_AHEAD`` = 0): money is recorded when received;
  how far back a manager may date one is the payments service's rule (frozen periods, the enrolment).
"""

from __future__ import annotations

from datetime import date, timedelta

from ansinh.lib.errors import invalid_input
from ansinh.lib.periods import format_date_vi

EARLIEST = date(1900, 1, 1)
PAYMENT_DAYS_AHEAD = 0


def check_date_between(value: date, earliest: date, latest: date, field: str, label: str) -> date:
    """``value`` if ``earliest <= value <= latest``; else a refusal naming the bounds in dd/mm/yyyy."""
    if not earliest <= value <= latest:
        raise invalid_input(
            f"{label} phải trong khoảng {format_date_vi(earliest)} đến {format_date_vi(latest)}.",
            f"{field} must be between {earliest.isoformat()} and {latest.isoformat()}.", field=field)
    return value


def check_birth_date(value: date, today: date) -> date:
    return check_date_between(value, EARLIEST, today, "date_of_birth", "Ngày sinh")


def latest_payment_date(today: date) -> date:
    """The latest date a payment may carry."""
    return today + timedelta(days=PAYMENT_DAYS_AHEAD)
