"""Bad input on the payments endpoints is a clean 4xx with the documented error body, never a 500,
and the OpenAPI documents the bounds and the error responses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.org.models import Role
from ansinh.org.services import issue_token
from ansinh.payments.models import Payment, Remittance
from tests.builders import field_setup, personas, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    post, agent = field_setup(who)
    manager = user(Role.COLLECTOR_MANAGER, org_units=[post])
    return {"who": who, "post": post, "agent": agent, "client": Client(),
            "agent_auth": {"HTTP_AUTHORIZATION": f"Bearer {issue_token(who.agent, 'app')}"},
            "manager_auth": {"HTTP_AUTHORIZATION": f"Bearer {issue_token(manager, 'app')}"}}


def refused(response: Any, status: int = 422) -> str:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return str(error["message"])


@pytest.mark.parametrize(("start", "end", "says"), [
    ("2025-08-31", "2025-08-01", "sau ngày bắt đầu"),
    ("1900-01-01", "2100-12-31", "366 ngày"),
    ("2025-01-01", "2026-01-03", "366 ngày"),
    ("0001-01-01", "0001-01-31", "1900"),
    ("9999-12-01", "9999-12-31", "ngoài khoảng"),
])
def test_a_bad_reconciliation_period_is_refused_with_a_message(world: dict[str, Any], start: str, end: str,
                                                               says: str) -> None:
    response = world["client"].get("/api/reconciliation", {"start": start, "end": end}, **world["agent_auth"])
    assert says in refused(response)


def test_a_leap_year_is_one_period(world: dict[str, Any]) -> None:
    response = world["client"].get("/api/reconciliation", {"start": "2024-01-01", "end": "2024-12-31"},
                                   **world["agent_auth"])
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("grace", ["-1", "100000000", "1e8", "abc"])
def test_grace_days_out_of_bounds_are_refused(world: dict[str, Any], grace: str) -> None:
    response = world["client"].get("/api/reconciliation", {"start": "2025-08-01", "end": "2025-08-31",
                                                           "grace_days": grace}, **world["agent_auth"])
    refused(response)


@pytest.mark.parametrize("month", ["9999-12-01", "0001-01-01", "abc", "2025-13-01"])
def test_a_bad_commission_month_is_refused(world: dict[str, Any], month: str) -> None:
    response = world["client"].get("/api/commission", {"agent": world["agent"].code, "month": month},
                                   **world["agent_auth"])
    refused(response)


def remittance(world: dict[str, Any], key: str = "r1", auth: str = "manager_auth", **body: Any) -> Any:
    payload = {"kind": "collector_to_bhxh", "collector_id": world["post"].pk, "amount": 500_000,
               "on": "2025-08-05", **body}
    return world["client"].post("/api/remittances", payload, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY=key, **world[auth])


@pytest.mark.parametrize("amount", [2**63, 2**63 - 1, -5, 0])
def test_a_remittance_amount_out_of_bounds_is_refused(world: dict[str, Any], amount: int) -> None:
    refused(remittance(world, amount=amount))
    assert Remittance.objects.count() == 0


@pytest.mark.parametrize("body", [{"reference": "x" * 101}, {"kind": "cash_to_moon"}, {"on": "0001-01-01"},
                                  {"on": "2999-01-01"}])
def test_other_bad_remittances_are_refused(world: dict[str, Any], body: dict[str, Any]) -> None:
    refused(remittance(world, **body))
    assert Remittance.objects.count() == 0


def test_the_collectors_manager_records_a_remittance_over_the_api(world: dict[str, Any]) -> None:
    response = remittance(world)
    assert response.status_code == 201 and response.json()["amount"] == 500_000


def test_keys_longer_than_100_characters_are_refused(world: dict[str, Any]) -> None:
    refused(remittance(world, key="k" * 101))
    paid = world["client"].post("/api/payments", {"enrollment_id": 1, "amount": 1}, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY="k" * 101, **world["agent_auth"])
    reversed_ = world["client"].post("/api/payments/1/reverse", {"reason": "x"}, content_type="application/json",
                                     HTTP_IDEMPOTENCY_KEY="k" * 101, **world["agent_auth"])
    refused(paid)
    refused(reversed_)
    assert Payment.objects.count() == Remittance.objects.count() == 0


@pytest.mark.parametrize("body", [{"amount": 2**63}, {"amount": -1}, {"enrollment_id": 2**63},
                                  {"backdate_reason": "x" * 301}])
def test_bad_payment_bodies_are_refused(world: dict[str, Any], body: dict[str, Any]) -> None:
    response = world["client"].post("/api/payments", {"enrollment_id": 1, "amount": 1, **body},
                                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **world["agent_auth"])
    refused(response)
    assert Payment.objects.count() == 0


def test_an_unknown_enrolment_is_a_404(world: dict[str, Any]) -> None:
    response = world["client"].post("/api/payments", {"enrollment_id": 2**62, "amount": 1},
                                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **world["agent_auth"])
    refused(response, 404)


def test_the_openapi_documents_the_bounds_and_the_errors(world: dict[str, Any]) -> None:
    schema = world["client"].get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method, codes in [("/api/payments", "post", {"201", "403", "404", "409", "422"}),
                                ("/api/payments/{payment_id}/reverse", "post", {"201", "404", "409", "422"}),
                                ("/api/remittances", "post", {"201", "403", "404", "409", "422"}),
                                ("/api/reconciliation", "get", {"200", "422"}),
                                ("/api/commission", "get", {"200", "404", "422"})]:
        responses = paths[path][method]["responses"]
        assert codes <= set(responses), (path, set(responses))
        errors = [responses[c]["content"]["application/json"]["schema"]["$ref"] for c in codes if c[0] == "4"]
        assert set(errors) == {"#/components/schemas/ErrorOut"}
    components = schema["components"]["schemas"]
    remittance_amount = components["RemittanceIn"]["properties"]["amount"]
    assert remittance_amount["minimum"] == 1 and remittance_amount["maximum"] < 2**63
    payment = components["PaymentIn"]["properties"]
    assert "quản lý" in payment["agent_id"]["description"] and "quản lý" in payment["paid_at"]["description"]
    key = next(p for p in paths["/api/payments"]["post"]["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] and (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 100)
    grace = next(p for p in paths["/api/reconciliation"]["get"]["parameters"] if p["name"] == "grace_days")
    assert (grace["schema"]["minimum"], grace["schema"]["maximum"]) == (0, 60)


def test_today_is_a_fine_remittance_day(world: dict[str, Any]) -> None:
    assert remittance(world, on=timezone.localdate().isoformat()).status_code == 201
