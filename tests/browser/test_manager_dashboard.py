"""In a real browser, on a desktop screen: a manager's dashboard shows what the database holds —
the facts kept current by the payments themselves, no refresh run — down to the agent; every
input of the dashboards has a label."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.jobs import worker
from ansinh.lib.money import format_number, format_vnd
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import field_setup, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
    .filter(el => !el.labels?.length && !el.getAttribute('aria-label')).map(el => el.name)"""


def test_the_managers_dashboard_equals_the_database(browser: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    today = timezone.localdate()
    for i, income in enumerate((1_500_000, 2_200_000, 3_000_000)):
        person = services.create_person(who.agent, scope, person_data(full_name=f"Người {i}", citizen_id=None,
                                                                      phone=""))
        enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, today, income, 1))
        paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=f"dash-{i}", paid_at=timezone.now())
    new_vsi = Enrollment.objects.filter(status=EnrollmentStatus.PAID, is_renewal=False).count()
    collected = Payment.objects.aggregate(total=Sum("amount"))["total"]

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server.url, "admin_xy")
    page.click("nav >> text=Tổng hợp")
    page.wait_for_selector("#overview-vsi")
    assert page.inner_text("#overview-vsi") == format_number(new_vsi) == "3"
    assert page.inner_text("#overview-amount") == format_vnd(collected)
    assert page.evaluate(UNLABELLED) == []
    snap(page, "10-dashboard-overview")
    page.click("#drill >> text=Phường Thành Vinh")
    page.wait_for_selector("text=(không ghi)")  # collection points: none named by these payments
    page.click("#drill >> text=(không ghi)")
    page.wait_for_selector("#drill >> text=Đại lý X")
    row = page.inner_text("#drill tr:has-text('Đại lý X')")
    assert format_vnd(collected) in row and "\t3\t" in row
    snap(page, "11-dashboard-agent")
    page.click("nav.tabs >> text=Xếp hạng nhân viên thu")
    page.wait_for_selector("#leaderboard >> text=Đại lý X")
    assert page.evaluate(UNLABELLED) == []
    snap(page, "12-leaderboard")
    page.click("nav.tabs >> text=Tái tục, gián đoạn")
    page.wait_for_selector("#lapses")
    snap(page, "13-renewals")
    context.close()


def test_a_large_list_exports_in_the_background_with_a_progress_bar(page: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    today = timezone.localdate()
    for i in range(3):
        person = services.create_person(who.agent, scope, person_data(full_name=f"Người {i}", citizen_id=None,
                                                                      phone=""))
        enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, today, 1_500_000, 1))
        paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=f"list-{i}", paid_at=timezone.now())
    login(page, live_server.url, "agent_x")
    page.goto(f"{live_server.url}/thu-tien/")
    page.click("button[value=d05]")
    page.wait_for_selector("#export-progress")
    assert worker.drain() == 1  # the job the page enqueued, run as `ansinh worker` runs it
    page.wait_for_selector("#export-download", timeout=15_000)  # written by the job, shown by htmx
    assert "Đã xuất xong 3 dòng" in page.inner_text("#export-progress")
    snap(page, "14-export-done")
    with page.expect_download() as download:
        page.click("#export-download")
    assert download.value.suggested_filename.endswith(".xlsx")
