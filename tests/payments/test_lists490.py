"""D05-TS and D03-TS in the QĐ 490/QĐ-BHXH layout (issue 20): the demo's lists for the seed day
08/05/2022 and for a post-07/2025 period, read back cell by cell with python-calamine, and the PDF's
text with pypdf. Expected figures come from the database (the payments of the day), never typed in."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from ansinh.enrollment.models import Scheme
from ansinh.org.models import OrgUnit
from ansinh.org.scope import scope_for
from ansinh.payments import lists490
from ansinh.payments import services as paying
from ansinh.payments.models import Payment

pytestmark = pytest.mark.django_db
SEED = date(2022, 5, 8)
AFTER = (date(2025, 8, 1), date(2025, 8, 31))
QD490 = "(Ban hành kèm theo QĐ 490/QĐ-BHXH ngày 28/3/2023)"
QD505 = "(Ban hành kèm theo QĐ 505/QĐ-BHXH ngày 27/3/2020)"  # in force on the seed day


def cells(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def find(table: list[list[Any]], text: str, column: int | None = None) -> int:
    return next(i for i, row in enumerate(table) if (row[column] == text if column is not None else text in row))


def user(name: str) -> Any:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username=name)


def paid(scheme: str, start: date, end: date) -> Any:
    return Payment.objects.filter(collector__code="BD40", enrollment__scheme=scheme, paid_at__date__gte=start,
                                  paid_at__date__lte=end)


def check_layout(table: list[list[Any]], form: str, title: str, codes: list[str], decision: str = QD490) -> int:
    """The header block, form code, title, number line and the code row; returns the code row's index."""
    post = OrgUnit.objects.get(code="BD40")
    assert table[0][0] == f"Tên đơn vị/Điểm thu: {post.name}"
    assert table[1][0] == f"Mã đơn vị/Điểm thu: {post.code}"
    assert table[2][0] == f"MS thuế: {post.tax_code}" and post.tax_code
    assert table[3][0] == f"Địa chỉ: {post.address}" and table[4][0] == f"Điện thoại: {post.phone}"
    assert table[5][0] == f"Email: {post.email}"
    assert form in table[0] and decision in table[1]
    assert table[find(table, title, 0)][0] == title
    code_row = next(i for i, row in enumerate(table) if row[:3] == codes[:3])
    assert table[code_row][:len(codes)] == codes
    return code_row


def test_the_seed_day_d05_ts_is_on_the_form(demo_data: None) -> None:
    scope = scope_for(user("buudien"))
    post = OrgUnit.objects.get(code="BD40")
    table = cells(lists490.render("d05", scope, post, SEED, SEED))
    codes = ["A", "B", "C"] + [str(i) for i in range(1, 18)]
    code_row = check_layout(table, "Mẫu D05-TS", "DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM XÃ HỘI TỰ NGUYỆN", codes,
                            QD505)
    heading, sub = table[code_row - 2], table[code_row - 1]
    assert heading[1] == "Họ và tên" and heading[8] == "Phương thức đóng" and heading[10] == "Số tiền đóng"
    assert (heading[12], heading[14], heading[16]) == ("NSNN hỗ trợ", "NSĐP hỗ trợ thêm", "Hỗ trợ khác")
    assert sub[8:12] == ["Số tháng đóng", "Từ tháng/năm", "Số tiền phải đóng theo quy định", "Người tham gia đóng"]
    assert heading[18] == "Mã số nhân viên thu" and heading[19] == "Ghi chú"
    day = paid(Scheme.VSI, SEED, SEED)
    assert table[code_row + 1][:2] == ["I", "Tăng"]
    plus = find(table, "Cộng tăng", 1)
    rows = table[code_row + 2:plus]
    assert len(rows) == day.count() > 1000
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    agents = set(day.values_list("agent__code", flat=True))
    assert {r[18] for r in rows} == agents and "BD40" not in agents
    assert {r[19] for r in rows} <= set(lists490.KIND_NOTE.values())
    assert table[plus][11] == sum(p.amount for p in day) == sum(r[11] for r in rows)
    assert table[plus][10] == sum(p.enrollment.gross for p in day.select_related("enrollment"))
    assert table[plus][13] == sum(r[13] for r in rows) > 0
    assert {r[12] for r in rows} <= {10, 25, 30}  # Era A tiers of 22% × rural poverty line
    assert table[plus + 1][:2] == ["II", "Giảm"] and table[plus + 2][1] == "Cộng giảm"
    total = table[plus + 3]
    assert total[1] == "Tổng cộng" and total[11] == table[plus][11] + table[plus + 2][11]
    footer = [r[0] for r in table[plus + 4:] if r[0]]
    assert footer[0] == f"Tổng số sổ BHXH đề nghị cấp: {sum(r[19].startswith('TM') for r in rows):,}".replace(
        ",", ".") + " sổ."
    assert any("THỦ TRƯỞNG ĐƠN VỊ" in r for r in table) and any("(Ký, ghi rõ họ tên, đóng dấu)" in r for r in table)
    assert any(isinstance(c, str) and c.endswith("ngày 08 tháng 05 năm 2022") for r in table for c in r)


def test_the_seed_day_d03_ts_is_on_the_form(demo_data: None) -> None:
    scope = scope_for(user("buudien"))
    post = OrgUnit.objects.get(code="BD40")
    table = cells(lists490.render("d03", scope, post, SEED, SEED))
    codes = ["A", "B"] + [str(i) for i in range(1, 16)]
    code_row = check_layout(table, "Mẫu D03-TS", "DANH SÁCH NGƯỜI CHỈ THAM GIA BẢO HIỂM Y TẾ", codes, QD505)
    assert any("Đối tượng tham gia: Hộ gia đình; Mã đối tượng: GD" in r for r in table)
    assert any("Lương cơ sở: 1.490.000 đồng" in str(c) for r in table for c in r)
    heading, sub = table[code_row - 2], table[code_row - 1]
    assert heading[11] == "Hỗ trợ thêm" and sub[11:13] == ["NSĐP", "Khác"]
    assert heading[13] == "Thời gian tham gia" and sub[13:15] == ["Từ ngày", "Số tháng"]
    plus = find(table, "Cộng tăng", 1)
    rows = table[code_row + 2:plus]
    day = paid(Scheme.HOUSEHOLD_HI, SEED, SEED)
    assert len(rows) == sum(p.enrollment.hi_lines.count() for p in day.select_related("enrollment")) > 2000
    assert table[plus][10] == sum(p.amount for p in day) == sum(r[10] for r in rows)
    assert {r[15] for r in rows} == set(day.values_list("agent__code", flat=True))
    footer = next(r[0] for r in table[plus:] if str(r[0]).startswith("Tổng số thẻ BHYT đề nghị cấp"))
    assert footer == f"Tổng số thẻ BHYT đề nghị cấp: {len(rows):,} thẻ.".replace(",", ".")


def test_a_post_2025_period_has_the_reversal_under_giam_and_masks_for_a_viewer(demo_data: None) -> None:
    manager = user("buudien")
    scope = scope_for(manager)
    post = OrgUnit.objects.get(code="BD40")
    payment = paid(Scheme.VSI, *AFTER).get()
    paying.reverse_payment(manager, scope, payment.pk, "Thu nhầm", "papers-reverse",
                           datetime(2025, 8, 2, 9, 0, tzinfo=payment.paid_at.tzinfo))
    table = cells(lists490.render("d05", scope, post, *AFTER))
    plus, minus = find(table, "Cộng tăng", 1), find(table, "Cộng giảm", 1)
    assert table[plus - 1][0] == 1 and table[plus][11] == payment.amount
    assert table[minus - 1][0] == 1 and table[minus - 1][19].startswith("GH")
    assert table[minus][11] == -payment.amount and table[minus + 1][11] == 0
    e = payment.enrollment
    row = table[plus - 1]
    assert (row[12], row[13], row[14], row[15]) == (
        e.calculation.result.get("support_rate", row[12]), e.state_support, row[14], e.local_support)
    assert row[13] == e.state_support and row[12] in {20, 30, 40, 50}
    viewer = scope_for(user("xem"))
    masked = cells(lists490.render("d05", viewer, post, *AFTER))
    cid = e.person.citizen_id
    assert cid and cid not in {c for r in masked for c in r} and cid in {c for r in table for c in r}


def test_the_pdf_is_a4_landscape_with_the_form_text(demo_data: None) -> None:
    scope = scope_for(user("buudien"))
    post = OrgUnit.objects.get(code="BD40")
    for form, words in (("d05", ["Mẫu D05-TS", "DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM XÃ HỘI TỰ NGUYỆN"]),
                        ("d03", ["Mẫu D03-TS", "Tổng số thẻ BHYT đề nghị cấp"])):
        reader = PdfReader(BytesIO(lists490.render(form, scope, post, *AFTER, medium="pdf")))
        box = reader.pages[0].mediabox
        assert float(box.width) > float(box.height)
        text = "\n".join(page.extract_text() for page in reader.pages)
        for word in [*words, "Cộng tăng", "Cộng giảm", "Tổng cộng", "THỦ TRƯỞNG ĐƠN VỊ", post.tax_code]:
            assert word in text, word


def test_the_money_page_export_writes_the_forms_and_audits_them(demo_data: None, settings: Any,
                                                                 tmp_path: Any) -> None:
    from ansinh.registry.models import AuditEntry
    from ansinh.reports import jobs
    settings.MEDIA_ROOT = tmp_path
    manager = user("buudien")
    post = OrgUnit.objects.get(code="BD40")
    params = {"start": AFTER[0].isoformat(), "end": AFTER[1].isoformat(), "collector": post.pk}
    before = AuditEntry.objects.count()
    job = jobs.start(manager, "d05ts", params, background=False)
    table = CalamineWorkbook.from_path(str(jobs.file_of(job))).get_sheet_by_index(0).to_python()
    assert job.total == job.done == paid(Scheme.VSI, *AFTER).count() and "Cộng tăng" in [r[1] for r in table]
    pdf = jobs.start(manager, "d03ts-pdf", params, background=False)
    assert jobs.file_of(pdf).suffix == ".pdf" and "Mẫu D03-TS" in PdfReader(str(jobs.file_of(pdf))).pages[0] \
        .extract_text()
    assert AuditEntry.objects.count() == before + 2


def test_the_efiling_job_writes_a_zip(demo_data: None, settings: Any, tmp_path: Any) -> None:
    import zipfile

    from ansinh.reports import jobs
    settings.MEDIA_ROOT = tmp_path
    post = OrgUnit.objects.get(code="BD40")
    params = {"start": AFTER[0].isoformat(), "end": AFTER[1].isoformat(), "collector": post.pk}
    job = jobs.start(user("buudien"), "efiling", params, background=False)
    assert "hoso.xml" in zipfile.ZipFile(jobs.file_of(job)).namelist() and jobs.file_of(job).suffix == ".zip"
