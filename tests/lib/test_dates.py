"""Date bounds (issue 12, seen 6): birth dates between 1900-01-01 and today."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.dates import EARLIEST, check_birth_date, check_date_between, latest_payment_date
from ansinh.lib.errors import DomainError

TODAY = date(2025, 8, 1)


@pytest.mark.parametrize("born", [date(2099, 1, 1), date(1, 1, 1), date(1899, 12, 31), date(2025, 8, 2)])
def test_it_refuses_birth_dates_outside_1900_to_today(born: date) -> None:
    with pytest.raises(DomainError) as refused:
        check_birth_date(born, TODAY)
    assert refused.value.code == "invalid_input" and refused.value.details["field"] == "date_of_birth"
    assert refused.value.message == "Ngày sinh phải trong khoảng 01/01/1900 đến 01/08/2025."


@pytest.mark.parametrize("born", [EARLIEST, date(1985, 3, 2), TODAY])
def test_it_accepts_birth_dates_on_and_inside_the_bounds(born: date) -> None:
    assert check_birth_date(born, TODAY) == born


def test_payments_may_be_dated_at_most_today() -> None:
    assert latest_payment_date(TODAY) == TODAY
    assert check_date_between(TODAY, EARLIEST, latest_payment_date(TODAY), "paid_at", "Ngày thu") == TODAY
    with pytest.raises(DomainError) as refused:
        check_date_between(date(2025, 8, 2), EARLIEST, latest_payment_date(TODAY), "paid_at", "Ngày thu")
    assert refused.value.message.startswith("Ngày thu phải trong khoảng")
