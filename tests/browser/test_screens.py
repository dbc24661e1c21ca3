"""In a real browser, the screens as their users see them (issue 13): a date is shown day first
beside its input (#16), the nav is one line and a menu on a phone, a table that names its columns
becomes cards on a phone and never covers the button below it (#3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.registry.models import Person
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import field_setup, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
# a button whose centre is covered by something else (a table scrolled over it, a card on top)
COVERED = """() => [...document.querySelectorAll('main button')].filter(b => {
  const r = b.getBoundingClientRect();
  if (!r.width) return false;
  b.scrollIntoView({block: 'center'});
  const s = b.getBoundingClientRect();
  const hit = document.elementFromPoint(s.left + s.width / 2, s.top + s.height / 2);
  return !(hit && (hit === b || b.contains(hit)));
}).map(b => b.textContent.trim())"""


def tab(browser: Any, viewport: dict[str, int], as_user: str | None = None, base: str = "") -> Any:
    context = browser.new_context(viewport=viewport, locale="en-US")  # the worst case: mm/dd/yyyy
    if as_user:  # a session of the demo's user, without its login form
        client = Client()
        client.force_login(get_user_model().objects.get(username=as_user))
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context.new_page()


def test_a_chosen_date_is_written_day_first_beside_its_input(browser: Any, live_server: Any) -> None:
    page = tab(browser, PHONE)
    page.goto(f"{live_server.url}/")
    assert page.get_attribute("html", "lang") == "vi"
    page.fill("#id_hi-on", "2025-08-05")
    assert page.inner_text("#id_hi-on-vi") == "Ngày đã chọn: 05/08/2025"  # 5 August, never 8 May
    page.fill("#id_hi-on", "2025-05-08")
    assert page.inner_text("#id_hi-on-vi") == "Ngày đã chọn: 08/05/2025"
    dates = page.eval_on_selector_all('input[type="date"]', "els => els.map(e => e.nextElementSibling?.className)")
    assert dates and set(dates) == {"date-vi"}, dates  # every date input of the page, not one
    snap(page, "screens-date-day-first")
    page.context.close()


def test_on_a_phone_the_nav_is_one_line_and_opens_as_a_menu(browser: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    page = tab(browser, PHONE)
    login(page, live_server.url, "agent_x")
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] < 64, header  # one line, not four
    assert not page.is_visible("header nav a[href='/thu-tien/']")
    page.click("label.menu-button")
    assert page.is_visible("header nav a[href='/thu-tien/']")
    snap(page, "screens-phone-menu-open")
    page.click("header nav a[href='/thu-tien/']")
    page.wait_for_url(f"{live_server.url}/thu-tien/")
    page.context.close()
    desk = tab(browser, LAPTOP)
    login(desk, live_server.url, "agent_x")
    assert desk.is_visible("header nav a[href='/thu-tien/']") and not desk.is_visible("label.menu-button")
    desk.context.close()


@pytest.mark.usefixtures("demo")
def test_on_a_phone_the_hi_quote_is_cards_and_leaves_the_confirm_button_free(browser: Any, live_server: Any) -> None:
    household = Person.objects.get(citizen_id="040078001234").headed_households.get()
    page = tab(browser, PHONE, "daily", live_server.url)
    page.goto(f"{live_server.url}/ho/{household.pk}/bhyt/")
    page.fill("#id_on", "2025-08-01")
    for box in page.query_selector_all("input[name=members]"):
        box.check()
    page.click("button[name=quote]")
    page.wait_for_selector("button[name=confirm]")
    table = page.locator(".result table")
    assert "stack" in (table.get_attribute("class") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cell = page.locator(".result table tr:nth-child(2) td").first
    assert cell.get_attribute("data-label") == "Thành viên, nhóm"  # each card says what each figure is
    assert page.evaluate(COVERED) == []
    table_box, button_box = table.bounding_box(), page.locator("button[name=confirm]").bounding_box()
    assert table_box and button_box and table_box["y"] + table_box["height"] <= button_box["y"]
    snap(page, "screens-phone-hi-quote")
    page.context.close()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("path", ["/thu-tien/", "/bao-cao/", "/tu-van/"])
def test_on_a_phone_the_wide_tables_are_cards(browser: Any, live_server: Any, path: str) -> None:
    page = tab(browser, PHONE, "daily", live_server.url)
    page.goto(f"{live_server.url}{path}")
    seen = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
      wide: [...document.querySelectorAll('main table')].filter(t => t.scrollWidth > t.clientWidth + 1
        || t.getBoundingClientRect().right > innerWidth).length})""")
    assert seen == {"scroll": 390, "wide": 0}, seen  # no table wider than the phone, scrolled or not
    assert page.evaluate(COVERED) == []
    snap(page, f"screens-phone-{path.strip('/')}")
    page.context.close()


@pytest.mark.usefixtures("demo")
def test_the_admin_reads_in_vietnamese_in_the_browser(browser: Any, live_server: Any) -> None:
    """Issue 13 #10, as the demo's administrator sees it: the site's own title, Vietnamese section and
    model names, a commission rate as a percentage (screenshots admin-*.png in test-artifacts/)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    text = page.inner_text("body")
    assert "ansinh — quản trị" in text and "Django" not in text and "Axes" not in text
    assert "Change" not in text and "Recent actions" not in text and "Groups" not in text
    assert "Tỷ lệ hoa hồng" in text or "tỷ lệ hoa hồng" in text.lower()
    snap(page, "admin-index-1366")
    page.goto(f"{live_server.url}/admin/payments/commissionrate/")
    assert "%" in page.inner_text("#result_list") and "0,0500" not in page.inner_text("#result_list")
    assert "Hiện số lượng" in page.inner_text("body") and "Show counts" not in page.inner_text("body")
    snap(page, "admin-commission-rates-1366")
    context.close()
