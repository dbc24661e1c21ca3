"""The 58 mm receipt printed from the browser (issue 13.11): Chromium's print uses the page's own size —
58 mm wide, one page as tall as the receipt (no A5, no blank tail) — and the PDF download has no
justified-text gaps and ends with its content."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import field_setup, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
ON = date(2025, 8, 1)
MM = 25.4 / 72  # a PDF point in mm


def _receipt_id() -> int:
    who = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(), ON)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1))
    payment = paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                    idempotency_key="print-58",
                                    paid_at=datetime(2025, 8, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    return payment.receipt.pk


def _lowest_text_mm(page: Any) -> float:
    ys: list[float] = []
    page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: ys.append(tm[5] * cm[3] + cm[5]) if t.strip() else None)
    return min(ys) * MM


def test_the_browser_prints_the_roll_on_58_mm_as_tall_as_the_receipt(page: Any, live_server: Any) -> None:
    receipt_id = _receipt_id()
    login(page, live_server.url, "agent_x")
    page.goto(f"{live_server.url}/bien-lai/{receipt_id}/?kho=58mm")
    page.wait_for_load_state("load")
    snap(page, "receipt-58mm-screen")
    page.emulate_media(media="print")
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=False)))
    assert len(printed.pages) == 1  # one roll, not A5 sheets
    sheet = printed.pages[0]
    width, height = float(sheet.mediabox.width) * MM, float(sheet.mediabox.height) * MM
    assert abs(width - 58) < 1 and 60 < height < 250
    text = " ".join(sheet.extract_text().split())
    assert "BIÊN LAI THU TIỀN" in text and "Người thu tiền" in text and "Huỷ khoản thu" not in text
    # The page ends with the receipt: little blank below the last printed line (PDF y grows upwards).
    assert _lowest_text_mm(sheet) < 25


def test_the_58_mm_pdf_is_left_aligned_and_ends_with_its_content(page: Any, live_server: Any) -> None:
    receipt_id = _receipt_id()
    login(page, live_server.url, "agent_x")
    response = page.request.get(f"{live_server.url}/bien-lai/{receipt_id}/pdf/?kho=58mm")
    pdf = PdfReader(io.BytesIO(response.body()))
    [sheet] = pdf.pages
    content = sheet.get_contents().get_data()  # type: ignore[union-attr]
    assert b" Tw" not in content  # no word spacing stretched to justify a line
    assert abs(float(sheet.mediabox.width) * MM - 58) < 0.5
    assert _lowest_text_mm(sheet) < 8
