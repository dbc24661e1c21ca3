"""Chart data reaches the dashboards' <script> only through Django's json_script (issue 12, seen 7):
an agent or area named like markup stays data, it never closes the script element."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ansinh.areas.models import AdministrativeUnit
from ansinh.enrollment import services as enrolling
from ansinh.org.models import Agent
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import services as reports
from tests.builders import COMMUNE_X, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-08-01", "end": "2025-08-31"}
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture
def agent() -> Any:
    people = personas()
    field_setup(people)
    scope = people.scope(people.agent)
    person = registry.create_person(people.agent, scope, person_data(citizen_id=None))
    enrollment = enrolling.enroll_vsi(people.agent, scope, enrolling.quote_vsi(scope, person.pk, date(2025, 8, 1),
                                                                                 1_500_000, 1))
    paying.record_payment(people.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="chart", paid_at=datetime(2025, 8, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    reports.refresh(date(2025, 8, 1), date(2025, 8, 31))
    Agent.objects.update(name=HOSTILE)
    AdministrativeUnit.objects.filter(code=COMMUNE_X).update(name=HOSTILE)
    return people.agent


@pytest.mark.parametrize("path", ["/bao-cao/", "/bao-cao/xep-hang/", "/bao-cao/tai-tuc/"])
def test_a_name_like_markup_never_closes_the_script(agent: Any, path: str) -> None:
    client = Client()
    client.force_login(agent)
    page = client.get(path, PERIOD).content.decode()
    assert "<script>alert(1)" not in page
    assert "|safe" not in page and 'type="application/json"' in page


def test_the_chart_data_is_still_there_escaped(agent: Any) -> None:
    client = Client()
    client.force_login(agent)
    page = client.get("/bao-cao/xep-hang/", PERIOD).content.decode()
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in page
