"""The citizen's page end to end in Chromium (issue 17 §5 "Done when"): a citizen with no account types
the citizen ID and the date of birth, the one-time code reaches the phone on record through the gateway
(read back from the file gateway, as the phone would show it), and the page shows the coverage with a
VietQR for the next term that zbar reads as the exact transfer; "Thoát" ends it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from ansinh.enrollment.references import reference_for
from ansinh.lib.vietqr import Transfer, parse
from tests.browser.conftest import snap
from tests.builders import personas
from tests.web.test_citizen_page import BORN, CID, citizen_with_terms, last_code, outbox  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]


def test_a_citizen_reads_the_code_sent_to_the_phone_and_sees_the_coverage_and_the_qr(
        page: Any, live_server: Any, outbox: Any) -> None:  # noqa: F811
    _, pending = citizen_with_terms(personas())
    page.goto(f"{live_server.url}/tra-cuu/")
    page.fill("input[name=citizen_id]", CID)
    page.fill("input[name=born]", BORN.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tra-cuu/ma/")
    assert [m["phone"] for m in outbox.sent()] == ["0912345678"]
    page.fill("input[name=code]", last_code(outbox))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tra-cuu/cua-toi/")
    assert "Nguyễn Văn An" in page.inner_text("main")
    code = page.locator("#vietqr-1 svg")
    code.wait_for()
    snap(page, "citizen-page")
    (symbol,) = decode(Image.open(io.BytesIO(code.screenshot())).convert("L"), symbols=[ZBarSymbol.QRCODE])
    assert parse(symbol.data.decode("ascii")) == Transfer("970449", "0123456789", pending.payable,
                                                          reference_for(pending.pk))
    page.click("form[action='/tra-cuu/thoat/'] button[type=submit]")
    page.goto(f"{live_server.url}/tra-cuu/cua-toi/")
    assert "/tra-cuu/cua-toi/" not in page.url  # the session is over: back to the start
