"""In a real browser: an agent registers a household, enrols, pays and opens the receipt; the board
updates after a new payment; a person outside the scope gets no data; the flow works by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.payments.models import Receipt
from ansinh.registry import services
from tests.browser.conftest import snap
from tests.builders import PASSWORD, field_setup, person_data, personas, running_campaign

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/tim-kiem/")


def test_an_agent_registers_enrols_pays_and_prints_the_receipt(page: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    base = live_server.url
    login(page, base, "agent_x")
    snap(page, "01-search")
    page.click("text=+ Đăng ký hộ gia đình mới")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_date_of_birth", "1985-03-02")
    page.select_option("#id_sex", "male")
    page.fill("#id_citizen_id", "040085000123")
    page.fill("#id_phone", "0912345678")
    page.fill("#id_address_detail", "Khối 5")
    page.fill("#id_joined", "2025-08-01")
    snap(page, "02-register")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Chủ hộ")
    snap(page, "03-household")
    page.click("text=Nguyễn Văn An")
    page.click("text=Tính và thu BHXH tự nguyện")
    page.fill("#id_on", "2025-08-01")
    page.fill("#id_income", "1500000")
    page.fill("#id_months", "1")
    page.click("button[name=quote]")
    # Era B, no support group: 330,000 − 66,000 (state) − 16,500 (Nghệ An)
    assert page.inner_text("#payable") == "247.500 đ"
    snap(page, "04-quote")
    page.click("button[name=confirm]")
    assert "247.500 đ" in page.inner_text("#due")
    snap(page, "05-pay")
    page.click("main button[type=submit]")
    page.wait_for_selector(".receipt")
    text = page.inner_text(".receipt")
    receipt = Receipt.objects.get()
    assert "Hai trăm bốn mươi bảy nghìn năm trăm đồng" in text and "Mẫu số C45-BB" in text
    assert receipt.pool.series in text and f"{receipt.number:07d}" in text  # book and number, apart
    snap(page, "06-receipt")


def test_the_keyboard_alone_completes_a_quote(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.focus("#id_hi-on")
    page.keyboard.type("08082024")  # 08/08/2024 whichever order the browser uses for day and month
    page.focus("#id_hi-members")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # submits the form it belongs to
    page.wait_for_selector("#hi-total")
    assert page.inner_text("#hi-total") == "2.148.120 đ"
    snap(page, "07-keyboard-quote")


def test_someone_outside_the_scope_sees_no_data(page: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    services.create_person(who.agent, who.scope(who.agent), person_data())
    login(page, live_server.url, "manager_y")
    page.fill("#id_q", "nguyen van an")
    page.press("#id_q", "Enter")
    page.wait_for_selector("text=Không tìm thấy")
    snap(page, "08-out-of-scope")


def test_the_launch_day_board_updates_by_itself_after_a_payment(page: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    running_campaign(who)
    login(page, live_server.url, "agent_x")
    page.goto(f"{live_server.url}/chien-dich/thang-5/ra-quan/")
    page.wait_for_selector("#board-vsi")
    assert page.inner_text("#board-vsi") == "0"
    scope = who.scope(who.agent)
    person = services.create_person(who.agent, scope, person_data(citizen_id=None, phone=""))
    today = timezone.localdate()
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, today, 2_200_000, 1))
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="board-browser", paid_at=timezone.now())
    # No reload: htmx polls every 10 seconds.
    # polled by the locator, not by a string evaluated in the page: the page's CSP forbids eval
    expect(page.locator("#board-vsi")).to_have_text("1", timeout=15_000)
    snap(page, "09-board-after-payment")
