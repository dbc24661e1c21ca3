"""Every limit is in the schema and every refusal is `{"error": {"code", "message"}}` with a 4xx
(issue 12, seen 5): bounded quotes, bounded strings and pages, malformed and oversize bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_X, Personas, personas

ERROR_STATUSES = {"400", "401", "403", "404", "409", "413", "422"}


def post(client: Client, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def assert_refusal(status: int, data: dict[str, Any], expected: int, code: str) -> None:
    assert status == expected
    assert set(data) == {"error"} and data["error"]["code"] == code and data["error"]["message"]


def test_a_household_quote_takes_at_most_50_members() -> None:
    status, data = post(Client(), "/api/quotes/hi", {"on": "2024-08-01", "members": 5_000_000, "months": 12})
    assert_refusal(status, data, 422, "invalid_input")
    assert "members" in data["error"]["message"]
    status, data = post(Client(), "/api/quotes/hi", {"on": "2024-08-01", "members": 30, "covered_elsewhere": 21,
                                                     "months": 12})
    assert_refusal(status, data, 422, "invalid_input")
    status, data = post(Client(), "/api/quotes/hi", {"on": "2024-08-01", "members": 50, "months": 12})
    assert status == 200 and len(data["members"]) == 50


@pytest.mark.parametrize("body", [
    {"on": "2025-07-01", "income": 1_500_000, "months": 100_000_000},
    {"on": "2025-07-01", "income": 10**20, "months": 1},
    {"on": "2025-07-01", "income": -1, "months": 1},
    {"on": "2025-07-01", "income": 1_500_000, "months": 1, "groups": ["poor"] * 100},
    {"on": "2025-07-01", "income": 1_500_000, "months": 1, "province": "4" * 1000},
    {"on": "2025-07-01", "income": 1_500_000, "months": 1, "supported_months_used": 10**12},
])
def test_a_vsi_quote_out_of_bounds_is_422(body: dict[str, Any]) -> None:
    status, data = post(Client(), "/api/quotes/vsi", body)
    assert_refusal(status, data, 422, "invalid_input")


def test_the_openapi_documents_the_limits_and_the_error_responses() -> None:
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["HiQuoteIn"]["properties"]["members"]["maximum"] == 50
    assert components["PersonIn"]["properties"]["full_name"]["maxLength"] == 200
    assert "ErrorOut" in components
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"413", "422"} <= declared, (method, path)
            ref = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut"
    assert set(schema["paths"]["/api/people"]["post"]["responses"]) >= ERROR_STATUSES


def test_a_malformed_json_body_is_400_with_the_error_shape() -> None:
    status, data = post(Client(), "/api/quotes/hi", "{not json")
    assert_refusal(status, data, 400, "invalid_input")


def test_an_oversize_api_body_is_413_with_the_error_shape() -> None:
    body = json.dumps({"on": "2024-08-01", "members": 1, "months": 12, "pad": "x" * 2_000_000})
    status, data = post(Client(), "/api/quotes/hi", body)
    assert_refusal(status, data, 413, "request_too_large")
    assert "1 MB" in data["error"]["message"]


@pytest.mark.django_db
def test_an_oversize_page_form_is_413_in_vietnamese_and_writes_nothing() -> None:
    who = personas()
    client = Client()
    client.force_login(who.agent)
    before = (Person.objects.count(), AuditEntry.objects.count())
    response = client.post("/ho/moi/", {"full_name": "A" * 2_000_000, "area": COMMUNE_X})
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


@pytest.fixture
def who() -> Personas:
    return personas()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "0", "-5", "100001"])
def test_a_bad_page_number_is_422(who: Personas, page: str) -> None:
    client = Client()
    client.force_login(who.agent)
    response = client.get("/api/people", {"q": "an", "page": page})
    assert_refusal(response.status_code, response.json(), 422, "invalid_input")


@pytest.mark.django_db
def test_the_search_page_answers_a_bad_page_number_without_a_500(who: Personas) -> None:
    client = Client()
    client.force_login(who.agent)
    assert client.get("/tim-kiem/", {"q": "an", "page": "abc"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("full_name", "A" * 201), ("address_detail", "K" * 301),
                                              ("citizen_id", "0" * 1000), ("area_code", "1" * 100)])
def test_registry_strings_over_their_limit_are_422_and_write_nothing(who: Personas, field: str, value: str) -> None:
    client = Client()
    client.force_login(who.agent)
    body = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-02", "sex": "male", "area_code": COMMUNE_X,
            field: value}
    before = (Person.objects.count(), AuditEntry.objects.count())
    status, data = post(client, "/api/people", body)
    assert_refusal(status, data, 422, "invalid_input")
    assert field in data["error"]["message"]
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_a_nul_character_anywhere_is_400_not_a_500(who: Personas) -> None:
    client = Client()
    client.force_login(who.agent)
    response = client.get("/api/people", {"q": "a\x00b"})
    assert_refusal(response.status_code, response.json(), 400, "invalid_input")
    assert "NUL" in response.json()["error"]["message"]
    status, data = post(client, "/api/quotes/vsi", {"on": "2025-07-01", "income": 1_500_000, "months": 1,
                                                    "province": "40\x00"})
    assert_refusal(status, data, 400, "invalid_input")
    page = client.get("/tim-kiem/", {"q": "a\x00b"})
    assert page.status_code == 400 and "ký tự NUL" in page.content.decode()
    before = (Person.objects.count(), AuditEntry.objects.count())
    form = client.post("/ho/moi/", {"full_name": "Nguyễn\x00 Văn An", "area": COMMUNE_X})
    assert form.status_code == 400 and (Person.objects.count(), AuditEntry.objects.count()) == before
