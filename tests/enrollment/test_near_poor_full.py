"""The near-poor case the state supports at 100 % (ND 146/2018 art. 8(1)(a)): a poverty status the commune's
decision certifies (registry.PovertyStatus.NEAR_POOR_FULL, document required), accepted by the registry's form
and API, and derived by quote_hi as household_hi.NEAR_POOR_FULL. The rate is the parameter
household_hi/near_poor_full_support_rate: 1 (100 %) from 01/12/2018 citing "Nghị định 146/2018/NĐ-CP, Điều 8,
khoản 1, điểm a" and from 01/07/2025 "Nghị định 188/2025/NĐ-CP (kế thừa Điều 8 của Nghị định 146/2018)" —
both marked unverified in the file (the decree's text was not read)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError
from ansinh.registry import services as registry
from ansinh.registry.models import Household, HouseholdPoverty
from ansinh.rules.params import default_parameters
from tests.api.test_registry_api import Api
from tests.builders import Personas, person_data
from tests.enrollment.builders import ON, client_for, pay, vsi
from tests.enrollment.test_hi_member_groups import DOCUMENT, GROSS, household

pytestmark = pytest.mark.django_db


def other_household(who: Personas, n: int) -> Household:
    """A household with no poverty status, its head not the one of ``household``."""
    return registry.create_household(who.agent, who.scope(who.agent), person_data(
        full_name=f"Trần Văn Số {n}", citizen_id=f"040085{n:06d}", phone=""), ON)


def test_the_parameter_says_100_percent_from_2018_citing_nd_146_art_8() -> None:
    rate = default_parameters().get("household_hi/near_poor_full_support_rate")
    [first, later] = rate.entries
    assert (first.effective, Decimal(str(first.value))) == (date(2018, 12, 1), Decimal(1))
    assert "Nghị định 146/2018/NĐ-CP, Điều 8, khoản 1, điểm a" in first.reference.title
    assert (later.effective, Decimal(str(later.value))) == (date(2025, 7, 1), Decimal(1))


def test_a_member_pays_nothing_and_the_state_pays_all(who: Personas) -> None:
    found, members = household(who, "near_poor_full")
    offer = enrolling.quote_hi(who.scope(who.agent), found.pk, members, ON, 12)
    assert [(m.group, m.gross, m.state_support, m.local_support, m.amount) for m in offer.quote.members] == [
        ("near_poor_full", GROSS, GROSS, 0, 0)] * 2
    assert offer.quote.total == 0 and offer.quote.state_support == 2 * GROSS
    assert offer.inputs["group"] == "near_poor_full" and offer.inputs["poverty"]["document"] == DOCUMENT
    assert enrolling.supported_group_on(who.scope(who.agent), found.pk, ON)  # may join as a household (Luật 51)


def test_its_members_are_near_poor_for_voluntary_si(who: Personas) -> None:
    found, _ = household(who, "near_poor_full")
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1)  # type: ignore[arg-type]
    assert offer.groups == ["near_poor"]
    plain = enrolling.quote_vsi(scope, other_household(who, 7).head_id, ON, 1_500_000, 1)  # type: ignore[arg-type]
    assert offer.quote.payable < plain.quote.payable  # the near-poor VSI support applies
    pay(who, vsi(who, found.head_id, "v-npf", months=1), "p-npf")  # type: ignore[arg-type]  # August 2025
    september = date(2025, 9, 5)
    [due] = coverage.due_list(scope, september)  # the due list derives the near-poor support too
    again = enrolling.quote_vsi(scope, found.head_id, september, 1_500_000, 1)  # type: ignore[arg-type]
    assert (due.kind, due.amount_now) == ("vsi_due", again.quote.payable) and again.groups == ["near_poor"]


def test_the_status_needs_its_document(who: Personas) -> None:
    found = other_household(who, 7)
    with pytest.raises(DomainError) as refused:
        registry.set_poverty_status(who.agent, who.scope(who.agent), found.pk, "near_poor_full", ON, "  ")
    assert refused.value.details["field"] == "document"
    assert not HouseholdPoverty.objects.exists()


def test_the_registry_form_and_api_accept_it(who: Personas) -> None:
    by_form, by_api = other_household(who, 7), other_household(who, 8)
    page = client_for(who.agent).get(f"/ho/{by_form.pk}/tinh-trang-ngheo/").content.decode()
    assert 'value="near_poor_full"' in page and "Cận nghèo được NSNN hỗ trợ 100%" in page
    saved = client_for(who.agent).post(f"/ho/{by_form.pk}/tinh-trang-ngheo/", {
        "status": "near_poor_full", "valid_from": "2025-01-01", "decision_number": DOCUMENT,
        "decision_date": "2024-12-20"})
    assert saved.status_code == 302
    # the agent's change is a request until a manager approves it (registry.support)
    asked = by_form.support_requests.get()
    assert client_for(who.admin).post(f"/de-nghi-ho-tro/{asked.pk}/", {"decision": "approve"}).status_code == 302
    shown = client_for(who.agent).get(f"/ho/{by_form.pk}/").content.decode()
    assert "Hộ cận nghèo được NSNN hỗ trợ 100%" in shown
    status, body = Api(who.admin).call("post", f"/households/{by_api.pk}/poverty", {  # a manager's applies at once
        "status": "near_poor_full", "valid_from": "2025-01-01", "decision_number": DOCUMENT,
        "decision_date": "2024-12-20"})
    assert status == 201 and body["poverty"][0]["status"] == "near_poor_full"
    assert list(HouseholdPoverty.objects.values_list("status", flat=True)) == ["near_poor_full"] * 2
