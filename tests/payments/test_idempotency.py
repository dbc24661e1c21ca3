"""Idempotency keys belong to the actor who used them: a replay by someone else gets nothing of the
first result; a key reused for a different request is a conflict (409), never the first result and
never a 500."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.org.services import issue_token
from ansinh.payments import services as paying
from ansinh.payments.models import Payment, Receipt, Remittance
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, field_setup, person_data, personas, user

pytestmark = pytest.mark.django_db
AT = datetime(2025, 8, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    post, agent = field_setup(who)
    return {"who": who, "post": post, "agent": agent, "viewer": user(Role.VIEWER, COMMUNE_X),
            "colleague": user(Role.OFFICE_MANAGER, COMMUNE_X)}


def enrollment(world: dict[str, Any], name: str = "Nguyễn Văn An") -> Enrollment:
    who = world["who"]
    scope = scope_for(who.agent)
    person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""))
    return enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, date(2025, 8, 1),
                                                                      1_500_000, 1))


def pay(actor: Any, found: Enrollment, key: str, **extra: Any) -> Payment:
    return paying.record_payment(actor, scope_for(actor), found.pk, amount=found.payable, method="cash",
                                 idempotency_key=key, paid_at=AT, **extra)


def bearer(actor: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(actor, 'app')}"}


def test_a_viewer_replaying_an_agents_key_gets_nothing_of_the_payment(world: dict[str, Any]) -> None:
    found = enrollment(world)
    pay(world["who"].agent, found, "k-agent")
    with pytest.raises(DomainError) as refused:
        pay(world["viewer"], found, "k-agent")
    assert refused.value.code == "idempotency_conflict"
    response = Client().post("/api/payments", {"enrollment_id": found.pk, "amount": found.payable},
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-agent", **bearer(world["viewer"]))
    body = response.content.decode()
    assert response.status_code == 409 and "BL40" not in body and "receipt" not in body
    assert Payment.objects.count() == Receipt.objects.count() == 1


def test_a_colleague_reusing_a_key_gets_a_conflict_not_the_payment(world: dict[str, Any]) -> None:
    first = enrollment(world)
    pay(world["who"].agent, first, "shared")
    with pytest.raises(DomainError) as refused:
        pay(world["colleague"], first, "shared", agent_id=world["agent"].pk)
    assert refused.value.code == "idempotency_conflict" and Payment.objects.count() == 1


def remit(actor: Any, world: dict[str, Any], key: str, amount: int = 100_000) -> Remittance:
    return paying.record_remittance(actor, scope_for(actor), kind="agent_to_collector",
                                    collector_id=world["post"].pk, amount=amount, on=date(2025, 8, 2),
                                    idempotency_key=key, agent_id=world["agent"].pk)


def test_a_remittance_key_reused_with_another_body_is_a_conflict(world: dict[str, Any]) -> None:
    first = remit(world["who"].agent, world, "r1")
    assert remit(world["who"].agent, world, "r1").pk == first.pk  # the same request again: the first result
    with pytest.raises(DomainError) as refused:
        remit(world["who"].agent, world, "r1", amount=900_000)
    assert refused.value.code == "idempotency_conflict"
    assert list(Remittance.objects.values_list("amount", flat=True)) == [100_000]


def test_a_remittance_key_of_someone_else_is_a_conflict(world: dict[str, Any]) -> None:
    remit(world["who"].agent, world, "r1")
    manager = user(Role.COLLECTOR_MANAGER, org_units=[world["post"]])
    with pytest.raises(DomainError) as refused:
        remit(manager, world, "r1")
    assert refused.value.code == "idempotency_conflict" and Remittance.objects.count() == 1


def test_a_remittance_key_reused_over_the_api_answers_409(world: dict[str, Any]) -> None:
    auth = bearer(world["who"].agent)
    body = {"kind": "agent_to_collector", "collector_id": world["post"].pk, "agent_id": world["agent"].pk,
            "amount": 100_000, "on": "2025-08-02"}
    client = Client()
    first = client.post("/api/remittances", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r", **auth)
    again = client.post("/api/remittances", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r", **auth)
    other = client.post("/api/remittances", {**body, "amount": 5}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="r", **auth)
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert first.json() == again.json() and other.json()["error"]["code"] == "idempotency_conflict"
    assert Remittance.objects.count() == 1


def test_a_reversal_key_reused_for_another_payment_is_a_conflict_not_a_500(world: dict[str, Any]) -> None:
    agent, manager = world["who"].agent, world["who"].admin  # a manager reverses (an agent asks)
    one, two = pay(agent, enrollment(world), "p1"), pay(agent, enrollment(world, "Lê Văn Bình"), "p2")
    first = paying.reverse_payment(manager, scope_for(manager), one.pk, "Thu nhầm", "rev", AT)
    assert paying.reverse_payment(manager, scope_for(manager), one.pk, "Thu nhầm", "rev", AT).pk == first.pk
    with pytest.raises(DomainError) as refused:
        paying.reverse_payment(manager, scope_for(manager), two.pk, "Thu nhầm", "rev", AT)
    assert refused.value.code == "idempotency_conflict"
    response = Client().post(f"/api/payments/{two.pk}/reverse", {"reason": "Thu nhầm"},
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY="rev", **bearer(manager))
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_conflict"
    assert Payment.objects.filter(reverses__isnull=False).count() == 1


def test_a_payment_key_cannot_be_replayed_as_a_reversal(world: dict[str, Any]) -> None:
    agent, manager = world["who"].agent, world["who"].admin
    paid = pay(agent, enrollment(world), "p1")
    with pytest.raises(DomainError) as refused:
        paying.reverse_payment(manager, scope_for(manager), paid.pk, "Thu nhầm", "p1", AT)
    assert refused.value.code == "idempotency_conflict" and Payment.objects.count() == 1
