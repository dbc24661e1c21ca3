"""In a real browser, the province's viewer asks "if everyone joined" of a registry too large to price in a
request (issue 18): the page offers the calculation in the background, the progress bar moves as the queue's
job prices the communes, and the page ends with the province's totals and the table to download."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.jobs import worker
from ansinh.reports import whatif_gap
from ansinh.reports.models import ExportJob
from tests.browser.conftest import snap

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]


@pytest.mark.usefixtures("demo")
def test_if_everyone_joined_is_priced_in_the_background_with_a_progress_bar(
        browser: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(whatif_gap, "INLINE_PEOPLE", 0)  # the demo's registry, taken as a province's
    client = Client()
    client.force_login(get_user_model().objects.get(username="xem"))
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/bao-cao/phuong-an/")
        page.check("input[name=mode][value=everyone]")
        page.fill("#id_vsi_min_age", "15")
        page.fill("#id_local_near_poor", "40")
        page.click("#whatif-form button[type=submit]")
        page.wait_for_selector("#whatif-background")
        assert not ExportJob.objects.exists()
        page.click("#whatif-start")
        page.wait_for_selector("#export-progress progress")
        job = ExportJob.objects.get()
        assert f"Đang tính: 0 / {job.total} xã, phường" in page.inner_text("#export-progress")
        assert worker.drain() == 1  # the job the page enqueued, run as `ansinh worker` runs it
        page.wait_for_selector("#export-download", timeout=15_000)  # shown by htmx when the job is done
        shown = page.inner_text("#export-progress")
        assert f"Đã tính xong {job.total} xã, phường" in shown and "Toàn tỉnh: NSNN " in shown
        assert "Tỉnh hỗ trợ thêm — hộ cận nghèo (%): 25 → 40" in shown  # the change priced, and no other
        assert "Lương cơ sở" not in shown  # an untouched box is no change (a filled-in base salary of 01/01 was)
        assert page.is_visible("#export-pdf")  # the page as PDF too, from what the job kept
        snap(page, "18-whatif-background-done")
        with page.expect_download() as download:
            page.click("#export-download")
        assert download.value.suggested_filename.endswith(".xlsx")
    finally:
        context.close()
