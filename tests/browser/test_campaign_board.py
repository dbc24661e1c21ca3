"""The seed demo's projector board and workspace in Chromium (issue 13 §1, §4): the board fills
1920×1080 and 1366×768 with no navigation, its 21 sites on one screen, every figure on one line and
on the first paint (without JavaScript too); the workspace names its ranking rule in Vietnamese,
numbers each rank once and says how many agents it shows. Screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.demo.seed_campaign import SEED, SLUG
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]

FITS = r"""() => {
  const doc = document.documentElement;
  const rows = [...document.querySelectorAll('.board-table tbody tr')];
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
    return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.bottom))).size; };
  const figures = [...document.querySelectorAll('.board-tile .figure')];
  return {
    scrollW: doc.scrollWidth, scrollH: doc.scrollHeight, w: innerWidth, h: innerHeight,
    nav: document.querySelectorAll('nav, header.top').length,
    rows: rows.length, lowest: Math.max(...rows.map(r => r.getBoundingClientRect().bottom)),
    multiline: figures.filter(f => lines(f) > 1).map(f => f.innerText),
    clipped: figures.filter(f => f.scrollWidth > f.clientWidth + 1 ||
                                 f.getBoundingClientRect().right > f.parentElement.getBoundingClientRect().right)
                    .map(f => f.innerText),
    amount: document.querySelector('#board-amount').innerText,
    truncated: [...document.querySelectorAll('.board-table th, .board-table td')]
      .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText),
  };
}"""


def _cookie(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.usefixtures("demo")
def test_the_seed_board_fits_the_projector_and_the_workspace_reads_in_vietnamese(browser: Any,
                                                                                  live_server: Any) -> None:
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": _cookie("admin"), "url": live_server.url}
    ARTIFACTS.mkdir(exist_ok=True)
    board = f"{live_server.url}/chien-dich/{SLUG}/ra-quan/"
    for width, height in ((1920, 1080), (1366, 768)):
        for scripts in (True, False):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                          java_script_enabled=scripts)
            context.add_cookies([cookie])
            tab = context.new_page()
            tab.goto(board, wait_until="load")
            # The first paint already has the figures: no "loading" placeholder, no wait for a poll.
            assert tab.inner_text("#board-vsi") == f"{SEED['vsi_new']:,}".replace(",", ".")
            assert tab.inner_text("#board-hi") == f"{SEED['hi_new']:,}".replace(",", ".")
            assert "Đang tải" not in tab.inner_text("body")
            if scripts:
                seen = tab.evaluate(FITS)
                assert seen["nav"] == 0, "the board shows the site's navigation"
                assert seen["rows"] == SEED["sites"]
                assert seen["scrollW"] <= seen["w"] and seen["scrollH"] <= seen["h"], seen
                assert seen["lowest"] <= seen["h"], f"the last site is below the screen at {width}×{height}"
                assert seen["multiline"] == [] and seen["clipped"] == [] and seen["truncated"] == [], seen
                assert seen["amount"].endswith("đ")  # the whole sum, on one line (multiline above)
                tab.screenshot(path=str(ARTIFACTS / f"board-{width}x{height}.png"))
            context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([cookie])
    tab = context.new_page()
    tab.goto(f"{live_server.url}/chien-dich/{SLUG}/", wait_until="load")
    text = tab.inner_text("main")
    assert "share_of_target" not in text and "absolute" not in text
    assert "Thi đua: Số người tham gia mới" in text
    assert "#" not in tab.inner_text("section:has(h2:text-matches('^Thi đua'))")  # the rank is its own column
    assert f"Hiển thị 20 trong số {SEED['sites']} nhân viên thu đứng đầu." in text
    for stage in ("Được tư vấn", "Được ghi nhận", "Đã đăng ký", "Đã đóng tiền", "Trong đó tái tục"):
        assert tab.locator("dl.definitions dt", has_text=stage).count() == 1
    assert tab.inner_text("#funnel-paid") == f"{SEED['vsi_new'] + SEED['hi_new']:,}".replace(",", ".")
    assert "tất cả đều có trong danh sách ghi nhận" in tab.inner_text("#funnel-outside")
    tab.screenshot(path=str(ARTIFACTS / "campaign-workspace-1366.png"), full_page=True)
    context.close()
