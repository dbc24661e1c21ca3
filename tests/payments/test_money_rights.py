"""Money rights: a collector's transfer to BHXH is recorded only by the collector's own staff; an agent
records only their own handover; reconciliation and commission show only cash collected in the
reader's scope."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError
from ansinh.org.models import Agent, OrgKind, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import issue_token
from ansinh.payments import queries, services
from ansinh.payments.models import CommissionRate, Payment, Remittance, RemittanceKind
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, field_setup, org_unit, person_data, personas, user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)


@pytest.fixture
def world() -> dict[str, Any]:
    """The post office serves communes X and Y; its agent (the agent persona, granted X) collects in X,
    and a province admin records a payment for the same agent in Y."""
    who = personas()
    post, agent = field_setup(who)
    post.areas.add(commune(COMMUNE_Y))
    other_post = org_unit(OrgKind.COLLECTOR, COMMUNE_Y)
    return {"who": who, "post": post, "agent": agent, "other_post": other_post,
            "post_manager": user(Role.COLLECTOR_MANAGER, org_units=[post]),
            "other_post_manager": user(Role.COLLECTOR_MANAGER, org_units=[other_post]),
            "office_manager": user(Role.OFFICE_MANAGER, COMMUNE_X)}


def remit(actor: Any, world: dict[str, Any], kind: str = RemittanceKind.COLLECTOR_TO_BHXH, key: str = "r1",
          **extra: Any) -> Remittance:
    return services.record_remittance(actor, scope_for(actor), kind=kind, collector_id=world["post"].pk,
                                      amount=500_000, on=date(2025, 8, 5), idempotency_key=key, **extra)


def test_an_agent_cannot_record_the_collectors_transfer_to_bhxh(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        remit(world["who"].agent, world)
    assert refused.value.code == "forbidden" and Remittance.objects.count() == 0
    token = issue_token(world["who"].agent, "app")
    response = Client().post("/api/remittances", {"kind": "collector_to_bhxh", "collector_id": world["post"].pk,
                                                  "amount": 500_000, "on": "2025-08-05"},
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-r",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and Remittance.objects.count() == 0


def test_an_office_manager_of_bhxh_cannot_record_it_either(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        remit(world["office_manager"], world)
    assert refused.value.code == "forbidden" and Remittance.objects.count() == 0


def test_another_collectors_manager_cannot_record_it(world: dict[str, Any]) -> None:
    """Both post offices serve commune Y, so the other's manager sees this one, but it is not theirs."""
    with pytest.raises(DomainError) as refused:
        remit(world["other_post_manager"], world)
    assert refused.value.code == "forbidden" and Remittance.objects.count() == 0


def test_a_collector_outside_the_scope_is_not_found(world: dict[str, Any]) -> None:
    world["post"].areas.remove(commune(COMMUNE_Y))
    with pytest.raises(DomainError) as refused:
        remit(world["other_post_manager"], world)
    assert refused.value.code == "not_found" and Remittance.objects.count() == 0


@pytest.mark.parametrize("who", ["post_manager", "admin"])
def test_the_collectors_own_staff_record_its_transfer_to_bhxh(world: dict[str, Any], who: str) -> None:
    actor = world["who"].admin if who == "admin" else world[who]
    found = remit(actor, world)
    assert (found.kind, found.amount, found.recorded_by) == ("collector_to_bhxh", 500_000, actor)


def test_an_agent_records_only_their_own_handover(world: dict[str, Any]) -> None:
    colleague = Agent.objects.create(code="DL-2", name="Đại lý 2", collector=world["post"],
                                     active_from=date(2022, 1, 1))
    with pytest.raises(DomainError) as refused:
        remit(world["who"].agent, world, RemittanceKind.AGENT_TO_COLLECTOR, agent_id=colleague.pk)
    assert refused.value.code == "forbidden" and Remittance.objects.count() == 0
    own = remit(world["who"].agent, world, RemittanceKind.AGENT_TO_COLLECTOR, key="own")  # no agent named: theirs
    assert own.agent == world["agent"]
    for_colleague = remit(world["post_manager"], world, RemittanceKind.AGENT_TO_COLLECTOR, key="m",
                          agent_id=colleague.pk)
    assert for_colleague.agent == colleague


def cash_in_x_and_y(world: dict[str, Any]) -> None:
    """165,000 đ collected by the agent in X (by the agent) and 264,000 đ in Y (recorded by the admin)."""
    who = world["who"]
    for actor, area, key in ((who.agent, COMMUNE_X, "x"), (who.admin, COMMUNE_Y, "y")):
        scope = scope_for(actor)
        found = registry.create_household(actor, scope, person_data(area_id=commune(area).pk, citizen_id=None,
                                                                    full_name=f"Chủ hộ {key}"), ON)
        if area == COMMUNE_X:
            registry.set_poverty_status(actor, scope, found.pk, "poor", date(2025, 1, 1), "QĐ 1")
        enrollment = enrolling.enroll_vsi(actor, scope, enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1))
        services.record_payment(actor, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                idempotency_key=key, paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ),
                                agent_id=world["agent"].pk)
    services.record_remittance(who.agent, scope_for(who.agent), kind="agent_to_collector",
                               collector_id=world["post"].pk, amount=300_000, on=date(2025, 8, 2),
                               idempotency_key="handover")


# From 01/08/2025 in Nghệ An (NQ 07/2025/NQ-HĐND on top of the state): X's poor member pays 330,000 − 165,000
# − 99,000 = 66,000; Y's member (no group) 330,000 − state 20 % 66,000 − province 5 % 16,500 = 247,500.


def test_reconciliation_shows_only_the_cash_collected_in_the_readers_scope(world: dict[str, Any]) -> None:
    cash_in_x_and_y(world)
    who = world["who"]
    assert Payment.objects.count() == 2
    everywhere = {r.day: r for r in queries.reconciliation(scope_for(who.admin), ON, date(2025, 8, 2))}
    assert (everywhere[ON].collected, everywhere[date(2025, 8, 2)].outstanding) == (313_500, 13_500)
    [y_only] = queries.reconciliation(scope_for(who.manager_elsewhere), ON, date(2025, 8, 2))
    assert (y_only.day, y_only.collected) == (ON, 247_500)
    # The agent's handover covers cash of both communes: it cannot be split by area, so a reader who
    # sees only part of the agent's cash sees no remitted or outstanding figure for them.
    assert (y_only.remitted, y_only.outstanding, y_only.overdue) == (None, None, None)
    api = Client().get("/api/reconciliation", {"start": "2025-08-01", "end": "2025-08-02"},
                       HTTP_AUTHORIZATION=f"Bearer {issue_token(who.manager_elsewhere, 'app')}").json()
    assert api == [{"day": "2025-08-01", "agent_code": world["agent"].code, "opening": None, "collected": 247_500,
                    "remitted": None, "outstanding": None, "overdue": None}]


def test_commission_counts_only_the_payments_in_the_readers_scope(world: dict[str, Any]) -> None:
    cash_in_x_and_y(world)
    CommissionRate.objects.create(scheme="vsi", is_renewal=False, method="cash", rate=Decimal("0.05"),
                                  valid_from=date(2025, 1, 1), source="Hợp đồng mẫu", is_example=True)
    who = world["who"]
    [everything] = queries.commission_statement(scope_for(who.admin), world["agent"], ON)
    assert (everything.collected, everything.commission) == (313_500, 15_675)
    [y_only] = queries.commission_statement(scope_for(who.manager_elsewhere), world["agent"], ON)
    assert (y_only.collected, y_only.commission) == (247_500, 12_375)
    api = Client().get("/api/commission", {"agent": world["agent"].code, "month": "2025-08-01"},
                       HTTP_AUTHORIZATION=f"Bearer {issue_token(who.manager_elsewhere, 'app')}").json()
    assert [line["collected"] for line in api] == [247_500]


def test_the_money_page_shows_only_the_readers_cash(world: dict[str, Any]) -> None:
    cash_in_x_and_y(world)
    client = Client()
    client.force_login(world["who"].manager_elsewhere)
    page = client.get("/thu-tien/", {"start": "2025-08-01", "end": "2025-08-31"})
    statements = page.context["commission"].statements
    assert [[line.collected for line in s.lines] for s in statements] == [[247_500]]
    assert [r.collected for r in page.context["reconciliation"]] == [247_500]
    assert "313.500" not in page.content.decode()


def test_an_agent_recording_a_transfer_to_bhxh_on_the_web_is_refused_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["who"].agent)
    response = client.post("/thu-tien/nop-tien/", {"kind": "collector_to_bhxh", "collector": str(world["post"].pk),
                                                   "amount": "500000", "on": "2025-08-05", "key": "web-r"})
    assert response.status_code == 403 and "Chỉ cán bộ của chính tổ chức dịch vụ thu" in response.content.decode()
    assert Remittance.objects.count() == 0


@pytest.mark.parametrize(("start", "end"), [("1900-01-01", "2100-12-31"), ("0001-01-01", "0001-01-31")])
def test_the_money_page_refuses_a_period_too_long_or_too_old(world: dict[str, Any], start: str, end: str) -> None:
    client = Client()
    client.force_login(world["who"].admin)
    response = client.get("/thu-tien/", {"start": start, "end": end})
    body = response.content.decode()
    assert response.status_code == 400 and ("366 ngày" in body or "ngoài khoảng" in body)
    assert response.context["start"] == timezone.localdate().replace(day=1)  # this month is shown instead
