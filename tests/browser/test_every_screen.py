"""Every page of web/urls.py as its user sees it (issue 13): each page, as a persona who may see it
(tests/test_persona_matrix.EXPECTED), at a phone's 390×844 and a laptop's 1366×768, must have no
horizontal overflow, no sum of money broken across lines, no English or raw code visible, no 5xx;
a screenshot of each goes to test-artifacts/sweep-<page>-<width>.png.

Fast by construction: one live server and one browser for the session, the demo loaded once, one
session cookie per persona (force_login, no login form), one browser context per persona and viewport.
A page added to web/urls.py is swept by itself (tests/paths.py enumerates the patterns; its ids come
from the demo world).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.urls import resolve

from tests.browser.conftest import ARTIFACTS
from tests.paths import build_world, page_url, pages, web_client
from tests.test_persona_matrix import EXPECTED, OK

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]

VIEWPORTS = ((390, 844), (1366, 768))
PREFERENCE = ("agent_x", "viewer", "post", "manager_y", "agent_y", "outsider", "anonymous")
ENGLISH = re.compile(r"\b(Key|None|True|False|Django|null|undefined|NaN)\b|\b[a-z]+(?:_[a-z0-9]+)+\b")

# What the page shows: overflow, money split across lines (a Range over each amount has line boxes
# at more than one height), and the visible text outside <code> (parameter names are citations).
INSPECT = r"""() => {
  const doc = document.documentElement;
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const money = /\d{1,3}(?:\.\d{3})*\s?đ(?![\p{L}])/gu;
  let node, text = [];
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest('code, script, style, [hidden], template, [translate=no]')) continue;
    if (!parent.getClientRects().length) continue;  // not displayed
    text.push(node.nodeValue);
    for (const m of node.nodeValue.matchAll(money)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > innerWidth + 1).slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : ''));
  // a label shown for a hidden input (the idempotency key's "Key" above the pay button, issue 13 #2)
  const hiddenLabels = [...document.querySelectorAll('label')].filter(l => l.getClientRects().length
      && ((l.htmlFor && document.getElementById(l.htmlFor)?.type === 'hidden')
          || (l.querySelector('input[type=hidden]') && !l.control)))
    .map(l => (l.htmlFor || '?') + ': ' + l.textContent.trim());
  return {scroll: doc.scrollWidth, inner: innerWidth, broken, text: text.join(' '), wide, hiddenLabels};
}"""


def sweep_targets() -> list[tuple[str, str]]:
    """(page name, persona): the first persona of PREFERENCE the matrix lets see the page."""
    found = []
    for page in pages():
        allowed = EXPECTED.get((page.name, "GET"), {})
        persona = next((p for p in PREFERENCE if allowed.get(p) == OK), None)
        if persona is not None:
            found.append((page.name, persona))
    return found


@pytest.mark.usefixtures("demo")
def test_every_page_fits_phone_and_laptop_in_vietnamese(browser: Any, live_server: Any) -> None:
    started = time.monotonic()
    world = build_world()
    by_name = {page.name: page for page in pages()}
    targets = sweep_targets()
    assert len(targets) >= 30, targets  # the sweep covers the product, not a corner of it
    cookies = {}
    for persona in {persona for _, persona in targets}:
        client = web_client(world, persona)
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        cookies[persona] = cookie.value if cookie else None
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    # what the browser refused or failed to run: a Content-Security-Policy violation (an inline script or
    # handler) or a script error; the one console channel of every tab
    errors: list[str] = []
    for width, height in VIEWPORTS:
        contexts: dict[str, Any] = {}
        for name, persona in targets:
            if persona not in contexts:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                if cookies[persona]:
                    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookies[persona],
                                          "url": live_server.url}])
                contexts[persona] = context.new_page()
                contexts[persona].on("console", lambda message: errors.append(message.text)
                                     if message.type == "error" and "Content Security Policy" in message.text else None)
                contexts[persona].on("pageerror", lambda error: errors.append(f"script error: {error}"))
            tab = contexts[persona]
            url = live_server.url + page_url(by_name[name], world.ids)
            where = f"{name} as {persona} at {width}"
            try:
                response = tab.goto(url, wait_until="load")
            except Exception as error:  # a download (PDF, CSV) is not a screen
                if "Download is starting" in str(error):
                    continue
                raise
            assert response is not None
            if response.status >= 500:
                problems.append(f"{where}: HTTP {response.status}")
                continue
            if "html" not in (response.headers.get("content-type") or ""):
                continue
            seen = tab.evaluate(INSPECT)
            if errors:
                problems.append(f"{where}: {errors[:2]}")
                errors.clear()
            if seen["scroll"] > seen["inner"]:
                problems.append(f"{where}: {seen['scroll']} px wide in {seen['inner']} ({', '.join(seen['wide'])})")
            if seen["broken"]:
                problems.append(f"{where}: money broken across lines {seen['broken'][:3]}")
            if seen["hiddenLabels"]:
                problems.append(f"{where}: a hidden field's label is visible {seen['hiddenLabels'][:3]}")
            text = seen["text"]
            english = sorted({text[max(m.start() - 30, 0):m.end() + 10] for m in ENGLISH.finditer(text)})
            if english:
                problems.append(f"{where}: English or raw codes visible {english[:6]}")
            tab.screenshot(path=str(ARTIFACTS / f"sweep-{name.removeprefix('web:')}-{width}.png"), full_page=True)
        for tab in contexts.values():
            tab.context.close()
    elapsed = time.monotonic() - started
    print(f"swept {len(targets)} pages × {len(VIEWPORTS)} viewports in {elapsed:.0f} s")  # noqa: T201 - the timing
    assert problems == [], "\n".join(problems)


def test_the_inspection_sees_a_label_shown_for_a_hidden_field(page: Any) -> None:
    page.set_content('<body><form method="post"><label for="id_key">Key</label><input type="hidden" id="id_key">'
                     '<label for="id_amount">Số tiền</label><input id="id_amount"></form></body>')
    seen = page.evaluate(INSPECT)
    assert seen["hiddenLabels"] == ["id_key: Key"]
    assert ENGLISH.search(seen["text"])


# What a persona can press: the visible, enabled submit buttons of each POST form, by the form's action.
WRITES = r"""() => [...document.querySelectorAll('form')]
  .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
  .map(f => ({action: new URL(f.getAttribute('action') || location.href, location.href).pathname,
              enabled: [...f.querySelectorAll('button:not([type=button]):not([type=reset]), input[type=submit]')]
                .filter(b => !b.disabled && b.getClientRects().length).map(b => b.textContent.trim() || b.value)}))"""


@pytest.mark.usefixtures("demo")
def test_the_viewer_is_offered_no_write_it_would_be_refused(browser: Any, live_server: Any) -> None:
    """Issue 13 #9: the demo's read-only `xem` sees, on every page it may open, no enabled button of a
    form whose POST the persona matrix refuses the viewer (hidden, or disabled with the reason)."""
    world = build_world()
    client = web_client(world, "viewer")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    tab = context.new_page()
    offered, checked = [], 0
    for page in pages():
        if EXPECTED.get((page.name, "GET"), {}).get("viewer") != OK:
            continue
        try:
            response = tab.goto(live_server.url + page_url(page, world.ids), wait_until="load")
        except Exception as error:  # a download (PDF) is not a screen
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "html" not in (response.headers.get("content-type") or ""):
            continue
        checked += 1
        for form in tab.evaluate(WRITES):
            target = resolve(form["action"])
            name = f"{target.namespace}:{target.url_name}" if target.namespace else target.url_name
            allowed = EXPECTED.get((name, "POST"), {}).get("viewer", OK)
            if allowed != OK and form["enabled"]:
                offered.append(f"{page.name}: {form['enabled']} → {name} ({allowed})")
    context.close()
    assert checked >= 20, checked
    assert offered == [], "\n".join(offered)
