"""The due list's household-HI amount is priced as quote_hi prices the renewal: each member in the group of
the household's poverty status on the day, the province's top-up from the household's commune. A poor
household's members are not due: the state budget pays their cards (ND 146/2018 art. 3)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.builders import Personas
from tests.enrollment.builders import ON, TZ
from tests.enrollment.test_hi_member_groups import household

pytestmark = pytest.mark.django_db
ENDING = date(2026, 3, 2)  # cards paid on 01/08/2025 (first time: valid from 31/08/2025) end in August 2026


def _paid(who: Personas, status: str | None) -> tuple[int, list[int]]:
    found, members = household(who, status)
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, members, ON, 12),
                                     idempotency_key=f"hi-{status}")
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key=f"pay-{status}", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    return found.pk, members


def _hi_items(who: Personas, on: date) -> list[coverage.DueItem]:
    return [i for i in coverage.due_list(who.scope(who.agent), on, days=365) if i.kind.startswith("hi_")]


@pytest.mark.parametrize("status", ["near_poor", None])
def test_the_due_amount_is_the_quotes_total_to_the_dong(who: Personas, status: str | None) -> None:
    household_id, members = _paid(who, status)
    [due] = _hi_items(who, ENDING)
    offer = enrolling.quote_hi(who.scope(who.agent), household_id, members, ENDING, 12)
    assert due.household is not None and due.household.pk == household_id
    assert due.amount_now == offer.quote.total
    # Nghệ An's HI top-up for 2026–2030 is not configured: the line says so, as the quote does.
    assert offer.quote.notices and due.note == " ".join(n.message for n in offer.quote.notices)
    if status == "near_poor":  # 2 × (1,263,600 − the state's 70 % 884,520), not the household ranks
        assert due.amount_now == 2 * 379_080
    else:  # 1st 100 %, 2nd 70 %
        assert due.amount_now == 1_263_600 + 884_520


@pytest.mark.parametrize("status", ["poor", "near_poor_full"])
def test_a_household_the_state_pays_for_in_full_is_not_due(who: Personas, status: str) -> None:
    household_id, _ = _paid(who, "near_poor")
    scope = who.scope(who.agent)
    registry.set_poverty_status(who.agent, scope, household_id, status, date(2026, 1, 1), "QĐ 3/QĐ-UBND")
    assert [i.amount_now for i in _hi_items(who, date(2025, 12, 31))] == [2 * 379_080]  # near-poor that day
    assert _hi_items(who, ENDING) == []  # the state pays all: nothing to collect, left off the list
