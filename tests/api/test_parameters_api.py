"""GET /api/parameters: public, documented, ?on=YYYY-MM-DD."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.api.urls import api

pytestmark = pytest.mark.django_db  # the counts of calculations that used each value


def by_name(payload: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in payload["parameters"] if p["name"] == name)


def test_it_lists_each_parameter_with_its_value_on_the_day() -> None:
    response = Client().get("/api/parameters", {"on": "2026-07-01"})
    assert response.status_code == 200
    payload = response.json()
    assert payload["on"] == "2026-07-01"
    base = by_name(payload, "base_salary")
    assert base["unit"] == "vnd" and base["in_force"]["value"] == 2_530_000
    assert base["in_force"]["reference"]["title"].startswith("Nghị định 161/2026/NĐ-CP")
    assert [v["effective"] for v in base["history"]][:2] == ["2013-07-01", "2016-05-01"]
    before = by_name(Client().get("/api/parameters", {"on": "2026-06-30"}).json(), "base_salary")
    assert before["in_force"]["value"] == 2_340_000


def test_marks_rates_and_prefix() -> None:
    payload = Client().get("/api/parameters", {"on": "2026-03-01", "prefix": "household_hi/"}).json()
    assert all(p["name"].startswith("household_hi/") for p in payload["parameters"])
    marker = by_name(payload, "household_hi/local_support/40")
    assert marker["in_force"]["status"] == "unpublished" and marker["in_force"]["value"] is None
    rate = by_name(payload, "household_hi/contribution_rate")["in_force"]
    assert rate["value"] == "0.045" and rate["text"] == "4,5%"


def test_a_bad_day_is_a_422_with_the_error_shape() -> None:
    response = Client().get("/api/parameters", {"on": "2026-02-30"})
    assert response.status_code == 422
    assert "error" in response.json()


def test_the_schema_is_documented() -> None:
    spec = api.get_openapi_schema()
    operation = spec["paths"]["/api/parameters"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"on", "prefix"}
    assert "ParameterOut" in spec["components"]["schemas"]
    assert operation.get("security") in (None, [])  # public
