"""Bounds on calendar dates typed or imported by users. No clock here: callers pass today.

- Birth dates: from 1900-01-01 (citizen IDs encode no earlier century, DOMAIN.md §3.4) to today.
- Payment dates: never after today (``PAYMENT_DAYS_AHEAD`` = 0): money is recorded when received;
  how far back a manager may date one is the payments service's rule (frozen periods, the enrolment).
"""

from __future__ import annotations

from datetime import date, timedelta

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_, translate
from ansinh.lib.periods import format_date_vi

EARLIEST = date(1900, 1, 1)
PAYMENT_DAYS_AHEAD = 0


def check_date_between(value: date, earliest: date, latest: date, field: str, label: str) -> date:
    """``value`` if ``earliest <= value <= latest``; else a refusal naming the bounds in dd/mm/yyyy."""
    if not earliest <= value <= latest:
        raise invalid_input(
            N_("{label} phải trong khoảng {value} đến {value2}.").format(
                label=label, value=format_date_vi(earliest), value2=format_date_vi(latest)),
            f"{field} must be between {earliest.isoformat()} and {latest.isoformat()}.", field=field)
    return value


def check_birth_date(value: date, today: date) -> date:
    return check_date_between(value, EARLIEST, today, "date_of_birth", translate(N_("Ngày sinh")))


def latest_payment_date(today: date) -> date:
    """The latest date a payment may carry."""
    return today + timedelta(days=PAYMENT_DAYS_AHEAD)


# Birth dates known only by year, or by month and year (older rural registers). The date stored is
# the one the law counts age from: 01/01 of the year when only the year is known, the first of the
# month when only month and year are (TT 11/2025/TT-BNV art. 5(7)); the precision is stored beside it
# so the date is printed as it was recorded ("1965", "03/1965", "dd/mm/yyyy").
DAY, MONTH, YEAR = "day", "month", "year"
BIRTH_PRECISIONS = ((DAY, N_("Ngày/tháng/năm")), (MONTH, N_("Tháng/năm")), (YEAR, N_("Chỉ năm")))
_BIRTH_FORMATS = N_("dd/mm/yyyy, mm/yyyy hoặc yyyy")


def age_reference(value: date, precision: str) -> date:
    """The date the age is counted from for a birth date of this precision (TT 11/2025/TT-BNV art. 5(7))."""
    if precision == YEAR:
        return date(value.year, 1, 1)
    if precision == MONTH:
        return value.replace(day=1)
    return value


def format_birth(value: date, precision: str) -> str:
    """The birth date as it was recorded: "1965", "03/1965" or "05/03/1965"."""
    if precision == YEAR:
        return f"{value.year}"
    if precision == MONTH:
        return f"{value.month:02d}/{value.year}"
    return value.strftime("%d/%m/%Y")


def _refuse_birth(text: str) -> Exception:
    return invalid_input(N_("Ngày sinh «{text}» không hợp lệ: ghi {BIRTH_FORMATS}.").format(
                             text=text, BIRTH_FORMATS=_BIRTH_FORMATS),
                         f"date_of_birth {text!r} is not dd/mm/yyyy, mm/yyyy or yyyy.", field="date_of_birth")


def parse_birth(value: object) -> tuple[date, str]:
    """A birth date typed, sent or imported as "dd/mm/yyyy" (or ISO yyyy-mm-dd), "mm/yyyy" or "yyyy"
    (a spreadsheet may hold a date cell or the number 1965): the age-reference date and its precision.
    Refuses anything else with a Vietnamese message; bounds are ``check_birth_date``'s."""
    if isinstance(value, date):
        return value, DAY
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = str(value or "").strip()
    parts = text.replace("-", "/").replace(".", "/").split("/")
    try:
        if not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(text)
        if len(parts) == 1 and len(parts[0]) == 4:
            return date(int(parts[0]), 1, 1), YEAR
        if len(parts) == 2 and len(parts[1]) == 4 and len(parts[0]) <= 2:
            return date(int(parts[1]), int(parts[0]), 1), MONTH
        if len(parts) == 3 and len(parts[0]) == 4:  # ISO
            return date(int(parts[0]), int(parts[1]), int(parts[2])), DAY
        if len(parts) == 3 and len(parts[2]) == 4 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
            return date(int(parts[2]), int(parts[1]), int(parts[0])), DAY
    except ValueError:
        pass
    raise _refuse_birth(text)
