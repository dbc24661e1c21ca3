"""In a real browser (issue 15): an English browser still gets Vietnamese; the switch in the header turns
the interface to English (a POST with its CSRF token, no script) and back, and the choice stays while
one goes on to another page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import snap

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]


def test_switch_to_english_and_back(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tham-so/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("header nav")).to_contain_text("Tính mức đóng")

        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert page.url == f"{live_server.url}/tham-so/"  # back on the page where the switch was used
        expect(page.locator("header nav")).to_contain_text("Contributions")
        expect(page.locator("h1")).to_have_text("Legal parameters")
        snap(page, "language-english")

        page.get_by_role("link", name="Advice").click()  # the choice is kept (cookie) on the next page
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("header nav")).not_to_contain_text("Tư vấn")

        page.locator('header button[name="language"][value="vi"]').click()  # "Tiếng Việt" (Django's spelling)
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("header nav")).to_contain_text("Tư vấn")
    finally:
        context.close()
