"""The provincial top-up reaches every surface (issue 19 §1): the seed-day case (a poor VSI member in
Nghệ An, 01/08/2025, 1,500,000 × 1 month: gross 330,000, state 165,000, province 99,000, payable 66,000)
on the quote, the enrolment screen, the receipt, D05-TS and the dashboards; and where the province's
top-up is only an ``unpublished`` marker (an ANSINH_PARAMETERS_DIR overlay), every one of them is
computed without it and says "chưa gồm hỗ trợ của tỉnh theo NQ … — chưa cấu hình"."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from ansinh.enrollment.models import Enrollment
from ansinh.payments import lists490
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services as registry
from ansinh.reports import queries
from ansinh.reports.queries import Slice
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
AUGUST = {"start": "2025-08-01", "end": "2025-08-31"}


@pytest.fixture
def who() -> tuple[Personas, Any]:
    people = personas()
    post, _ = field_setup(people)
    return people, post


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def poor_head(people: Personas) -> int:
    scope = people.scope(people.agent)
    household = registry.create_household(people.agent, scope, person_data(), ON)
    registry.set_poverty_status(people.agent, scope, household.pk, "poor", date(2025, 1, 1), "QĐ 1/QĐ-UBND")
    return household.head_id  # type: ignore[return-value]


def enrol_on_screen(people: Personas, head: int) -> tuple[str, Enrollment]:
    """The enrolment screen's quote, then "Xác nhận" saves the term (as the agent does it)."""
    client = client_for(people.agent)
    key = client.get(f"/nguoi/{head}/bhxh-tu-nguyen/").context["form"].initial["key"]
    form = {"on": "2025-08-01", "income": "1500000", "months": "1", "method": "regular", "key": key}
    shown = client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", form)
    assert shown.status_code == 200
    assert client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {**form, "confirm": "1"}).status_code == 302
    return shown.content.decode(), Enrollment.objects.get(person_id=head)


def pay(people: Personas, term: Enrollment) -> Payment:
    return paying.record_payment(people.agent, people.scope(people.agent), term.pk, amount=term.payable,
                                 method="cash", idempotency_key="p1", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))


def d05(people: Personas, post: Any) -> list[list[Any]]:
    content = lists490.render("d05", people.scope(people.agent), post, ON, date(2025, 8, 31))
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def text_of(table: list[list[Any]]) -> str:
    return "\n".join(" ".join(str(c) for c in row) for row in table)


def pdf_text(content: bytes) -> str:
    """The text, its line breaks as spaces (a long line wraps on paper)."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(content)).pages)


def test_the_seed_day_case_on_every_surface(who: tuple[Personas, Any]) -> None:
    people, post = who
    quote = Client().get("/", {"scheme": "vsi", "vsi-on": "2025-08-01", "vsi-income": "1500000",
                               "vsi-method": "regular", "vsi-months": "1", "vsi-groups": ["poor"],
                               "vsi-province": "40"}).content.decode()
    assert '<td id="vsi-payable">66.000 đ</td>' in quote and "99.000 đ" in quote and "chưa cấu hình" not in quote
    head = poor_head(people)
    screen, term = enrol_on_screen(people, head)
    assert "99.000 đ" in screen and "66.000 đ" in screen and "chưa cấu hình" not in screen
    assert (term.gross, term.state_support, term.local_support, term.payable) == (330_000, 165_000, 99_000, 66_000)
    receipt = pay(people, term).receipt
    page = client_for(people.agent).get(f"/bien-lai/{receipt.pk}/").content.decode()
    assert "99.000 đ" in page and "66.000 đ" in page and "chưa cấu hình" not in page
    table = d05(people, post)
    [row] = [r for r in table if r[0] == 1 and r[1]]
    assert 330_000 in row and 165_000 in row and 99_000 in row and 66_000 in row
    assert "chưa cấu hình" not in text_of(table)
    view = Slice(ON, date(2025, 8, 31))
    tiles = queries.overview_of(view)
    assert (tiles["amount"], tiles["state_support"], tiles["local_support"]) == (66_000, 165_000, 99_000)
    [commune] = queries.drill(view, "commune")
    assert (commune.amount, commune.state_support, commune.local_support) == (66_000, 165_000, 99_000)
    assert queries.top_up_notices(view) == []
    dashboard = client_for(people.admin).get("/bao-cao/", AUGUST).content.decode()
    assert 'id="overview-state">165.000 đ<' in dashboard and 'id="overview-local">99.000 đ<' in dashboard
    assert 'id="top-up-notice-1"' not in dashboard


def test_the_dashboard_export_carries_state_and_local_support_per_commune(who: tuple[Personas, Any],
                                                                         tmp_path: Any) -> None:
    people, _ = who
    _, term = enrol_on_screen(people, poor_head(people))
    pay(people, term)
    response = client_for(people.admin).get("/bao-cao/", {**AUGUST, "level": "commune", "xlsx": "1"})
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = next(r for r in table if r[:2] == ["Hạng", "Mã"])
    row = table[table.index(header) + 1]
    assert header[-2:] == ["NSNN hỗ trợ", "NSĐP hỗ trợ"] and row[-3:] == [66_000, 165_000, 99_000]


def test_a_top_up_not_configured_is_left_out_and_said_on_every_surface(who: tuple[Personas, Any],
                                                                       unpublished_top_up: str) -> None:
    people, post = who
    notice = unpublished_top_up
    quote = Client().get("/", {"scheme": "vsi", "vsi-on": "2025-08-01", "vsi-income": "1500000",
                               "vsi-method": "regular", "vsi-months": "1", "vsi-groups": ["poor"],
                               "vsi-province": "40"}).content.decode()
    assert '<td id="vsi-payable">165.000 đ</td>' in quote and notice in quote
    screen, term = enrol_on_screen(people, poor_head(people))
    assert notice in screen and "165.000 đ" in screen
    assert (term.state_support, term.local_support, term.payable) == (165_000, 0, 165_000)
    receipt = pay(people, term).receipt
    client = client_for(people.agent)
    assert notice in client.get(f"/bien-lai/{receipt.pk}/").content.decode()
    assert notice in pdf_text(client.get(f"/bien-lai/{receipt.pk}/pdf/").content)
    assert f"Lưu ý: {notice} (1 dòng)" in text_of(d05(people, post))
    pdf = lists490.render("d05", people.scope(people.agent), post, ON, date(2025, 8, 31), medium="pdf")
    assert "chưa cấu hình" in pdf_text(pdf)
    view = Slice(ON, date(2025, 8, 31))
    assert queries.top_up_notices(view) == [f"Số tiền hỗ trợ trong kỳ: {notice}"]
    dashboard = client_for(people.admin).get("/bao-cao/", AUGUST)
    assert f'id="top-up-notice-1">Số tiền hỗ trợ trong kỳ: {notice}<' in dashboard.content.decode()
    exported = client_for(people.admin).get("/bao-cao/", {**AUGUST, "pdf": "1"})
    assert "chưa cấu hình" in pdf_text(exported.content)
