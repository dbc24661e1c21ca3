"""In Chromium (issue 18, "Done when"): a manager builds a visit list for a commune, sees how many
households it takes, assigns it to the campaign's teams, prints a team's sheet (the phone masked),
records the outcomes of three visits, and the campaign's funnel and the commune's coverage rate move."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ansinh.campaigns import analytics
from ansinh.campaigns.models import Visit, VisitAssignment, VisitList
from ansinh.enrollment import coverage
from ansinh.enrollment import services as enrolling
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import COMMUNE_X, commune, field_setup, person_data, personas, running_campaign, user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= innerWidth"
RATE_CELL = """() => [...document.querySelectorAll('#coverage tr')].filter(r => r.innerText.includes('Thành Vinh'))
    .map(r => r.cells[7].innerText)[0]"""


def page_rate(page: Any, base: str) -> str:
    """The commune's rate (registry denominator) on the coverage report (/bao-cao/bao-phu/)."""
    page.goto(f"{base}/bao-cao/bao-phu/?level=commune")
    page.wait_for_selector("#coverage")
    return str(page.evaluate(RATE_CELL))


def rate(area_id: int) -> float:
    """The commune's coverage rate: covered here over the registry's people (enrollment.coverage)."""
    found = coverage.counts([area_id], timezone.localdate())[area_id]
    return found.covered / found.population


def record(page: Any, base: str, slug: str, row: VisitAssignment, outcome: str) -> None:
    page.goto(f"{base}/chien-dich/{slug}/den-ho/{row.pk}/")
    page.check(f"input[name=outcome][value={outcome}]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/chien-dich/{slug}/danh-sach-ho/{row.visit_list_id}/")


def test_a_manager_builds_assigns_and_records_a_visit_list(page: Any, live_server: Any) -> None:
    who = personas()
    field_setup(who)
    made = running_campaign(who)
    slug, base, area = made["campaign"].slug, live_server.url, commune(COMMUNE_X).pk
    user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")
    heads = [
        registry.create_household(
            who.admin,
            scope_for(who.admin),
            person_data(full_name=name, citizen_id=None, phone=f"091234500{i}", address_detail=f"Khối {i + 1}"),
            date(2020, 1, 1),
            address_detail=f"Khối {i + 1}",
        ).head
        for i, name in enumerate(["Lê Văn Một", "Trần Thị Hai", "Phạm Văn Ba"])
    ]
    before_funnel, before_rate = analytics.funnel(made["campaign"]), rate(area)

    login(page, base, "manager_x")
    shown_before = page_rate(page, base)
    page.goto(f"{base}/chien-dich/{slug}/")
    page.click("text=Danh sách hộ cần đến")
    page.select_option("select[name=area]", str(area))
    page.click("text=Xem số hộ")
    assert "3 hộ theo điều kiện đã chọn" in page.inner_text("#visit-preview")
    assert VisitList.objects.count() == 0  # the preview wrote nothing
    page.click("#visit-create")
    page.wait_for_selector("#visit-rows")
    visit_list = VisitList.objects.get()
    assert page.evaluate(NO_SIDEWAYS)
    page.click("#assign-even")
    page.wait_for_selector("text=Đã giao 3 hộ")
    assert set(visit_list.assignments.values_list("team", flat=True)) == {made["team"].pk}
    snap(page, "60-visit-list")

    page.click("a:text-is('Tổ 1')")
    page.wait_for_selector(".visit-sheet")
    sheet = page.inner_text(".visit-sheet")
    assert "Lê Văn Một" in sheet and "0912345000" not in sheet and "BHXH tự nguyện từ" in sheet
    assert page.evaluate(NO_SIDEWAYS)
    snap(page, "61-visit-sheet")

    # in the field, the agent enrols and takes the payment of the first household's head
    scope = scope_for(who.agent)
    term = enrolling.enroll_vsi(
        who.agent, scope, enrolling.quote_vsi(scope, heads[0].pk, timezone.localdate(), 1_500_000, 1)
    )
    paying.record_payment(
        who.agent,
        scope,
        term.pk,
        amount=term.payable,
        method="cash",
        idempotency_key="visit-pay",
        paid_at=timezone.now(),
    )
    rows = {r.household.head_id: r for r in visit_list.assignments.select_related("household")}
    record(page, base, slug, rows[heads[0].pk], "enrolled")
    record(page, base, slug, rows[heads[1].pk], "lead")
    record(page, base, slug, rows[heads[2].pk], "advised")
    assert "Đã tham gia" in page.inner_text("#visit-rows")
    snap(page, "62-visit-outcomes")

    assert Visit.objects.get(outcome="enrolled").enrollment == term
    after = analytics.funnel(made["campaign"])
    assert after["advised"] == before_funnel["advised"] + 3
    assert after["leads"] == before_funnel["leads"] + 2
    assert after["paid"] == before_funnel["paid"] + 1
    assert rate(area) > before_rate
    shown_after = page_rate(page, base)
    assert (shown_before, shown_after) == ("0,0%", "33,3%")  # 1 of the commune's 3 registry people
    snap(page, "63-coverage-after-visits")
    page.goto(f"{base}/chien-dich/{slug}/")  # the workspace's funnel counts the visits
    assert page.inner_text("#funnel-advised") == str(after["advised"])
    assert page.inner_text("#funnel-leads") == str(after["leads"])
    assert page.inner_text("#funnel-paid") == str(after["paid"])
