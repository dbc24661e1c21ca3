"""Dates and months: explicit dates only; this module never reads the clock."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_

PERIOD_REVERSED = N_("Ngày kết thúc phải sau ngày bắt đầu.")


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31/01 + 1 → 28 or 29/02)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def end_of_term(start: date, months: int) -> date:
    """Last day covered by a term of ``months`` starting on ``start`` (inclusive)."""
    return add_months(start, months) - timedelta(days=1)


def format_date_vi(day: date) -> str:
    """``date(2022, 5, 8)`` → ``"08/05/2022"``."""
    return day.strftime("%d/%m/%Y")


def require_order(start: date, end: date) -> None:
    """Refuse a period that ends before it starts (one message wherever periods are asked for)."""
    if start > end:
        raise invalid_input(PERIOD_REVERSED, "The period ends before it starts.", field="end")
