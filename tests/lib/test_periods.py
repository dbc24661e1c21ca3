from datetime import date

from ansinh.lib.periods import add_months, end_of_term, format_date_vi


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_a_term_ends_the_day_before_the_same_date_months_later() -> None:
    assert end_of_term(date(2024, 8, 31), 12) == date(2025, 8, 30)
    assert end_of_term(date(2024, 8, 1), 3) == date(2024, 10, 31)


def test_dates_are_shown_dd_mm_yyyy() -> None:
    assert format_date_vi(date(2022, 5, 8)) == "08/05/2022"
