"""The agent's flow on the web and over the API; the due list, reminders, lists, reconciliation, commission."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import CalculationRecord, Enrollment
from ansinh.enrollment.reminders import remind
from ansinh.lib.errors import DomainError
from ansinh.org.services import issue_token
from ansinh.payments import exports, queries, services
from ansinh.payments.models import CommissionRate, Payment, Receipt, Remittance, Sponsor
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    return personas()


@pytest.fixture
def setup(who: Personas) -> tuple[Any, Any]:
    return field_setup(who)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def household(who: Personas, poor: bool = True) -> Any:
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(), ON)
    if poor:
        registry.set_poverty_status(who.agent, scope, found.pk, "poor", date(2025, 1, 1), "QĐ 1")
    return found


def paid_vsi(who: Personas, on: date = ON, months: int = 1, key: str = "k") -> Payment:
    scope = who.scope(who.agent)
    head = household(who).head_id
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, head, on, 1_500_000, months))
    return services.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                   idempotency_key=key, paid_at=datetime(on.year, on.month, on.day, 9, tzinfo=TZ))


def test_the_phone_flow_is_search_quote_pay_receipt(who: Personas, setup: Any) -> None:
    person = household(who).head
    client = client_for(who.agent)
    assert f"/nguoi/{person.pk}/" in client.get("/tim-kiem/", {"q": "nguyen van an"}).content.decode()  # screen 1
    form = {"on": "2025-08-01", "income": "1500000", "method": "regular", "months": "12", "key": "enrol-1"}
    quoted = client.post(f"/nguoi/{person.pk}/bhxh-tu-nguyen/", form)  # screen 2: quote...
    # 12 × (330,000 − state 165,000 − Nghệ An 30% × 22% × 1,500,000 = 99,000, NQ 07/2025/NQ-HĐND) for a poor household
    assert '<td id="payable">792.000 đ</td>' in quoted.content.decode()
    confirmed = client.post(f"/nguoi/{person.pk}/bhxh-tu-nguyen/", {**form, "confirm": "1"})  # ...and confirm
    pay_page = client.get(confirmed["Location"])  # screen 3
    assert 'id="due">792.000 đ' in pay_page.content.decode()
    key = pay_page.context["form"].initial["key"]
    paid = client.post(confirmed["Location"], {"amount": "792000", "method": "cash", "key": key})
    receipt = client.get(paid["Location"]).content.decode()  # screen 4
    assert "BL40-2025-0000001" in receipt and "Bảy trăm chín mươi hai nghìn đồng" in receipt
    again = client.post(confirmed["Location"], {"amount": "792000", "method": "cash", "key": key})
    assert again.status_code == 302 and Payment.objects.count() == Receipt.objects.count() == 1


def test_a_wrong_amount_on_the_pay_screen_is_explained_and_saves_nothing(who: Personas, setup: Any) -> None:
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, household(who).head_id, ON,
                                                                              1_500_000, 1))
    response = client_for(who.agent).post(f"/thu-tien/{enrollment.pk}/", {"amount": "100", "method": "cash",
                                                                           "key": "x"})
    assert response.status_code == 400 and "khác số phải đóng 66.000 đ" in response.context["form"]["amount"].errors[0]
    assert Payment.objects.count() == 0


def test_household_cards_through_the_web(who: Personas, setup: Any) -> None:
    found = household(who, poor=False)
    client = client_for(who.agent)
    form = {"on": "2025-08-01", "members": [str(found.head_id)], "months": "12", "card_kind": "electronic",
            "key": "enrol-1"}
    quoted = client.post(f"/ho/{found.pk}/bhyt/", form)
    assert '<td id="payable">1.263.600 đ</td>' in quoted.content.decode() and "31/08/2025" in quoted.content.decode()
    assert client.post(f"/ho/{found.pk}/bhyt/", {**form, "months": "2"}).status_code == 400


def _pdf(content: bytes) -> tuple[str, float, float]:
    """The text of a one-page PDF and its page size in mm."""
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    return page.extract_text(), float(page.mediabox.width) * 25.4 / 72, float(page.mediabox.height) * 25.4 / 72


def test_receipts_print_on_c45_bb_in_a5_and_58mm_and_as_pdf(who: Personas, setup: Any) -> None:
    receipt = paid_vsi(who).receipt
    client = client_for(who.agent)
    a5 = client.get(f"/bien-lai/{receipt.pk}/").content.decode()
    roll = client.get(f"/bien-lai/{receipt.pk}/", {"kho": "58mm"}).content.decode()
    assert "receipt-a5" in a5 and "@page { size: A5" in a5
    # a valid page size (CSS has no "58mm auto"), as tall as the content; the stylesheet's A5 is overridden
    assert "receipt-58mm" in roll and "@page { size: 58mm " in roll and "size: A5" not in roll
    assert "58mm auto" not in roll
    for page in (a5, roll):  # book and number are separate fields, from the receipt pool
        assert "Mẫu số C45-BB" in page and "BIÊN LAI THU TIỀN" in page and "Người nộp tiền" in page
        assert f"<dt>Quyển số</dt><dd class=\"\">{receipt.pool.series}</dd>" in page
        assert f"<dt>Số</dt><dd class=\"\">{receipt.number:07d}</dd>" in page
        assert receipt.amount_words in page and "Nguyễn Văn An" in page and "Khối 5" in page
        assert "040085000123" not in page  # the participant's ID only as the field policy shows it
    payer_words = receipt.amount_words
    a5_text, a5_width, a5_height = _pdf(client.get(f"/bien-lai/{receipt.pk}/pdf/").content)
    assert round(a5_width) == 148 and round(a5_height) == 210
    roll_pdf = client.get(f"/bien-lai/{receipt.pk}/pdf/", {"kho": "58mm"}).content
    roll_text, roll_width, roll_height = _pdf(roll_pdf)
    assert round(roll_width) == 58 and 60 < roll_height < 200  # as tall as its content: no blank tail
    for text in (a5_text, roll_text):
        flat = " ".join(text.split())
        assert "Mẫu số C45-BB" in flat and "BIÊN LAI THU TIỀN" in flat and payer_words in flat
        assert f"Quyển số: {receipt.pool.series}" in flat and f"Số: {receipt.number:07d}" in flat
        assert "Người thu tiền" in flat and "040085000123" not in flat
    # The last text line sits near the bottom of the roll (the page ends with its content).
    last = PdfReader(io.BytesIO(roll_pdf)).pages[0]
    ys: list[float] = []
    last.extract_text(visitor_text=lambda t, cm, tm, fd, fs: ys.append(tm[5]) if t.strip() else None)
    assert min(ys) * 25.4 / 72 < 8
    assert client_for(who.manager_elsewhere).get(f"/bien-lai/{receipt.pk}/").status_code == 404


def test_a_household_hi_receipt_lists_the_covered_members_and_their_card_dates(who: Personas, setup: Any) -> None:
    scope = who.scope(who.agent)
    found = household(who, poor=False)
    spouse = registry.add_member(who.agent, scope, found.pk, "spouse", ON, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    offer = enrolling.quote_hi(scope, found.pk, [found.head_id, spouse.person_id], ON, 12)
    enrollment = enrolling.enroll_hi(who.agent, scope, offer, idempotency_key="hi-receipt")
    payment = services.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                      idempotency_key="pay-hi", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    lines = list(enrollment.hi_lines.order_by("rank"))
    assert len(lines) == 2
    client = client_for(who.agent)
    page = client.get(f"/bien-lai/{payment.receipt.pk}/").content.decode()
    text = " ".join(_pdf(client.get(f"/bien-lai/{payment.receipt.pk}/pdf/", {"kho": "58mm"}).content)[0].split())
    for shown in (page, text):
        assert "Người được cấp thẻ BHYT" in shown and "BHYT hộ gia đình" in shown
        for line in lines:
            assert (f"{line.person.full_name} — thẻ từ {line.valid_from:%d/%m/%Y} đến {line.valid_to:%d/%m/%Y}"
                    in shown)


def test_a_sponsored_payment_shows_as_other_support(who: Personas, setup: Any) -> None:
    sponsor = Sponsor.objects.create(name="Công ty Hảo Tâm")
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, household(who).head_id, ON,
                                                                              1_500_000, 1))
    payment = services.record_payment(who.agent, scope, enrollment.pk, amount=66_000, method="bank_transfer",
                                      idempotency_key="s1", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ),
                                      sponsor_id=sponsor.pk)
    [row] = queries.d05_rows(scope, payment.collector_id, ON, ON)
    assert (row["paid"], row["other_support"], row["state_support"], row["local_support"]) == (
        0, 66_000, 165_000, 99_000)


def test_the_d05_list_reads_back_with_the_official_amounts(who: Personas, setup: Any) -> None:
    payment = paid_vsi(who)
    body = exports.d05_xlsx(queries.d05_rows(who.scope(who.agent), payment.collector_id, ON, ON))
    path = Path(__file__).parent / "_d05.xlsx"
    try:
        path.write_bytes(body)
        table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    finally:
        path.unlink()
    header, row = table[0], table[1]
    assert header[:3] == ["Họ và tên", "Mã số BHXH", "Số định danh cá nhân"]
    values = dict(zip(header, row, strict=True))
    assert values["Số tiền phải đóng"] == 330000 and values["Số tiền đã đóng"] == 66000
    assert values["NSNN hỗ trợ"] == 165000 and values["NSĐP hỗ trợ"] == 99000  # NQ 07/2025/NQ-HĐND, poor
    assert values["Số biên lai"] == "BL40-2025-0000001"


def test_the_household_list_has_form_4_columns(who: Personas, setup: Any) -> None:
    scope = who.scope(who.agent)
    found = household(who, poor=False)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, [found.head_id], ON, 12),
                                     "Trạm y tế phường Thành Vinh")
    payment = services.record_payment(who.agent, scope, enrollment.pk, amount=1_263_600, method="cash",
                                      idempotency_key="h", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    [row] = queries.hi_list_rows(scope, payment.collector_id, ON, ON)
    assert (row["base_salary"], row["relationship"], row["amount"], row["months"]) == (2_340_000, "head", 1_263_600, 12)
    assert row["initial_clinic"] == "Trạm y tế phường Thành Vinh"
    assert exports.hi_list_xlsx([row]).startswith(b"PK")


def test_the_due_list_and_lapses(who: Personas, setup: Any) -> None:
    paid_vsi(who)  # August 2025 paid
    scope = who.scope(who.agent)
    assert [i.kind for i in coverage.due_list(scope, date(2025, 8, 20))] == []
    [due] = coverage.due_list(scope, date(2025, 9, 5))
    assert (due.kind, due.due_date, due.amount_now) == ("vsi_due", date(2025, 9, 1), 66_000)  # Nghệ An's top-up
    assert coverage.due_list(scope, date(2025, 10, 5))[0].kind == "vsi_overdue"
    assert coverage.due_list(who.scope(who.manager_elsewhere), date(2025, 9, 5)) == []


def test_the_due_page_exports_its_list_and_refuses_a_bad_number_of_days(who: Personas, setup: Any,
                                                                       tmp_path: Path) -> None:
    paid = paid_vsi(who)  # August 2025: overdue by today
    client = client_for(who.agent)
    path = tmp_path / "due.xlsx"
    path.write_bytes(client.get("/viec-can-lam/", {"xlsx": "1"}).content)
    header, row = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[:2]
    assert header == ["Việc", "Hạn", "Hạn đóng", "Người / hộ", "Cần đóng", "Ghi chú"]
    assert (row[2], row[3]) == (date(2025, 9, 30), paid.enrollment.person.full_name)  # monthly: within September
    refused = client.get("/viec-can-lam/", {"days": "ba mươi"})
    assert refused.status_code == 400 and "từ 1 đến 365" in refused.content.decode()


def test_household_cards_ending_expired_and_lapsed(who: Personas, setup: Any) -> None:
    scope = who.scope(who.agent)
    found = household(who, poor=False)
    enrollment = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, found.pk, [found.head_id], ON, 3))
    services.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                            idempotency_key="h3", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
    end = enrollment.hi_lines.get().valid_to  # 30 days' wait, then 3 months
    kinds = {day: [i.kind for i in coverage.due_list(scope, day)]
             for day in (end - timedelta(days=10), end + timedelta(days=30), end + timedelta(days=95))}
    assert list(kinds.values()) == [["hi_ending"], ["hi_expired"], ["hi_lapsed"]]


def test_reminders_are_written_once_per_period(who: Personas, setup: Any, tmp_path: Path) -> None:
    paid_vsi(who)
    out = tmp_path / "sms.csv"
    scope = who.scope(who.agent)
    assert remind(scope, date(2025, 9, 5), out, dry_run=True) and not out.exists()
    [message] = remind(scope, date(2025, 9, 5), out)
    assert message.phone == "0912345678" and "66.000 đ" in message.text and "01/09/2025" in message.text
    assert list(csv.reader(out.open(encoding="utf-8")))[1][0] == "0912345678"
    assert remind(scope, date(2025, 9, 6), tmp_path / "again.csv") == []


def test_reconciliation_shows_what_an_agent_still_holds(who: Personas, setup: Any) -> None:
    post, agent = setup
    paid_vsi(who)
    scope = who.scope(who.agent)
    services.record_remittance(who.agent, scope, kind="agent_to_collector", collector_id=post.pk, amount=50_000,
                               on=date(2025, 8, 2), idempotency_key="r1", agent_id=agent.pk)
    services.record_remittance(who.agent, scope, kind="agent_to_collector", collector_id=post.pk, amount=50_000,
                               on=date(2025, 8, 2), idempotency_key="r1", agent_id=agent.pk)  # a retry
    rows = {r.day: r for r in queries.reconciliation(scope, date(2025, 8, 1), date(2025, 8, 3))}
    assert (rows[date(2025, 8, 1)].collected, rows[date(2025, 8, 1)].outstanding) == (66_000, 66_000)
    assert (rows[date(2025, 8, 2)].remitted, rows[date(2025, 8, 2)].outstanding) == (50_000, 16_000)
    assert rows[date(2025, 8, 3)].overdue == 16_000 and Remittance.objects.count() == 1


def test_commission_needs_a_configured_rate(who: Personas, setup: Any) -> None:
    _, agent = setup
    paid_vsi(who)
    [line] = queries.commission_statement(who.scope(who.agent), agent, ON)
    assert (line.collected, line.commission) == (66_000, None)  # no rate: asked for, never invented
    CommissionRate.objects.create(scheme="vsi", is_renewal=False, method="cash", rate=Decimal("0.05"),
                                  valid_from=date(2025, 1, 1), source="Hợp đồng mẫu", is_example=True)
    [line] = queries.commission_statement(who.scope(who.agent), agent, ON)
    assert (line.commission, line.example_rate) == (3_300, True)  # 5 % of 66,000


def test_the_api_pays_once_per_idempotency_key(who: Personas, setup: Any) -> None:
    client, token = Client(), issue_token(who.agent, "app")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    head = household(who).head_id
    created = client.post("/api/enrollments/vsi", {"person_id": head, "on": "2025-08-01", "income": 1500000,
                                                   "months": 1}, content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="e1", **auth).json()
    assert created["payable"] == 66000 and created["local_support"] == 99000 and created["support_groups"] == ["poor"]
    body = {"enrollment_id": created["id"], "amount": 66000}
    first = client.post("/api/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1", **auth)
    again = client.post("/api/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1", **auth)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.json()["receipt"]["serial"] == "BL40-2025-0000001" and Receipt.objects.count() == 1
    missing = client.post("/api/payments", body, content_type="application/json", **auth)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_input"
    other = client.post("/api/payments", {**body, "amount": 1}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="a1", **auth)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    due = client.get("/api/due-list?on=2025-09-05", **auth).json()
    assert [(d["kind"], d["deadline"], d["deadline_note"]) for d in due] == [("vsi_due", "2025-09-30", "")]


def test_refused_enrollments_change_nothing(who: Personas, setup: Any) -> None:
    found = household(who, poor=False)
    scope = who.scope(who.agent)
    with pytest.raises(DomainError) as refused:
        enrolling.quote_hi(scope, found.pk, [found.head_id], ON, 2)  # household HI is 3, 6 or 12 months
    assert refused.value.code == "payment_term_invalid"
    with pytest.raises(DomainError) as refused:
        enrolling.quote_vsi(who.scope(who.manager_elsewhere), found.head_id, ON, 1_500_000, 1)  # out of scope
    assert refused.value.code == "not_found"
    assert Enrollment.objects.count() == CalculationRecord.objects.count() == 0


def test_an_era_a_receipt_for_a_poor_household_is_231000(who: Personas, setup: Any) -> None:
    scope, launch_day = who.scope(who.agent), date(2022, 5, 8)
    found = registry.create_household(who.agent, scope, person_data(), date(2020, 1, 1))
    registry.set_poverty_status(who.agent, scope, found.pk, "poor", date(2022, 1, 1), "QĐ 2/QĐ-UBND")
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, found.head_id, launch_day,
                                                                              1_500_000, 1))
    payment = services.record_payment(who.agent, scope, enrollment.pk, amount=231_000, method="cash",
                                      idempotency_key="era-a", paid_at=datetime(2022, 5, 8, 9, tzinfo=TZ))
    assert payment.receipt.amount == 231_000 and payment.receipt.amount_words == "Hai trăm ba mươi mốt nghìn đồng"


def test_the_reminder_command_writes_the_csv_once(who: Personas, setup: Any, tmp_path: Path) -> None:
    paid_vsi(who)
    out = tmp_path / "sms.csv"
    first = CliRunner().invoke(app, ["renewals", "remind", "--on", "2025-09-05", "--out", str(out)])
    assert first.exit_code == 0 and "1 tin nhắn mới" in first.output and out.exists()
    again = CliRunner().invoke(app, ["renewals", "remind", "--on", "2025-09-05", "--out", str(tmp_path / "b.csv")])
    assert "0 tin nhắn mới" in again.output


def test_a_manager_records_a_remittance_on_the_web(who: Personas, setup: Any) -> None:
    post, agent = setup
    client = client_for(who.agent)
    page = client.get("/thu-tien/nop-tien/")
    key = page.context["form"].initial["key"]
    form = {"kind": "agent_to_collector", "collector": str(post.pk), "agent": str(agent.pk), "amount": "165000",
            "on": "2025-08-02", "key": key}
    assert client.post("/thu-tien/nop-tien/", form).status_code == 302
    assert client.post("/thu-tien/nop-tien/", form).status_code == 302  # a double tap
    assert Remittance.objects.count() == 1
    assert "Đối soát" in client.get("/thu-tien/").content.decode()


def test_reconciliation_lists_days_with_money_moving_and_the_last_day(who: Personas, setup: Any) -> None:
    paid_vsi(who)
    days = [r.day for r in queries.reconciliation(who.scope(who.agent), date(2025, 8, 1), date(2025, 8, 31))]
    assert days == [date(2025, 8, 1), date(2025, 8, 31)]
