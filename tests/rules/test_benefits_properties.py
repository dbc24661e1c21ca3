"""Properties of the benefit rules, over many inputs."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ansinh.rules import benefits

SEXES = st.sampled_from(["male", "female"])
PENSION_MONTHS = st.dates(min_value=date(2018, 1, 1), max_value=date(2060, 12, 1)).map(lambda d: d.replace(day=1))
BIRTHS = st.dates(min_value=date(1959, 1, 1), max_value=date(2005, 12, 31))  # the schedule loaded starts in 2013


@settings(max_examples=300, deadline=None)
@given(SEXES, st.integers(min_value=0, max_value=540), st.integers(min_value=1, max_value=60), PENSION_MONTHS)
def test_more_months_never_give_a_lower_rate(sex: str, months: int, more: int, first_month: date) -> None:
    fewer = benefits.pension_rate(sex, months, first_month)
    longer = benefits.pension_rate(sex, months + more, first_month)
    assert longer.rate >= fewer.rate and (longer.eligible or not fewer.eligible)


@settings(max_examples=300, deadline=None)
@given(SEXES, st.integers(min_value=0, max_value=720), PENSION_MONTHS)
def test_the_rate_never_exceeds_75_percent(sex: str, months: int, first_month: date) -> None:
    assert 0 <= benefits.pension_rate(sex, months, first_month).rate <= benefits.Decimal("0.75")


@settings(max_examples=300, deadline=None)
@given(SEXES, BIRTHS, st.integers(min_value=1, max_value=800))
def test_a_later_birth_never_retires_earlier(sex: str, born: date, days_later: int) -> None:
    earlier = benefits.retirement(born, sex)
    later = benefits.retirement(born + timedelta(days=days_later), sex)
    assert later.first_pension_month >= earlier.first_pension_month


def test_household_hi_continuity_survives_short_gaps_and_breaks_on_a_lapse() -> None:
    cards = [(date(2019, 1, 1), date(2019, 12, 31)), (date(2020, 1, 20), date(2020, 12, 31)),
             (date(2021, 1, 1), date(2025, 12, 31))]
    assert benefits.hi_continuity_years(cards, date(2025, 6, 1)) == 6
    lapsed = [(date(2019, 1, 1), date(2019, 6, 30)), (date(2020, 1, 1), date(2025, 12, 31))]  # 6 months uncovered
    assert benefits.hi_continuity_years(lapsed, date(2025, 6, 1)) == 5
    assert benefits.hi_continuous_since(lapsed, date(2025, 6, 1)) == date(2020, 1, 1)
    assert benefits.hi_continuity_years(cards, date(2026, 6, 1)) == 0  # not covered that day


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=12, max_value=400), st.integers(min_value=1, max_value=300),
       st.integers(min_value=1_500_000, max_value=40_000_000))
def test_a_month_moved_before_2014_never_raises_the_lump_sum(before: int, after: int, average: int) -> None:
    """Years before 2014 are worth 1.5 months, from 2014 2 (Luật 41 art. 102(2)); the odd months before
    2014 join the later period (art. 102(2)(a)), so moving a month earlier can only lower the sum."""
    on = date(2025, 8, 1)
    assert benefits.lump_sum(average, before + 1, after - 1, 0, on) <= benefits.lump_sum(average, before, after, 0, on)
    # All months from 2014 is the most the same months can give.
    assert benefits.lump_sum(average, before, after, 0, on) <= benefits.lump_sum(average, 0, before + after, 0, on)
