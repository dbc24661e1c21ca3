"""The server decides who took the money, where and when: the acting agent is the actor's own (a
manager may name an agent in their scope), the collection point is one of that agent's, and the time
is the server's clock (a manager may backdate, with a reason, within the rules)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.org.models import Agent, OrgKind, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import issue_token
from ansinh.payments import services as paying
from ansinh.payments.models import Payment, Receipt, ReceiptPool
from ansinh.registry import services as registry
from ansinh.reports.services import freeze
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, field_setup, org_unit, person_data, personas, user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2025, 8, 1, 9, 30, tzinfo=TZ)
ON = date(2025, 8, 1)


@pytest.fixture
def world() -> dict[str, Any]:
    """Commune X's post office and agent (the agent persona); commune Y's post office and its agent;
    an office manager of commune X; a read-only viewer of commune X."""
    who = personas()
    post, agent = field_setup(who)
    other_post = org_unit(OrgKind.COLLECTOR, COMMUNE_Y)
    ReceiptPool.objects.create(collector=other_post, series="BL-Y", last_number=999)
    other_agent = Agent.objects.create(code="DL-Y", name="Đại lý Y", collector=other_post,
                                       user=user(Role.AGENT, COMMUNE_Y), active_from=date(2022, 1, 1))
    return {"who": who, "post": post, "agent": agent, "other_post": other_post, "other_agent": other_agent,
            "manager": user(Role.OFFICE_MANAGER, COMMUNE_X), "viewer": user(Role.VIEWER, COMMUNE_X)}


def enrollment(who: Personas, name: str = "Nguyễn Văn An") -> Enrollment:
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""))
    return enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, ON, 1_500_000, 1))


def pay(actor: Any, found: Enrollment, key: str = "k1", **proposed: Any) -> Payment:
    return paying.record_payment(actor, scope_for(actor), found.pk, amount=found.payable, method="cash",
                                 idempotency_key=key, **proposed)


def nothing_written(found: Enrollment, *pools: ReceiptPool) -> bool:
    found.refresh_from_db()
    return (Payment.objects.count() == Receipt.objects.count() == 0 and found.status == EnrollmentStatus.PENDING
            and all(ReceiptPool.objects.get(pk=p.pk).next_number == 1 for p in pools))


# Who: the acting agent.

def test_an_agent_cannot_book_a_payment_to_another_collectors_agent(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["who"].agent, found, agent_id=world["other_agent"].pk, paid_at=AT)
    assert refused.value.code == "forbidden" and "nhân viên thu khác" in refused.value.message
    assert nothing_written(found, *ReceiptPool.objects.all())


def test_an_agent_naming_themself_is_their_own_agent(world: dict[str, Any]) -> None:
    payment = pay(world["who"].agent, enrollment(world["who"]), agent_id=world["agent"].pk, paid_at=AT)
    assert payment.agent == world["agent"] and payment.collector == world["post"]


def test_a_manager_records_for_an_agent_in_their_scope(world: dict[str, Any]) -> None:
    payment = pay(world["manager"], enrollment(world["who"]), agent_id=world["agent"].pk, paid_at=AT)
    assert (payment.agent, payment.recorded_by, payment.receipt.pool.collector) == (
        world["agent"], world["manager"], world["post"])


def test_a_manager_cannot_record_for_an_agent_outside_their_scope(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["manager"], found, agent_id=world["other_agent"].pk, paid_at=AT)
    assert refused.value.code == "not_found" and nothing_written(found, *ReceiptPool.objects.all())


def test_a_manager_without_an_agent_account_must_name_the_agent(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["manager"], found, paid_at=AT)
    assert refused.value.code == "invalid_input" and refused.value.details["field"] == "agent"
    assert nothing_written(found)


def test_an_agent_not_active_on_the_day_is_refused(world: dict[str, Any]) -> None:
    Agent.objects.filter(pk=world["agent"].pk).update(active_to=date(2025, 7, 31))
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["who"].agent, found, paid_at=AT)
    assert refused.value.code == "invalid_input" and "01/08/2025" in refused.value.message
    assert nothing_written(found)


# Where: the collection point.

def test_the_collection_point_must_be_one_of_the_agents(world: dict[str, Any]) -> None:
    mine = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_X, parent=world["post"])
    theirs = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_Y, parent=world["other_post"])
    world["agent"].collection_points.set([mine])
    world["other_agent"].collection_points.set([theirs])
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["who"].agent, found, collection_point_id=theirs.pk, paid_at=AT)
    assert refused.value.code == "invalid_input" and refused.value.details["field"] == "collection_point"
    assert nothing_written(found)
    assert pay(world["who"].agent, found, collection_point_id=mine.pk, paid_at=AT).collection_point == mine


def test_the_agents_only_collection_point_is_used_when_none_is_given(world: dict[str, Any]) -> None:
    point = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_X, parent=world["post"])
    world["agent"].collection_points.set([point])
    assert pay(world["who"].agent, enrollment(world["who"]), paid_at=AT).collection_point == point
    second = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_X, parent=world["post"])
    world["agent"].collection_points.add(second)  # two points: the server does not guess
    assert pay(world["who"].agent, enrollment(world["who"], "Lê Văn Bình"), "k2", paid_at=AT).collection_point is None


# When: the server's clock; a manager's backdate with a reason.

def test_without_a_time_the_payment_is_taken_now(world: dict[str, Any]) -> None:
    before = timezone.now()
    payment = pay(world["who"].agent, enrollment(world["who"]))
    assert before <= payment.paid_at <= timezone.now() and payment.receipt.issued_at == payment.paid_at


def test_an_agent_cannot_backdate(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["who"].agent, found, backdated_to=timezone.now() - timedelta(hours=1), backdate_reason="quên ghi")
    assert refused.value.code == "forbidden" and "quản lý" in refused.value.message
    assert nothing_written(found)


def created_days_ago(found: Enrollment, days: int) -> Enrollment:
    Enrollment.objects.filter(pk=found.pk).update(created_at=timezone.now() - timedelta(days=days))
    found.refresh_from_db()
    return found


def test_a_manager_backdates_with_a_reason_and_it_is_stored(world: dict[str, Any]) -> None:
    found = created_days_ago(enrollment(world["who"]), 3)
    when = timezone.now() - timedelta(days=1)
    payment = pay(world["manager"], found, agent_id=world["agent"].pk, backdated_to=when,
                  backdate_reason="Thu tại nhà hôm qua, mất sóng")
    payment.refresh_from_db()
    assert payment.paid_at == when and payment.receipt.issued_at == when
    assert payment.backdate_reason == "Thu tại nhà hôm qua, mất sóng"


@pytest.mark.parametrize(("shift", "reason", "message"), [
    (timedelta(days=-1), "", "lý do"),
    (timedelta(hours=2), "Giờ máy sai", "tương lai"),
    (timedelta(days=-5), "Trước khi lập hồ sơ", "trước khi lập hồ sơ"),
])
def test_a_backdate_without_reason_in_the_future_or_before_the_enrolment_is_refused(
        world: dict[str, Any], shift: timedelta, reason: str, message: str) -> None:
    found = created_days_ago(enrollment(world["who"]), 3)
    with pytest.raises(DomainError) as refused:
        pay(world["manager"], found, agent_id=world["agent"].pk, backdated_to=timezone.now() + shift,
            backdate_reason=reason)
    assert refused.value.code == "invalid_input" and message in refused.value.message
    assert nothing_written(found)


def test_a_backdate_into_a_frozen_period_is_refused(world: dict[str, Any]) -> None:
    found = created_days_ago(enrollment(world["who"]), 10)
    when = timezone.now() - timedelta(days=5)
    freeze(timezone.localdate(when) - timedelta(days=1), timezone.localdate(when))
    with pytest.raises(DomainError) as refused:
        pay(world["manager"], found, agent_id=world["agent"].pk, backdated_to=when, backdate_reason="Thu bù")
    assert refused.value.code == "period_frozen" and f"{timezone.localdate(when):%d/%m/%Y}" in refused.value.message
    assert nothing_written(found)


def test_a_viewer_still_cannot_pay(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    with pytest.raises(DomainError) as refused:
        pay(world["viewer"], found)
    assert refused.value.code == "forbidden" and nothing_written(found)


# The same rules through the API and the web form.

def api_pay(actor: Any, found: Enrollment, key: str = "a1", **body: Any) -> Any:
    token = issue_token(actor, "app")
    return Client().post("/api/payments", {"enrollment_id": found.pk, "amount": found.payable, **body},
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_refuses_an_agent_dating_a_payment_1900(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    response = api_pay(world["who"].agent, found, paid_at="1900-01-01T09:00:00+07:00")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert nothing_written(found)


def test_the_api_refuses_an_agent_booking_to_another_collectors_agent(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    response = api_pay(world["who"].agent, found, agent_id=world["other_agent"].pk)
    assert response.status_code == 403 and nothing_written(found, *ReceiptPool.objects.all())


def test_the_api_takes_the_servers_time_and_a_managers_backdate(world: dict[str, Any]) -> None:
    before = timezone.now()
    paid = api_pay(world["who"].agent, enrollment(world["who"]))
    assert paid.status_code == 201 and before <= datetime.fromisoformat(paid.json()["paid_at"]) <= timezone.now()
    found = created_days_ago(enrollment(world["who"], "Lê Văn Bình"), 3)
    when = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    backdated = api_pay(world["manager"], found, "a2", agent_id=world["agent"].pk,
                        paid_at=when.isoformat(), backdate_reason="Thu hôm qua")
    assert backdated.status_code == 201 and datetime.fromisoformat(backdated.json()["paid_at"]) == when


def test_the_web_form_ignores_a_proposed_agent_or_time(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    client = Client()
    client.force_login(world["who"].agent)
    before = timezone.now()
    response = client.post(f"/thu-tien/{found.pk}/", {"amount": str(found.payable), "method": "cash", "key": "w1",
                                                      "agent": world["other_agent"].pk, "paid_at": "1900-01-01"})
    payment = Payment.objects.get()
    assert response.status_code == 302 and payment.agent == world["agent"] and payment.paid_at >= before


def test_the_pay_form_renders_its_key_hidden_without_a_label(world: dict[str, Any]) -> None:
    found = enrollment(world["who"])
    client = Client()
    client.force_login(world["who"].agent)
    page = client.get(f"/thu-tien/{found.pk}/").content.decode()
    assert 'type="hidden" name="key"' in page and ">Key<" not in page and 'for="id_key"' not in page
