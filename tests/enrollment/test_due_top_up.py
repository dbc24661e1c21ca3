"""The due list's amount now carries the provincial top-up exactly as the quote does (issue 19 §1),
and says so when the province's top-up is not configured."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from tests.builders import Personas
from tests.enrollment.builders import client_for, pay, poor_household, vsi

pytestmark = pytest.mark.django_db
SEPTEMBER = date(2025, 9, 5)


def _paid_august(who: Personas) -> int:
    head = poor_household(who).head_id
    pay(who, vsi(who, head, "a", months=1), "p")  # August 2025: 330,000 − 165,000 − Nghệ An 99,000
    return head  # type: ignore[return-value]


def test_a_nghe_an_poor_member_is_due_the_quotes_payable_with_the_top_up(who: Personas) -> None:
    head = _paid_august(who)
    scope = who.scope(who.agent)
    [due] = coverage.due_list(scope, SEPTEMBER)
    offer = enrolling.quote_vsi(scope, head, SEPTEMBER, 1_500_000, 1)
    assert offer.quote.local_support == 99_000 and offer.quote.payable == 66_000
    assert (due.kind, due.amount_now, due.note) == ("vsi_due", offer.quote.payable, "")
    page = client_for(who.agent).get("/viec-can-lam/")
    assert page.status_code == 200 and "66.000" in page.content.decode()


def test_a_top_up_not_configured_is_left_out_and_the_due_line_says_so(who: Personas,
                                                                      unpublished_top_up: str) -> None:
    head = _paid_august(who)
    scope = who.scope(who.agent)
    [due] = coverage.due_list(scope, SEPTEMBER)
    assert (due.amount_now, due.note) == (165_000, unpublished_top_up)
    assert enrolling.quote_vsi(scope, head, SEPTEMBER, 1_500_000, 1).quote.payable == 165_000
    body = client_for(who.agent).get("/viec-can-lam/").content.decode()
    assert "165.000" in body and unpublished_top_up in body
