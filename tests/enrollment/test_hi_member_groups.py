"""Issue 19 §2: household HI for members of poor and near-poor households, through quote, enrolment and
receipt. The group comes from the household's poverty status on the date (with its document).

Expected amounts (DOMAIN.md §3.2), base salary 2,340,000 (ND 73/2024, from 01/07/2024): 4.5 % → 105,300 a
month, 1,263,600 for 12 months. Near-poor: the state supports 70 % → 884,520, the household pays 379,080 per
member (a state group: no rank factor). Poor: the state pays all 1,263,600, the household nothing. Joining as
a household instead (Luật 51/2024, from 01/07/2025): 1st 1,263,600, 2nd 70 % → 884,520, no state support."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, HiCardLine
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.services import issue_token
from ansinh.payments import lists490
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.registry.models import Household
from tests.builders import Personas, person_data
from tests.enrollment.builders import ON, TZ, client_for, counts

pytestmark = pytest.mark.django_db

GROSS, NEAR_POOR_STATE, NEAR_POOR_PAYS = 1_263_600, 884_520, 379_080
DOCUMENT = "QĐ 12/QĐ-UBND ngày 05/01/2025"
JOINED = date(2025, 1, 1)


def household(who: Personas, status: str | None) -> tuple[Household, list[int]]:
    """A household of two (head and spouse, since JOINED) with ``status`` from 01/01/2025, certified by DOCUMENT."""
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(), JOINED)
    spouse = registry.add_member(who.agent, scope, found.pk, "spouse", JOINED, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    if status is not None:
        registry.set_poverty_status(who.agent, scope, found.pk, status, date(2025, 1, 1), DOCUMENT)
    return found, [found.head_id, spouse.person_id]  # type: ignore[list-item]


def _api(who: Personas, body: dict[str, Any], key: str) -> Any:
    token = issue_token(who.agent, "app")
    return Client().post("/api/enrollments/hi", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)


def test_a_near_poor_households_members_get_the_states_70_percent_each(who: Personas) -> None:
    found, members = household(who, "near_poor")
    scope = who.scope(who.agent)
    offer = enrolling.quote_hi(scope, found.pk, members, ON, 12)
    enrollment = enrolling.enroll_hi(who.agent, scope, offer, idempotency_key="cn-1")
    lines = list(enrollment.hi_lines.order_by("pk"))
    assert [(line.group, line.rank, line.gross, line.state_support, line.local_support, line.amount)
            for line in lines] == [("near_poor", 0, GROSS, NEAR_POOR_STATE, 0, NEAR_POOR_PAYS)] * 2
    assert (enrollment.gross, enrollment.state_support, enrollment.payable) == (
        2 * GROSS, 2 * NEAR_POOR_STATE, 2 * NEAR_POOR_PAYS)
    assert enrollment.support_groups == ["near_poor"]
    inputs = enrollment.calculation.inputs
    assert inputs["poverty"]["status"] == "near_poor" and inputs["poverty"]["document"] == DOCUMENT
    assert inputs["group"] == "near_poor" and inputs["province"] == "40"


def test_a_near_poor_enrolment_on_the_page_shows_each_members_group_and_state_share(who: Personas) -> None:
    found, members = household(who, "near_poor")
    client = client_for(who.agent)
    form = {"on": "2025-08-01", "members": [str(m) for m in members], "months": "12", "card_kind": "electronic",
            "key": "page-1"}
    page = client.post(f"/ho/{found.pk}/bhyt/", form).content.decode()
    assert f"Hộ cận nghèo từ 01/01/2025 — theo {DOCUMENT}" in page
    for member in members:
        row = page[page.index(f'id="member-{member}"'):]
        row = row[:row.index("</tr>")]
        assert "Hộ cận nghèo (NSNN hỗ trợ)" in row
        assert '<td class="state">884.520' in row and '<td class="payable">379.080' in row
    assert 'id="payable">758.160' in page and 'id="state-total">1.769.040' in page
    # The household option is offered: the household is near-poor and the date is after 01/07/2025.
    assert 'name="as_household"' in page
    confirmed = client.post(f"/ho/{found.pk}/bhyt/", {**form, "confirm": "1"})
    assert confirmed.status_code == 302
    pay_page = client.get(confirmed["Location"]).content.decode()
    assert "758.160" in pay_page


def test_the_api_enrolment_returns_each_members_group_and_shares(who: Personas) -> None:
    found, members = household(who, "near_poor")
    created = _api(who, {"household_id": found.pk, "on": "2025-08-01", "members": members, "months": 12}, "api-1")
    assert created.status_code == 201
    body = created.json()
    assert [(m["person_id"], m["group"], m["group_label"], m["gross"], m["state_support"], m["local_support"],
             m["payable"]) for m in body["members"]] == [
        (pid, "near_poor", "Hộ cận nghèo (NSNN hỗ trợ)", GROSS, NEAR_POOR_STATE, 0, NEAR_POOR_PAYS)
        for pid in members]
    assert body["state_support"] == 2 * NEAR_POOR_STATE and body["payable"] == 2 * NEAR_POOR_PAYS
    assert body["poverty_document"] == f"Hộ cận nghèo: {DOCUMENT}" and body["notices"] == []


def test_a_poor_households_members_are_not_charged_and_not_enrolled(who: Personas) -> None:
    found, members = household(who, "poor")
    scope = who.scope(who.agent)
    offer = enrolling.quote_hi(scope, found.pk, members, ON, 12)
    assert offer.quote.total == 0 and offer.state_pays_all
    assert [(m.group, m.state_support, m.amount) for m in offer.quote.members] == [("poor", GROSS, 0)] * 2
    with pytest.raises(DomainError) as refused:
        enrolling.enroll_hi(who.agent, scope, offer, idempotency_key="hn-1")
    assert refused.value.code is ErrorCode.NOT_ELIGIBLE
    assert f"Thành viên hộ nghèo ({DOCUMENT}) do NSNN đóng BHYT, hộ không phải đóng" in refused.value.message
    assert HiCardLine.objects.count() == 0 and Enrollment.objects.count() == 0


def test_a_poor_household_on_the_page_shows_the_state_paying_and_offers_no_confirmation(who: Personas) -> None:
    found, members = household(who, "poor")
    client = client_for(who.agent)
    form = {"on": "2025-08-01", "members": [str(m) for m in members], "months": "12", "card_kind": "electronic",
            "key": "page-hn"}
    page = client.post(f"/ho/{found.pk}/bhyt/", form).content.decode()
    assert page.count('<td class="state">NSNN đóng 1.263.600') == 2 and 'id="payable">0' in page
    assert 'id="state-pays-all">Hộ không phải đóng' in page and 'name="confirm"' not in page
    assert 'name="as_household"' not in page  # the household option is for supported groups only
    refused = client.post(f"/ho/{found.pk}/bhyt/", {**form, "confirm": "1"})
    assert refused.status_code == 400 and "do NSNN đóng BHYT, hộ không phải đóng" in refused.content.decode()
    assert counts() == (0, 0, 0, 0)
    api = _api(who, {"household_id": found.pk, "on": "2025-08-01", "members": members, "months": 12}, "api-hn")
    assert api.status_code == 422 and api.json()["error"]["code"] == "not_eligible" and counts() == (0, 0, 0, 0)


def test_joining_as_a_household_is_refused_before_1_july_2025(who: Personas) -> None:
    found, members = household(who, "near_poor")
    body = {"household_id": found.pk, "on": "2025-06-30", "members": members, "months": 12,
            "as_household": [members[0]]}
    refused = _api(who, body, "api-early")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_eligible"
    assert "chỉ từ 01/07/2025 (Luật 51/2024/QH15)" in refused.json()["error"]["message"]
    assert counts() == (0, 0, 0, 0)
    page = client_for(who.agent).post(f"/ho/{found.pk}/bhyt/", {
        "on": "2025-06-30", "members": [str(m) for m in members], "as_household": [str(members[0])], "months": "12",
        "card_kind": "electronic", "key": "page-early"})
    assert page.status_code == 400 and "chỉ từ 01/07/2025" in page.content.decode()


def test_joining_as_a_household_from_1_july_2025_pays_the_household_rate_by_rank(who: Personas) -> None:
    found, members = household(who, "near_poor")
    body = {"household_id": found.pk, "on": "2025-07-01", "members": members, "months": 12,
            "as_household": members}
    created = _api(who, body, "api-hgd")
    assert created.status_code == 201
    assert [(m["group"], m["rank"], m["gross"], m["state_support"], m["payable"]) for m in created.json()["members"]
            ] == [("household", 1, GROSS, 0, GROSS), ("household", 2, 884_520, 0, 884_520)]
    assert Enrollment.objects.get().calculation.inputs["as_household"] == sorted(members)


def test_only_a_supported_member_may_join_as_a_household(who: Personas) -> None:
    found, members = household(who, None)
    scope = who.scope(who.agent)
    with pytest.raises(DomainError) as refused:
        enrolling.quote_hi(scope, found.pk, members, ON, 12, as_household=[members[0]])
    assert refused.value.code is ErrorCode.NOT_ELIGIBLE
    with pytest.raises(DomainError) as outside:
        enrolling.quote_hi(scope, found.pk, [members[0]], ON, 12, as_household=[members[1]])
    assert outside.value.code is ErrorCode.INVALID_INPUT


def test_the_provinces_unpublished_hi_top_up_is_a_notice_not_a_refusal(who: Personas) -> None:
    """Nghệ An's HI resolution of 17/06/2025 (2026–2030): its figures are not configured."""
    found, members = household(who, "near_poor")
    created = _api(who, {"household_id": found.pk, "on": "2026-03-02", "members": members, "months": 12}, "api-26")
    assert created.status_code == 201
    [notice] = created.json()["notices"]
    assert notice["code"] == "local_support_not_configured" and "17/06/2025" in notice["message"]
    assert created.json()["payable"] == 2 * NEAR_POOR_PAYS  # base 2,340,000 until 30/06/2026
    page = client_for(who.agent).post(f"/ho/{found.pk}/bhyt/", {
        "on": "2026-03-02", "members": [str(m) for m in members], "months": "12", "card_kind": "electronic",
        "key": "page-26"}).content.decode()
    assert 'id="notice-local_support_not_configured"' in page and "17/06/2025" in page


def test_the_receipt_lists_each_member_with_card_dates_and_the_states_share(who: Personas) -> None:
    found, members = household(who, "near_poor")
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, members, ON, 12),
                                     idempotency_key="cn-receipt")
    payment = paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                    idempotency_key="pay-cn", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    page = client_for(who.agent).get(f"/bien-lai/{payment.receipt.pk}/").content.decode()
    card = enrollment.hi_lines.first()
    assert card is not None
    for name in ("Nguyễn Văn An", "Lê Thị Hoa"):
        assert (f"{name} — thẻ từ {card.valid_from:%d/%m/%Y} đến {card.valid_to:%d/%m/%Y} (Thẻ điện tử); "
                "Hộ cận nghèo (NSNN hỗ trợ); mức đóng 1.263.600 đ, NSNN hỗ trợ 884.520 đ, phải đóng 379.080 đ"
                in page)
    assert "<dt>NSNN hỗ trợ</dt><dd class=\"\">1.769.040 đ</dd>" in page
    assert "<dt>Tổng mức đóng</dt><dd class=\"\">2.527.200 đ</dd>" in page


def test_a_poverty_status_recorded_after_the_quote_refuses_the_payment_to_re_quote(who: Personas) -> None:
    found, members = household(who, None)
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, members, ON, 12),
                                     idempotency_key="hgd-1")
    assert enrollment.payable == GROSS + 884_520  # 1st 100 %, 2nd 70 %
    registry.set_poverty_status(who.agent, scope, found.pk, "near_poor", date(2025, 7, 1), DOCUMENT)
    with pytest.raises(DomainError) as refused:
        paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key="pay-late", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    assert refused.value.code is ErrorCode.QUOTE_OUTDATED
    assert "«Hộ gia đình»" in refused.value.message and "«Hộ cận nghèo (NSNN hỗ trợ)»" in refused.value.message
    enrollment.refresh_from_db()
    assert enrollment.status == "pending" and not enrollment.payments.exists()


def test_the_d03_list_carries_each_members_payment_and_provincial_support(who: Personas) -> None:
    found, members = household(who, "near_poor")
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, members, ON, 12),
                                     idempotency_key="cn-d03")
    payment = paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                    idempotency_key="pay-d03", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    doc = lists490.d03_document(scope, payment.collector, ON, ON)
    assert [(row["name"], row["amount"], row["local_support"]) for row in doc.increases] == [
        ("Nguyễn Văn An", NEAR_POOR_PAYS, 0), ("Lê Thị Hoa", NEAR_POOR_PAYS, 0)]
