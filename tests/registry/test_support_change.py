"""Maker-checker on what unlocks support (issue 18): a poverty-status, ethnicity or island change by an
agent is a request; no amount moves until a manager of the area (not the requester) approves it."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import Role
from ansinh.org.services import grant_role
from ansinh.registry import services, support
from ansinh.registry.models import AuditEntry, Household, HouseholdPoverty, Person, SupportChangeRequest
from ansinh.rules import vsi
from tests.api.test_registry_api import Api
from tests.builders import COMMUNE_X, Personas, commune, person_data, personas, user
from tests.paths import row_counts

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)  # Era B (ND 159/2025) and Nghệ An's NQ 07/2025/NQ-HĐND in force
INCOME = 1_500_000
DECISION = support.Document("QĐ 15/QĐ-UBND", date(2025, 7, 20), "Quyết định công nhận hộ nghèo")


@pytest.fixture
def who() -> Personas:
    return personas()


@pytest.fixture
def manager_x() -> AbstractBaseUser:
    return user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")


def payable(groups: set[str]) -> int:
    """What one month at the floor costs, by the rules engine (Nghệ An's top-up, province 40)."""
    return vsi.quote(vsi.VsiQuoteInput(on=ON, income=INCOME, months=1, groups=frozenset(groups),
                                       province="40")).payable


def household(who: Personas) -> Household:
    return services.create_household(who.agent, who.scope(who.agent), person_data(), date(2025, 1, 1))


def quoted(who: Personas, person_id: int) -> int:
    return enrolling.quote_vsi(who.scope(who.agent), person_id, ON, INCOME, 1).quote.payable


def ask_poor(who: Personas, household_id: int) -> SupportChangeRequest:
    return services.request_poverty_change(who.agent, who.scope(who.agent), household_id, "poor", date(2025, 7, 1),
                                           DECISION)


def test_the_rules_give_two_different_amounts_for_poor_and_other() -> None:
    # DOMAIN.md §3.1: at the floor, state 20 % + province 5 % for everyone, 50 % + 30 % for the poor
    assert (payable(set()), payable({"poor"})) == (247_500, 66_000)
    assert payable({"island"}) == 148_500  # state 50 %; Nghệ An has no island tier: its 5 %


def test_an_agents_poverty_change_moves_no_amount_until_a_manager_approves(who: Personas,
                                                                          manager_x: AbstractBaseUser) -> None:
    found = household(who)
    head = found.head_id
    assert head is not None
    asked = ask_poor(who, found.pk)
    assert asked.status == "pending" and not HouseholdPoverty.objects.exists()
    assert quoted(who, head) == payable(set()) == 247_500
    term = enrolling.enroll_vsi(who.agent, who.scope(who.agent),
                                enrolling.quote_vsi(who.scope(who.agent), head, ON, INCOME, 1), idempotency_key="a1")
    assert term.payable == 247_500 and term.support_groups == []

    support.decide(manager_x, who.scope(manager_x), asked.pk, approve=True)
    poverty = HouseholdPoverty.objects.get()
    assert (poverty.status, poverty.valid_from, poverty.document) == (
        "poor", date(2025, 7, 1), "QĐ 15/QĐ-UBND, 20/07/2025; Quyết định công nhận hộ nghèo")
    assert quoted(who, head) == payable({"poor"}) == 66_000


def test_a_refusal_keeps_the_stored_status_and_the_amount(who: Personas, manager_x: AbstractBaseUser) -> None:
    found = household(who)
    asked = ask_poor(who, found.pk)
    with pytest.raises(DomainError) as no_reason:
        support.decide(manager_x, who.scope(manager_x), asked.pk, approve=False)
    assert no_reason.value.code is ErrorCode.INVALID_INPUT
    support.decide(manager_x, who.scope(manager_x), asked.pk, approve=False, reason="Không có tên trong danh sách")
    asked.refresh_from_db()
    assert (asked.status, asked.refusal_reason, asked.decided_by_id) == (
        "refused", "Không có tên trong danh sách", manager_x.pk)
    assert not HouseholdPoverty.objects.exists()
    assert quoted(who, found.head_id or 0) == 247_500
    with pytest.raises(DomainError) as other_way:  # decided: approving now is a conflict
        support.decide(manager_x, who.scope(manager_x), asked.pk, approve=True)
    assert other_way.value.code is ErrorCode.IDEMPOTENCY_CONFLICT


def test_a_managers_change_applies_at_once_and_is_recorded_as_approved(who: Personas,
                                                                      manager_x: AbstractBaseUser) -> None:
    found = household(who)
    made = services.request_poverty_change(manager_x, who.scope(manager_x), found.pk, "poor", date(2025, 7, 1),
                                           DECISION)
    assert (made.status, made.requested_by_id, made.decided_by_id) == ("approved", manager_x.pk, manager_x.pk)
    assert made.decision_number == "QĐ 15/QĐ-UBND" and made.decision_date == date(2025, 7, 20)
    assert quoted(who, found.head_id or 0) == 66_000


def test_a_change_without_its_decision_is_refused_and_writes_nothing(who: Personas,
                                                                    manager_x: AbstractBaseUser) -> None:
    found = household(who)
    before = row_counts()
    for document, field in ((support.Document("", date(2025, 7, 20)), "decision_number"),
                            (support.Document("QĐ 15", None), "decision_date")):
        with pytest.raises(DomainError) as refused:
            services.request_poverty_change(manager_x, who.scope(manager_x), found.pk, "poor", date(2025, 7, 1),
                                            document)
        assert refused.value.details["field"] == field
    assert row_counts() == before


def test_a_second_pending_request_of_the_same_field_is_refused(who: Personas) -> None:
    found = household(who)
    ask_poor(who, found.pk)
    with pytest.raises(DomainError) as second:
        services.request_poverty_change(who.agent, who.scope(who.agent), found.pk, "near_poor", date(2025, 7, 2),
                                        DECISION)
    assert second.value.code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert "đang chờ quản lý duyệt" in second.value.message
    assert SupportChangeRequest.objects.count() == 1


def test_the_maker_never_approves_their_own_request(who: Personas) -> None:
    found = household(who)
    asked = ask_poor(who, found.pk)
    grant_role(who.agent, Role.OFFICE_MANAGER, [commune(COMMUNE_X)])  # promoted since asking
    with pytest.raises(DomainError) as own:
        support.decide(who.agent, who.scope(who.agent), asked.pk, approve=True)
    assert own.value.code is ErrorCode.FORBIDDEN
    asked.refresh_from_db()
    assert asked.status == "pending" and not HouseholdPoverty.objects.exists()


def test_an_agent_cannot_decide_and_a_manager_elsewhere_gets_404(who: Personas) -> None:
    found = household(who)
    asked = ask_poor(who, found.pk)
    other_agent = user(Role.AGENT, COMMUNE_X)
    with pytest.raises(DomainError) as agent:
        support.decide(other_agent, who.scope(other_agent), asked.pk, approve=True)
    assert agent.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as elsewhere:
        support.decide(who.manager_elsewhere, who.scope(who.manager_elsewhere), asked.pk, approve=True)
    assert elsewhere.value.code is ErrorCode.NOT_FOUND
    assert list(support.queue(who.scope(who.manager_elsewhere))) == []
    asked.refresh_from_db()
    assert asked.status == "pending" and not HouseholdPoverty.objects.exists()


def test_the_audit_names_the_maker_and_the_checker(who: Personas, manager_x: AbstractBaseUser) -> None:
    asked = ask_poor(who, household(who).pk)
    support.decide(manager_x, who.scope(manager_x), asked.pk, approve=True)
    entries = {e.action: e for e in AuditEntry.objects.filter(entity=support.ENTITY, entity_id=asked.pk)}
    assert entries["sup_ask"].actor_id == who.agent.pk
    approved = entries["sup_ok"]
    assert approved.actor_id == manager_x.pk
    assert approved.changes["requested_by"] == [None, "agent_x"]
    assert approved.changes["decided_by"] == [None, "manager_x"]
    assert approved.changes["decision"] == [None, "QĐ 15/QĐ-UBND"]
    assert AuditEntry.objects.filter(entity="poverty", actor=manager_x).exists()


def test_an_ethnicity_change_into_a_minority_waits_for_approval(who: Personas, manager_x: AbstractBaseUser) -> None:
    scope = who.scope(who.agent)
    someone = services.create_person(who.agent, scope, person_data(ethnicity="01"))
    with pytest.raises(DomainError) as no_document:
        services.update_person(who.agent, scope, someone.pk, person_data(ethnicity="04", address_detail="Khối 9"))
    assert no_document.value.details["field"] == "decision_number"
    assert Person.objects.get().address_detail == "Khối 5"  # nothing half-written
    services.update_person(who.agent, scope, someone.pk, person_data(ethnicity="04", address_detail="Khối 9"),
                           document=DECISION)
    stored = Person.objects.get()
    assert (stored.ethnicity, stored.address_detail) == ("01", "Khối 9")  # the rest saved, the group waits
    assert quoted(who, someone.pk) == 247_500
    asked = SupportChangeRequest.objects.get(person=someone, field="ethnicity")
    support.decide(manager_x, who.scope(manager_x), asked.pk, approve=True)
    assert Person.objects.get().ethnicity == "04"
    # Era B ethnic minority: state 30 %; Nghệ An's top-up has no minority tier (5 %)
    assert quoted(who, someone.pk) == payable({"ethnic_minority"}) != 247_500


def test_an_ethnicity_change_that_moves_no_group_needs_no_request(who: Personas) -> None:
    scope = who.scope(who.agent)
    someone = services.create_person(who.agent, scope, person_data())  # 00 chưa rõ
    services.update_person(who.agent, scope, someone.pk, person_data(ethnicity="01"))
    assert Person.objects.get().ethnicity == "01" and not SupportChangeRequest.objects.exists()


def _web(who: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(who)
    return client


def test_the_pages_ask_wait_and_decide(who: Personas, manager_x: AbstractBaseUser) -> None:
    found = household(who)
    head = found.head_id
    agent = _web(who.agent)
    form = agent.get(f"/ho/{found.pk}/tinh-trang-ngheo/").content.decode()
    assert "đề nghị, chờ duyệt" in form and 'name="decision_number"' in form
    posted = agent.post(f"/ho/{found.pk}/tinh-trang-ngheo/", {
        "status": "poor", "valid_from": "2025-07-01", "decision_number": "QĐ 15/QĐ-UBND",
        "decision_date": "2025-07-20", "document": ""})
    assert posted.status_code == 302 and not HouseholdPoverty.objects.exists()
    assert "Đề nghị — chờ duyệt: Tình trạng nghèo của hộ → «Hộ nghèo»" in agent.get(f"/nguoi/{head}/").content.decode()
    asked = SupportChangeRequest.objects.get()

    manager = _web(manager_x)
    before = row_counts()
    queue = manager.get("/de-nghi-ho-tro/")
    assert queue.status_code == 200 and f"/de-nghi-ho-tro/{asked.pk}/" in queue.content.decode()
    assert "«—» thành «Hộ nghèo»" in queue.content.decode()
    assert row_counts() == before  # GET writes nothing
    assert manager.get(f"/de-nghi-ho-tro/{asked.pk}/").status_code == 405
    assert agent.post(f"/de-nghi-ho-tro/{asked.pk}/", {"decision": "approve"}).status_code == 403
    assert manager.post(f"/de-nghi-ho-tro/{asked.pk}/", {"decision": "refuse"}).status_code == 400  # no reason
    assert manager.post(f"/de-nghi-ho-tro/{asked.pk}/", {"decision": "approve"}).status_code == 302
    assert HouseholdPoverty.objects.get().status == "poor"
    assert "Đề nghị — chờ duyệt" not in agent.get(f"/nguoi/{head}/").content.decode()


def _api(who: AbstractBaseUser) -> Api:
    return Api(who)


def test_the_api_asks_for_island_residence_and_a_manager_decides(who: Personas, manager_x: AbstractBaseUser) -> None:
    someone = services.create_person(who.agent, who.scope(who.agent), person_data())
    body = {"island": True, "decision_number": "XN 3/UBND", "decision_date": "2025-07-20"}
    status, asked = _api(who.agent).call("post", f"/people/{someone.pk}/island", body)
    assert status == 200 and asked["status"] == "pending" and asked["requested_by"] == "agent_x"
    assert _api(who.agent).call("post", f"/people/{someone.pk}/island", body)[0] == 409
    assert not Person.objects.get().island_resident and quoted(who, someone.pk) == 247_500
    status, waiting = _api(manager_x).call("get", "/support-requests")
    assert status == 200 and [r["id"] for r in waiting] == [asked["id"]]
    assert _api(who.manager_elsewhere).call("post", f"/support-requests/{asked['id']}/decide",
                                            {"approve": True})[0] == 404
    status, decided = _api(manager_x).call("post", f"/support-requests/{asked['id']}/decide", {"approve": True})
    assert status == 200 and (decided["status"], decided["decided_by"]) == ("approved", "manager_x")
    assert Person.objects.get().island_resident
    assert quoted(who, someone.pk) == payable({"island"}) == 148_500


def test_the_api_poverty_change_of_an_agent_is_a_202_request(who: Personas) -> None:
    found = household(who)
    status, asked = _api(who.agent).call("post", f"/households/{found.pk}/poverty", {
        "status": "poor", "valid_from": "2025-07-01", "decision_number": "QĐ 15/QĐ-UBND",
        "decision_date": "2025-07-20"})
    assert status == 202 and (asked["field"], asked["new_value"], asked["status"]) == ("poverty", "poor", "pending")
    assert _api(who.agent).call("post", f"/households/{found.pk}/poverty", {
        "status": "poor", "valid_from": "2025-07-01"})[0] == 422
    assert not HouseholdPoverty.objects.exists()
