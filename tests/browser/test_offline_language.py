"""The offline app in Chromium speaks the page's language (issue 15): with the switch's cookie on English, the shell
and the text its scripts write (i18n.js, from the catalogue the page carries) are English, and stay so offline,
from the service worker's cache; without it, Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def opened(browser: Any, base: str, language: str | None) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    if language:
        context.add_cookies([{"name": "ansinh_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/ung-dung/")
    page.wait_for_selector("body[data-ready='1']")
    return context, page


def refused_pin(page: Any) -> str:
    page.fill("#pin", "12")
    page.evaluate("document.getElementById('pin').removeAttribute('minlength')")
    page.click("#unlock-form button[type=submit]")
    page.wait_for_function("document.getElementById('unlock-error').textContent !== ''")
    return str(page.inner_text("#unlock-error"))


def test_in_english_the_scripts_write_english_online_and_offline(browser: Any, live_server: Any) -> None:
    context, page = opened(browser, live_server.url, "en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#st-online") == "Online"  # written by app.js
    assert page.inner_text("label[for=pin]") == "PIN"  # the template
    assert refused_pin(page) == "The PIN has at least 6 digits."  # store.js
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("#st-online") == "No network — working offline"
    context.close()


def test_without_the_cookie_the_app_is_vietnamese(browser: Any, live_server: Any) -> None:
    context, page = opened(browser, live_server.url, None)
    assert page.get_attribute("html", "lang") == "vi"
    assert page.inner_text("#st-online") == "Có mạng"
    assert refused_pin(page) == "Mã PIN gồm ít nhất 6 chữ số."
    context.close()
