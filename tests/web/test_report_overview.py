"""The overview page reads the facts, within the user's scope, and exports its table."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import services as reports
from tests.builders import field_setup, person_data, personas

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-08-01", "end": "2025-08-31"}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def who() -> Any:
    people = personas()
    field_setup(people)
    scope = people.scope(people.agent)
    for i in range(2):
        person = registry.create_person(people.agent, scope, person_data(full_name=f"Người {i}", citizen_id=None))
        enrollment = enrolling.enroll_vsi(people.agent, scope, enrolling.quote_vsi(scope, person.pk,
                                                                                     date(2025, 8, 1), 1_500_000, 1))
        paying.record_payment(people.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=f"o{i}", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    reports.refresh(date(2025, 8, 1), date(2025, 8, 31))
    return people


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_overview_shows_the_figures_of_the_database(who: Any) -> None:
    page = client_for(who.agent).get("/bao-cao/", PERIOD).content.decode()
    assert 'id="overview-vsi">2<' in page and "528.000 đ" in page  # 2 × 264,000
    assert "vendor/chartjs/chart.umd.min.js" in page and "Phường Thành Vinh (16681)" in page


def test_someone_outside_the_scope_sees_nothing(who: Any) -> None:
    page = client_for(who.manager_elsewhere).get("/bao-cao/", PERIOD).content.decode()
    assert 'id="overview-vsi">0<' in page and "Phường Thành Vinh" not in page


def test_the_table_exports_to_xlsx(who: Any, tmp_path: Path) -> None:
    response = client_for(who.agent).get("/bao-cao/", {**PERIOD, "xlsx": "1"})
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert table[0][:2] == ["Mã xã", "Xã/phường"] and table[1][2] == 2 and table[1][4] == 528000
