"""The overview page reads the facts, within the user's scope, and exports its table."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import services as reports
from ansinh.reports.models import PlanTarget
from tests.builders import COMMUNE_X, commune, field_setup, person_data, personas

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
    assert 'id="overview-vsi">2<' in page and "495.000 đ" in page  # 2 × 247,500 (Nghệ An pays 5% of 22% × 1,500,000)
    assert "vendor/chartjs/chart.umd.min.js" in page and "Phường Thành Vinh</a> <span class=\"muted\">· 16681" in page
    assert "không còn cấp huyện" in page  # the map of 07/2025 has no district level: communes straight away


def test_someone_outside_the_scope_sees_nothing(who: Any) -> None:
    page = client_for(who.manager_elsewhere).get("/bao-cao/", PERIOD).content.decode()
    assert 'id="overview-vsi">0<' in page and "Phường Thành Vinh" not in page


def test_the_table_exports_to_xlsx(who: Any, tmp_path: Path) -> None:
    response = client_for(who.agent).get("/bao-cao/", {**PERIOD, "xlsx": "1"})
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert table[0][:4] == ["Hạng", "Mã", "Tên", "BHXH tự nguyện (mới)"]
    assert table[1][1:4] == ["16681", "Phường Thành Vinh", 2] and table[1][6] == 495000


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_drill_down_goes_from_the_province_to_the_agent(who: Any) -> None:
    client = client_for(who.admin)
    x = commune(COMMUNE_X).pk
    page = client.get("/bao-cao/", PERIOD).content.decode()
    assert f"level=point&amp;commune={x}" in page  # no district on this map: province → commune
    point = client.get("/bao-cao/", {**PERIOD, "level": "point", "commune": x}).content.decode()
    assert "(không ghi)" in point and "Phường Thành Vinh</a> › " in point  # no point named; the way back up
    agents = client.get("/bao-cao/", {**PERIOD, "level": "agent", "commune": x}).content.decode()
    assert "Đại lý X" in agents and "495.000 đ" in agents
    elsewhere = client_for(who.manager_elsewhere).get("/bao-cao/", {**PERIOD, "level": "agent", "commune": x})
    assert "Đại lý X" not in elsewhere.content.decode()  # a drill-down link does not widen the scope


def test_the_dashboards_export_to_pdf(who: Any) -> None:
    client = client_for(who.admin)
    overview = client.get("/bao-cao/", {**PERIOD, "level": "commune", "pdf": "1"})
    assert overview["Content-Type"] == "application/pdf"
    text = pdf_text(overview.content)
    assert "Tổng hợp kết quả" in text and "Phường Thành Vinh" in text and "495.000" in text
    board = pdf_text(client.get("/bao-cao/xep-hang/", {**PERIOD, "pdf": "1"}).content)
    assert "Xếp hạng nhân viên thu" in board and "Đại lý X" in board
    renewals = client.get("/bao-cao/tai-tuc/", {"pdf": "1"})
    assert "Tái tục và gián đoạn" in pdf_text(renewals.content)
    lapses = client.get("/bao-cao/tai-tuc/", {"xlsx": "lapses"})
    assert lapses["Content-Disposition"].startswith('attachment; filename="gian-doan-')


def test_the_leaderboard_and_the_renewals_page_show_the_scope_only(who: Any) -> None:
    board = client_for(who.admin).get("/bao-cao/xep-hang/", PERIOD).content.decode()
    assert "Đại lý X" in board and "<td>1</td>" in board
    elsewhere = client_for(who.manager_elsewhere).get("/bao-cao/xep-hang/", PERIOD).content.decode()
    assert "Đại lý X" not in elsewhere and "Chưa có khoản thu nào" in elsewhere
    renewals = client_for(who.manager_elsewhere).get("/bao-cao/tai-tuc/").content.decode()
    assert "Chưa có kỳ đóng nào hết hạn" in renewals


def test_a_target_shows_against_the_year_so_far(who: Any) -> None:
    PlanTarget.objects.create(year=2025, area=commune(COMMUNE_X), scheme="vsi", value=10, source="Ví dụ",
                              is_example=True)
    page = client_for(who.agent).get("/bao-cao/", PERIOD).content.decode()
    assert "<strong>2</strong> / 10 người mới (20,0%)" in page
    assert "chưa giao chỉ tiêu năm" in page  # household HI: none set, none invented


def test_a_reversed_period_is_refused_in_vietnamese(who: Any) -> None:
    page = client_for(who.agent).get("/bao-cao/", {"start": "2025-08-31", "end": "2025-08-01"}).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page


@pytest.mark.usefixtures("demo")
def test_history_before_the_map_change_can_show_on_todays_communes() -> None:
    admin = get_user_model().objects.get(username="admin")
    launch = {"start": "2022-05-08", "end": "2022-05-08"}
    as_recorded = client_for(admin).get("/bao-cao/", {**launch, "map": "recorded"}).content.decode()
    assert "Thành phố Vinh" in as_recorded and "không còn cấp huyện" not in as_recorded  # the 21 units of 2022
    today = client_for(admin).get("/bao-cao/", {**launch, "map": "today"}).content.decode()
    assert "không còn cấp huyện" in today and "Thành phố Vinh" not in today
    assert 'id="overview-vsi">1.322<' in today and 'id="overview-hi">2.222<' in today  # nothing lost in the remap


@pytest.mark.usefixtures("demo")
def test_a_new_wards_manager_sees_the_history_of_the_communes_merged_into_it() -> None:
    manager = get_user_model().objects.get(username="quanly")  # Thành Vinh and Trường Vinh, map of 07/2025
    launch = {"start": "2022-05-08", "end": "2022-05-08"}
    recorded = client_for(manager).get("/bao-cao/", {**launch, "map": "recorded"}).content.decode()
    today = client_for(manager).get("/bao-cao/", {**launch, "map": "today"}).content.decode()
    assert 'id="overview-vsi">0<' not in today and "Phường Thành Vinh" in today
    # The 2022 communes are in this scope (docs/adr/0007): as recorded, under their 2022 city, same totals.
    vsi = re.compile(r'id="overview-vsi">([^<]+)<')
    assert vsi.findall(recorded) == vsi.findall(today) and "Thành phố Vinh" in recorded
    shown = set(re.findall(r'level=point&amp;commune=\d+">([^<]+)</a>', today))
    assert shown == {"Phường Thành Vinh", "Phường Trường Vinh"}  # and no ward outside the scope


def test_the_renewals_page_says_so_when_the_lapse_rule_is_not_day_based(who: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("ansinh.web.report_views.timezone.localdate", lambda: date(2025, 3, 1))
    page = client_for(who.admin).get("/bao-cao/tai-tuc/")
    assert page.status_code == 409 and "chưa có hiệu lực" in page.content.decode()


def test_the_renewals_page_takes_a_period_and_refuses_a_wrong_one(who: Any) -> None:
    from ansinh.lib.periods import add_months

    client = client_for(who.admin)
    page = client.get("/bao-cao/tai-tuc/", {"until": "2026-09-15", "months": "3"})
    assert page.status_code == 200
    first = add_months(date(2026, 9, 1), -3)
    assert all(first <= c["month"] < date(2026, 9, 1) for c in page.context["cohorts"])
    assert "Các kỳ đóng hết hạn trong 3 tháng trước 09/2026" in page.content.decode()
    assert 'href="?until=2026-09-15&amp;months=3&amp;xlsx=1"' in page.content.decode()  # the export keeps it
    wrong = client.get("/bao-cao/tai-tuc/", {"months": "5"})
    assert wrong.status_code == 400 and "Chọn 3, 6, 12 hoặc 24 tháng." in wrong.content.decode()
