"""The parameter browser says how many stored calculations and enrolments each parameter value entered
(issue 19 §6, "which quotes a change affects"), counted from the calculation records, with no link to
a record or a person."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ansinh.enrollment.models import CalculationRecord, Scheme
from ansinh.reports.parameter_use import parameter_use
from tests.builders import field_setup, personas
from tests.enrollment.builders import ON, person, vsi

pytestmark = pytest.mark.django_db


def section(body: str, name: str) -> str:
    found = re.search(rf'<section class="card param" id="{re.escape(name)}">(.*?)</section>', body, re.S)
    assert found, name
    return found.group(1)


def test_each_value_shows_the_calculations_and_enrolments_that_used_it() -> None:
    who = personas()
    field_setup(who)
    enrolment = vsi(who, person(who, 1).pk, "k-1")
    rate = next(p for p in enrolment.calculation.parameters if p["name"] == "vsi/contribution_rate")
    # A quote kept without an enrolment (no enrolment points at it).
    CalculationRecord.objects.create(scheme=Scheme.VSI, computed_on=ON, inputs={}, result={}, parameters=[rate])
    counts = parameter_use()
    assert counts[("vsi/contribution_rate", rate["effective"])].calculations == 2
    assert counts[("vsi/contribution_rate", rate["effective"])].enrollments == 1
    body = Client().get("/tham-so/", {"on": ON.isoformat()}).content.decode()
    rows = section(body, "vsicontribution_rate")
    assert "2 bản tính, 1 lượt đăng ký" in rows
    assert 'href="/' not in rows  # counts only: no link to an enrolment or a person
    api = Client().get("/api/parameters", {"on": ON.isoformat(), "prefix": "vsi/contribution_rate"}).json()
    current = api["parameters"][0]["in_force"]
    assert (current["calculations"], current["enrollments"]) == (2, 1)


def test_a_value_no_calculation_used_shows_zero() -> None:
    body = Client().get("/tham-so/", {"on": "2025-08-01"}).content.decode()
    assert "0 bản tính" in section(body, "base_salary")
