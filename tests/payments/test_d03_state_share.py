"""D03-TS carries the state's share truthfully: the form has no column for it, so the header's line names
each members' group with its share and its cards when the list holds near-poor members (read back with
calamine); a list of household members only still says 0%."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ansinh.enrollment import services as enrolling
from ansinh.org.models import Agent
from ansinh.payments import lists490
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, personas
from tests.enrollment.builders import ON, TZ
from tests.payments.test_lists490 import cells

pytestmark = pytest.mark.django_db
AUGUST = (date(2025, 8, 1), date(2025, 8, 31))


@pytest.fixture
def who() -> Personas:
    people = personas()
    field_setup(people)
    return people


def _paid_household(who: Personas, n: int, status: str | None, size: int) -> None:
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(
        full_name=f"Trần Văn Số {n}", citizen_id=f"040085{n:06d}", phone=""), date(2025, 1, 1))
    members = [found.head_id]
    for k in range(1, size):
        child = person_data(full_name=f"Trần Văn Con {n}{k}", citizen_id=f"040210{n * 10 + k:06d}", phone="",
                            date_of_birth=date(2010, 1, k))
        members.append(registry.add_member(who.agent, scope, found.pk, "child", date(2025, 1, 1),
                                           new_person=child).person_id)
    if status:
        registry.set_poverty_status(who.agent, scope, found.pk, status, date(2025, 1, 1), "QĐ 12/QĐ-UBND")
    offer = enrolling.quote_hi(scope, found.pk, members, ON, 12)  # type: ignore[arg-type]
    enrollment = enrolling.enroll_hi(who.agent, scope, offer, idempotency_key=f"hi-{n}")
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key=f"pay-{n}", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))


def _header(who: Personas) -> tuple[str, list[list[Any]]]:
    post = Agent.objects.get(user=who.agent).collector
    table = cells(lists490.render("d03", who.scope(who.agent), post, *AUGUST))
    [line] = [str(c) for r in table for c in r if str(c).startswith("Lương cơ sở:")]
    return line, table


def test_a_list_with_near_poor_members_names_each_group_with_the_states_share(who: Personas) -> None:
    _paid_household(who, 1, "near_poor", 2)
    _paid_household(who, 2, None, 1)
    line, table = _header(who)
    assert line == ("Lương cơ sở: 2.340.000 đồng; Nguồn đóng: Người tham gia, NSNN hỗ trợ; Tỷ lệ NSNN hỗ trợ: "
                    "0% (hộ gia đình: 1 thẻ); 70% (hộ cận nghèo: 2 thẻ)")
    # the rows' amounts are what each member pays: 1,263,600 for the household's, 379,080 for the near-poor's
    amounts = sorted(r[10] for r in table if r and str(r[1]).startswith("Trần Văn"))
    assert amounts == [379_080, 379_080, 1_263_600]


def test_a_list_of_household_members_only_says_0_percent(who: Personas) -> None:
    _paid_household(who, 2, None, 2)
    line, _ = _header(who)
    assert line == "Lương cơ sở: 2.340.000 đồng; Nguồn đóng: Người tham gia; Tỷ lệ NSNN hỗ trợ: 0%"
