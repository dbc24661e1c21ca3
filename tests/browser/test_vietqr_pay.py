"""The VietQR code of the pay screen (issue 17 §2), read as a banking app reads it: Chromium renders the
page, the code is cut from a screenshot and decoded by zbar (Debian's libzbar0, through pyzbar); the
payload parsed back asks for the collector's account, the exact amount and the enrolment's reference."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.references import enrollment_ids_in, reference_for
from ansinh.lib.vietqr import Transfer, parse
from ansinh.payments.models import CollectorAccount
from ansinh.registry import services as registry
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import field_setup, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
ON = date(2025, 8, 1)


def test_the_pay_screen_shows_a_vietqr_a_scanner_reads_as_the_exact_transfer(page: Any, live_server: Any) -> None:
    who = personas()
    post, _ = field_setup(who)
    CollectorAccount.objects.create(collector=post, bank_bin="970405", account_number="3600205123456",
                                    account_name="BUU DIEN TINH NGHE AN")
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(), ON)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1))
    login(page, live_server.url, "agent_x")
    page.goto(f"{live_server.url}/thu-tien/{enrollment.pk}/")
    code = page.locator("#vietqr svg")
    code.wait_for()
    snap(page, "pay-vietqr")
    image = Image.open(io.BytesIO(code.screenshot())).convert("L")
    (symbol,) = decode(image, symbols=[ZBarSymbol.QRCODE])
    transfer = parse(symbol.data.decode("ascii"))
    assert transfer == Transfer("970405", "3600205123456", enrollment.payable, reference_for(enrollment.pk))
    assert enrollment_ids_in(transfer.purpose) == [enrollment.pk]  # the statement matcher finds it again
    assert page.inner_text("#vietqr-reference") == reference_for(enrollment.pk)
