"""Household HI by member group: the refusal of the household option names the date it starts."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.rules import household_hi


def test_the_household_option_before_luat_51_is_refused_with_its_start_date() -> None:
    with pytest.raises(DomainError) as refused:
        household_hi.quote(household_hi.HiQuoteInput(
            on=date(2025, 6, 30), members=(household_hi.HiMember(group="near_poor", as_household=True),), months=12))
    assert refused.value.code is ErrorCode.NOT_ELIGIBLE
    assert "chỉ từ 01/07/2025 (Luật 51/2024/QH15)" in refused.value.message


def test_a_poor_household_quote_shows_the_state_paying_every_member() -> None:
    q = household_hi.quote(household_hi.HiQuoteInput(
        on=date(2025, 8, 1), members=(household_hi.HiMember(group="poor"),) * 3, months=12))
    assert q.total == 0 and q.state_support == 3 * 1263600
    assert [m.as_dict()["group"] for m in q.members] == ["poor"] * 3
    assert any(p.name == "household_hi/state_support_rate" and "Nghị định 188/2025" in p.reference.title
               for p in q.parameters)
