"""An agent cannot cancel the money they took (issue 13.12): they ask, a manager approves or refuses
(both audited, with a reason); a manager may reverse at once, with a reason. Nothing of the money —
the payment, the term, the dashboards' facts, the lists for BHXH — changes until a reversal is written."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.org.models import Agent, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import issue_token
from ansinh.payments import queries as money
from ansinh.payments import services as paying
from ansinh.payments.models import Payment, ReversalRequest, ReversalStatus
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry
from ansinh.reports import queries as reports
from tests.builders import COMMUNE_X, Personas, field_setup, person_data, personas, user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2025, 8, 1)
PAYABLE = 247_500  # 1,500,000 × 1 month in commune X, no support group (see test_money_periods.py)


@pytest.fixture
def who() -> Personas:
    people = personas()
    field_setup(people)
    return people


def paid(who: Personas, name: str = "Trần Văn Một") -> Payment:
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""))
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, DAY, 1_500_000, 1))
    return paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                 idempotency_key=f"pay-{name}", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))


def amount_in_facts() -> int:
    return int(reports.overview(DAY, timezone.localdate())["amount"])


def listed(who: Personas, payment: Payment) -> int:
    return money.d05_count(who.scope(who.admin), payment.collector_id, DAY, DAY)


def test_the_agent_who_took_the_money_cannot_reverse_it_at_once(who: Personas) -> None:
    payment = paid(who)
    with pytest.raises(DomainError) as refused:
        paying.reverse_payment(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm", "r1", timezone.now())
    assert refused.value.code == "forbidden" and "đề nghị huỷ" in refused.value.message
    api = Client().post(f"/api/payments/{payment.pk}/reverse", {"reason": "Thu nhầm"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="r2", HTTP_AUTHORIZATION=f"Bearer {issue_token(who.agent, 'app')}")
    client = Client()
    client.force_login(who.agent)
    web = client.post(f"/bien-lai/{payment.receipt.pk}/huy/", {"reason": "Thu nhầm", "key": "r3"})
    assert (api.status_code, web.status_code) == (403, 403)
    assert Payment.objects.count() == 1 and payment.enrollment.status == EnrollmentStatus.PAID


def test_a_request_changes_nothing_until_a_manager_approves_it(who: Personas) -> None:
    payment = paid(who)
    assert (amount_in_facts(), listed(who, payment)) == (PAYABLE, 1)
    asked = paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm người", "ask-1")
    assert asked.status == ReversalStatus.PENDING and asked.reversal is None
    assert paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm người",
                                   "ask-1").pk == asked.pk  # the same request again: the first
    with pytest.raises(DomainError) as twice:  # another request while one waits
        paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Lý do khác", "ask-2")
    assert twice.value.code == "idempotency_conflict"
    # Nothing moved: no reversing entry, the term is paid, the facts and the D05-TS list are as they were.
    payment.enrollment.refresh_from_db()
    assert Payment.objects.count() == 1 and payment.enrollment.status == EnrollmentStatus.PAID
    assert (amount_in_facts(), listed(who, payment)) == (PAYABLE, 1)
    assert AuditEntry.objects.filter(action="rev_ask", entity="payment", entity_id=payment.pk).count() == 1

    with pytest.raises(DomainError) as by_agent:  # an agent does not decide
        paying.decide_reversal(who.agent, who.scope(who.agent), asked.pk, True)
    assert by_agent.value.code == "forbidden"
    with pytest.raises(DomainError) as elsewhere:  # a manager of another district does not see it
        paying.decide_reversal(who.manager_elsewhere, who.scope(who.manager_elsewhere), asked.pk, True)
    assert elsewhere.value.code == "not_found"

    decided = paying.decide_reversal(who.admin, who.scope(who.admin), asked.pk, True, "Đúng, thu nhầm")
    reversal = Payment.objects.get(reverses=payment)
    assert (decided.status, decided.reversal_id, decided.decided_by) == (ReversalStatus.APPROVED, reversal.pk,
                                                                        who.admin)
    assert (reversal.amount, reversal.reason, reversal.recorded_by) == (-PAYABLE, "Thu nhầm người", who.admin)
    payment.enrollment.refresh_from_db()
    assert payment.enrollment.status == EnrollmentStatus.CANCELLED
    assert (amount_in_facts(), listed(who, payment)) == (0, 0)  # now, and only now, the figures move
    assert AuditEntry.objects.filter(action="rev_ok", entity_id=payment.pk, actor=who.admin).count() == 1
    # Idempotent: approving again returns it and writes nothing; refusing it now is a conflict.
    assert paying.decide_reversal(who.admin, who.scope(who.admin), asked.pk, True).pk == asked.pk
    assert Payment.objects.count() == 2
    with pytest.raises(DomainError) as late:
        paying.decide_reversal(who.admin, who.scope(who.admin), asked.pk, False, "Không")
    assert late.value.code == "idempotency_conflict"


def test_a_refusal_needs_a_reason_keeps_the_payment_and_is_audited(who: Personas) -> None:
    payment = paid(who)
    asked = paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm", "ask-1")
    with pytest.raises(DomainError) as bare:
        paying.decide_reversal(who.admin, who.scope(who.admin), asked.pk, False, "  ")
    assert bare.value.code == "invalid_input"
    refused = paying.decide_reversal(who.admin, who.scope(who.admin), asked.pk, False, "Đã đối chiếu, thu đúng")
    assert (refused.status, refused.decision_reason) == (ReversalStatus.REFUSED, "Đã đối chiếu, thu đúng")
    assert Payment.objects.count() == 1 and amount_in_facts() == PAYABLE
    entry = AuditEntry.objects.get(action="rev_no", entity_id=payment.pk)
    assert entry.actor == who.admin and entry.changes["reason"] == ["", "Đã đối chiếu, thu đúng"]
    # Refused, the agent may ask again (with a new reason).
    again = paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Người nộp xin huỷ", "ask-2")
    assert again.status == ReversalStatus.PENDING


def test_a_manager_reverses_at_once_with_a_reason_and_answers_a_waiting_request(who: Personas) -> None:
    payment = paid(who)
    asked = paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm", "ask-1")
    manager = who.scope(who.admin)
    with pytest.raises(DomainError) as bare:
        paying.reverse_payment(who.admin, manager, payment.pk, " ", "rev-1", timezone.now())
    assert bare.value.code == "invalid_input"
    with pytest.raises(DomainError) as asks:  # a manager does not ask: they reverse
        paying.request_reversal(who.admin, manager, payment.pk, "Thu nhầm", "ask-m")
    assert asks.value.code == "forbidden"
    reversal = paying.reverse_payment(who.admin, manager, payment.pk, "Trùng biên lai", "rev-1", timezone.now())
    assert paying.reverse_payment(who.admin, manager, payment.pk, "Trùng biên lai", "rev-1",
                                  timezone.now()).pk == reversal.pk
    asked.refresh_from_db()
    assert (asked.status, asked.reversal_id) == (ReversalStatus.APPROVED, reversal.pk)
    assert AuditEntry.objects.filter(action="reverse", entity_id=payment.pk, actor=who.admin).count() == 1
    assert amount_in_facts() == 0
    with pytest.raises(DomainError) as gone:
        paying.request_reversal(who.agent, who.scope(who.agent), payment.pk, "Thu nhầm", "ask-2")
    assert gone.value.code == "already_paid"


def test_the_pages_offer_each_role_only_what_it_may_do(who: Personas) -> None:
    payment = paid(who)
    viewer = user(Role.VIEWER, COMMUNE_X, username="xem_x")
    url = f"/bien-lai/{payment.receipt.pk}/"
    pages = {}
    for name, actor in (("agent", who.agent), ("manager", who.admin), ("viewer", viewer)):
        client = Client()
        client.force_login(actor)
        pages[name] = client.get(url).content.decode()
    assert "Đề nghị huỷ khoản thu này" in pages["agent"] and "Huỷ khoản thu này" not in pages["agent"]
    assert "Huỷ khoản thu này" in pages["manager"] and "Đề nghị huỷ khoản thu này" not in pages["manager"]
    assert "Huỷ khoản thu" not in pages["viewer"] and "Đề nghị huỷ" not in pages["viewer"]

    agent = Client()
    agent.force_login(who.agent)
    assert agent.post(f"{url}de-nghi-huy/", {"reason": " ", "key": "w1"}).status_code == 400
    assert agent.post(f"{url}de-nghi-huy/", {"reason": "Thu nhầm người", "key": "w1"}).status_code == 302
    waiting = agent.get(url).content.decode()
    assert "Đã gửi đề nghị huỷ" in waiting and "Đề nghị huỷ khoản thu này" not in waiting
    queue_for_agent = agent.get("/thu-tien/de-nghi-huy/").content.decode()
    assert "Thu nhầm người" in queue_for_agent and "Duyệt huỷ" not in queue_for_agent
    [asked] = ReversalRequest.objects.all()
    assert agent.post(f"/thu-tien/de-nghi-huy/{asked.pk}/", {"decision": "approve"}).status_code == 403

    manager = Client()
    manager.force_login(who.admin)
    queue = manager.get("/thu-tien/de-nghi-huy/")
    assert "Thu nhầm người" in queue.content.decode() and "Duyệt huỷ" in queue.content.decode()
    assert "Đề nghị huỷ chờ duyệt (1)" in manager.get("/thu-tien/").content.decode()
    assert manager.post(f"/thu-tien/de-nghi-huy/{asked.pk}/", {"decision": "refuse", "reason": ""}).status_code == 400
    assert manager.post(f"/thu-tien/de-nghi-huy/{asked.pk}/", {"decision": "approve"}).status_code == 302
    assert Payment.objects.filter(reverses=payment).count() == 1
    assert "Không có đề nghị huỷ nào đang chờ duyệt" in manager.get("/thu-tien/de-nghi-huy/").content.decode()
    assert "ĐÃ HUỶ" in manager.get(url).content.decode()


def test_the_api_takes_a_request_and_a_decision(who: Personas) -> None:
    payment = paid(who)
    as_agent = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(who.agent, 'app')}"}
    as_manager = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(who.admin, 'app')}"}
    asked = Client().post(f"/api/payments/{payment.pk}/reversal-request", {"reason": "Thu nhầm"},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-ask", **as_agent)
    assert asked.status_code == 201 and asked.json()["status"] == "pending" and asked.json()["reversal_id"] is None
    request_id = asked.json()["id"]
    by_agent = Client().post(f"/api/reversal-requests/{request_id}/decision", {"approve": True},
                             content_type="application/json", **as_agent)
    assert by_agent.status_code == 403 and Payment.objects.count() == 1
    decided = Client().post(f"/api/reversal-requests/{request_id}/decision", {"approve": True},
                            content_type="application/json", **as_manager)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["reversal_id"] == Payment.objects.get(reverses=payment).pk


def test_another_agent_of_the_collector_also_only_asks(who: Personas) -> None:
    payment = paid(who)
    colleague = user(Role.AGENT, COMMUNE_X, username="dai_ly_2")
    Agent.objects.create(code="DL-2", name="Đại lý 2", collector=payment.collector, user=colleague,
                         active_from=date(2022, 1, 1))
    with pytest.raises(DomainError) as refused:
        paying.reverse_payment(colleague, scope_for(colleague), payment.pk, "Thu nhầm", "r1", timezone.now())
    assert refused.value.code == "forbidden"
    asked = paying.request_reversal(colleague, scope_for(colleague), payment.pk, "Thu nhầm", "ask-1")
    assert asked.requested_by == colleague
