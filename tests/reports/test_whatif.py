"""Issue 18, what-if for the province: NQ 07/2025/NQ-HĐND's near-poor top-up raised from 25 % to 40 % on the
demo, checked against figures computed by hand; an empty overlay changes nothing and gives the scalar rules'
amounts."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.org.scope import scope_for
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import whatif
from ansinh.rules import household_hi, vsi
from ansinh.rules.params import default_parameters, overlaid
from tests.builders import COMMUNE_X, commune, person_data
from tests.test_cli import run

pytestmark = pytest.mark.django_db
ON = date(2025, 9, 15)  # a day of Era B with no demo term: the small case is alone in the period
AT = datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

NQ07_NEAR_POOR_40 = """description: Phương án — hỗ trợ thêm hộ cận nghèo 40%
unit: rate
values:
  2025-07-01:
    value: {poor: 0.30, near_poor: 0.40, other: 0.05}
    reference: {title: "Phương án sửa Nghị quyết 07/2025/NQ-HĐND (thử)"}
  2031-01-01:
    value: null
    reference: {title: "Nghị quyết 07/2025/NQ-HĐND tỉnh Nghệ An: hết thời gian áp dụng 31/12/2030"}
"""


def _overlay(root: Path, text: str | None) -> Path:
    if text is not None:
        (root / "local_support").mkdir(parents=True)
        (root / "local_support" / "40.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def small_case(demo_data: None) -> dict[str, int]:
    """On 15/09/2025 the demo agent sells, in Phường Thành Vinh: a year of voluntary SI at 1,500,000 to
    the head of a near-poor household, and a year of household HI to a plain household of two."""
    agent = get_user_model().objects.get(username="daily")
    scope = scope_for(agent)
    near_poor = registry.create_household(agent, scope, person_data(citizen_id="040085777001"), date(2025, 1, 1))
    registry.set_poverty_status(agent, scope, near_poor.pk, "near_poor", date(2025, 1, 1), "QĐ 7/QĐ-UBND")
    term = enrolling.enroll_vsi(agent, scope, enrolling.quote_vsi(scope, near_poor.head_id, ON, 1_500_000, 12),
                                idempotency_key="whatif-vsi")
    plain = registry.create_household(agent, scope, person_data(full_name="Hồ Văn Bình", citizen_id="040085777002"),
                                      date(2025, 1, 1))
    spouse = registry.add_member(agent, scope, plain.pk, "spouse", date(2025, 1, 1), new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190777003", date_of_birth=date(1990, 6, 1)))
    cards = enrolling.enroll_hi(agent, scope, enrolling.quote_hi(scope, plain.pk, [plain.head_id, spouse.person_id],
                                                                 ON, 12), idempotency_key="whatif-hi")
    for made in (term, cards):
        paying.record_payment(agent, scope, made.pk, amount=made.payable, method="cash",
                              idempotency_key=f"pay-{made.pk}", paid_at=AT)
    # Thành Vinh is a ward of the map from 01/07/2025, which has no districts: its row is its own.
    return {"unit": commune(COMMUNE_X).pk}


def test_raising_the_near_poor_top_up_to_40_percent_costs_the_province_594_000_dong(
        small_case: dict[str, int], tmp_path: Path) -> None:
    """By hand (DOMAIN.md §3.1, §3.2), 15/09/2025, rural poverty line 1,500,000, base salary 2,340,000:

    VSI, near-poor, income 1,500,000, 12 months: gross 22 % × 1,500,000 × 12 = 3,960,000.
      NSNN (Era B, near-poor 40 %): 40 % × 22 % × 1,500,000 = 132,000 a month → 1,584,000.
      NSĐP today (NQ 07/2025, near-poor +25 %): 25 % × 330,000 = 82,500 a month → 990,000.
      NSĐP at 40 %: 132,000 a month → 1,584,000.  Difference: +594,000 for the province, 0 for the state.
      The participant pays 3,960,000 − 1,584,000 − 990,000 = 1,386,000 today, 792,000 with the change.
    Household HI, two plain members, 12 months: 4.5 % × 2,340,000 = 105,300 a month; 1,263,600 and 70 % →
      884,520; no state share, no Nghệ An HI top-up before 2026: both cards unchanged (counted, not affected).
    """
    assert Enrollment.objects.get(idempotency_key="whatif-vsi").local_support == 990_000
    scenario = overlaid(default_parameters(), _overlay(tmp_path, NQ07_NEAR_POOR_40))

    found = whatif.what_if(ON, ON, scenario)

    assert [(r.key, r.year, r.people, r.affected, r.refused) for r in found.rows] == [
        (small_case["unit"], 2025, 3, 1, 0)]
    row = found.rows[0]
    assert (row.state_before, row.state_after, row.state_change) == (1_584_000, 1_584_000, 0)
    assert (row.local_before, row.local_after, row.local_change) == (990_000, 1_584_000, 594_000)
    assert found.total().local_change == 594_000 and found.not_priced == 0


def test_an_empty_overlay_changes_nothing_and_prices_as_the_scalar_rules(demo_data: None, tmp_path: Path) -> None:
    """Every paid term of the demo, priced by the what-if with no change: zero difference, and the sums of
    state and provincial support equal those of vsi.quote / household_hi.quote term by term."""
    scenario = overlaid(default_parameters(), _overlay(tmp_path, None))
    start, end = date(2016, 1, 1), date(2030, 12, 31)

    found = whatif.what_if(start, end, scenario, chunk=7)  # several chunks even on the small demo

    total = found.total()
    assert total.people > 0 and total.affected == 0 and total.state_change == 0 and total.local_change == 0
    state = local = refused = 0
    paid = Enrollment.objects.filter(status=EnrollmentStatus.PAID, quoted_on__gte=start, quoted_on__lte=end)
    for term in paid.filter(scheme=Scheme.VSI, method="regular").select_related("area"):
        used = 0 if term.supported_months >= term.months else 120 - term.supported_months
        q = vsi.quote(vsi.VsiQuoteInput(on=term.quoted_on, income=term.income or 0, months=term.months,
                                        groups=frozenset(term.support_groups), supported_months_used=used,
                                        province="40"))
        state, local = state + q.state_support, local + q.local_support
    for line in HiCardLine.objects.filter(enrollment__in=paid.filter(scheme=Scheme.HOUSEHOLD_HI)).select_related(
            "enrollment"):
        member = household_hi.HiMember(group=line.group)
        q = household_hi.quote(household_hi.HiQuoteInput(on=line.enrollment.quoted_on, members=(member,),
                                                          months=line.enrollment.months,
                                                          already_joined=max(line.rank - 1, 0), province="40"))
        state, local = state + q.members[0].state_support, local + q.members[0].local_support
    assert (total.state_before, total.local_before, total.refused + refused) == (state, local, 0)


def test_the_sums_are_exact_whatever_the_chunk(demo_data: None, tmp_path: Path) -> None:
    scenario = overlaid(default_parameters(), _overlay(tmp_path, NQ07_NEAR_POOR_40))
    one = whatif.what_if(date(2016, 1, 1), date(2030, 12, 31), scenario, chunk=3).as_dict()
    other = whatif.what_if(date(2016, 1, 1), date(2030, 12, 31), scenario, chunk=100_000).as_dict()
    assert one == other
    assert np.int64(one["total"]["people"]) > 0


def test_the_command_prints_the_same_figures_as_json(small_case: dict[str, int], tmp_path: Path) -> None:
    code, out, _ = run("whatif", "--overlay", str(_overlay(tmp_path, NQ07_NEAR_POOR_40)), "--from", ON.isoformat(),
                       "--to", ON.isoformat(), "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["total"]["local_before"], data["total"]["local_after"], data["total"]["local_change"]) == (
        990_000, 1_584_000, 594_000)
    code, out, _ = run("whatif", "--overlay", str(tmp_path), "--from", ON.isoformat(), "--to", ON.isoformat())
    assert code == 0 and "594.000" in out and "Toàn tỉnh" in out


def test_the_command_refuses_a_missing_overlay_or_a_reversed_period(demo_data: None, tmp_path: Path) -> None:
    code, _, err = run("whatif", "--overlay", str(tmp_path / "none"), "--from", "2025-01-01", "--to", "2025-12-31")
    assert code == 2 and "Không có thư mục tham số" in err
    code, _, err = run("whatif", "--overlay", str(tmp_path), "--from", "2025-12-31", "--to", "2025-01-01")
    assert code == 2 and err.startswith("Lỗi [")


# The page (web/whatif_views.py), here to share the module's demo: the viewer "xem" has the whole province.
def _as(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_page_offers_todays_figures_to_change(demo_data: None) -> None:
    page = _as("xem").get("/bao-cao/phuong-an/")
    assert page.status_code == 200
    text = page.content.decode()
    box = text.split('name="local_near_poor"')[0].rsplit("<input", 1)[1] + text.split('name="local_near_poor"')[1]
    assert 'placeholder="25"' in box.split(">")[0] and "value=" not in box.split(">")[0]  # NQ 07/2025's, today's
    from django.utils import timezone

    today = default_parameters().at("base_salary", timezone.localdate()).value
    assert f'placeholder="{today}"' in text  # today's base salary (not the 1st of January's: 2,530,000 ≠ 2,340,000)
    assert 'id="whatif-result"' not in text  # nothing is run before a period is asked for


def test_the_viewer_sees_the_provinces_extra_cost_and_exports_it(small_case: dict[str, int]) -> None:
    client, query = _as("xem"), f"?start={ON}&end={ON}&local_near_poor=40"
    page = client.get(f"/bao-cao/phuong-an/{query}")
    assert page.status_code == 200
    total = page.content.decode().split('id="whatif-total"')[1].split("</tr>")[0]
    assert "<th>990.000 đ</th><th>1.584.000 đ</th><th>594.000 đ</th>" in total
    xlsx = client.get(f"/bao-cao/phuong-an/{query}&xlsx=1")
    pdf = client.get(f"/bao-cao/phuong-an/{query}&pdf=1")
    assert xlsx["Content-Type"].startswith("application/vnd.openxml") and pdf["Content-Type"] == "application/pdf"


def test_an_agent_is_refused_and_a_rate_over_100_percent_is_refused_with_the_reason(demo_data: None) -> None:
    assert _as("daily").get("/bao-cao/phuong-an/").status_code == 403
    page = _as("xem").get(f"/bao-cao/phuong-an/?start={ON}&end={ON}&local_near_poor=150")
    assert page.status_code == 400 and 'id="whatif-result"' not in page.content.decode()
    assert "100" in page.content.decode()


def test_the_page_speaks_english_when_asked(demo_data: None) -> None:
    client = _as("xem")
    client.cookies["ansinh_language"] = "en"
    text = client.get(f"/bao-cao/phuong-an/?start={ON}&end={ON}").content.decode()
    assert "Support scenarios: cost to the state budget and the province" in text
    assert "Provincial top-up — near-poor households (%)" in text and "Whole province" in text



def test_the_page_prices_everyone_joining_as_the_service_and_asks_for_the_vsi_age(demo_data: None) -> None:
    """``mode=everyone``: the gap population of the period's last day, as ``whatif_gap.everyone_joined`` prices
    it (its own test works a commune by hand); the minimum VSI age is asked for, never assumed."""
    from decimal import Decimal

    from ansinh.lib.money import format_vnd
    from ansinh.reports import whatif_changes, whatif_gap

    client, asked = _as("xem"), f"?start={ON}&end={ON}&mode=everyone&local_near_poor=40&join_months=6"
    refused = client.get(f"/bao-cao/phuong-an/{asked}")
    assert refused.status_code == 400 and 'id="whatif-result"' not in refused.content.decode()
    assert "tuổi tối thiểu tham gia BHXH tự nguyện" in refused.content.decode()

    page = client.get(f"/bao-cao/phuong-an/{asked}&vsi_min_age=15")
    assert page.status_code == 200
    xem = get_user_model().objects.get(username="xem")
    entered = {item.field: None for item in whatif_changes.editable("40")} | {"local_near_poor": Decimal(40)}
    scenario, _changes = whatif_changes.scenario(default_parameters(), "40", ON, entered, "xem")
    direct = whatif_gap.everyone_joined(ON, scenario, vsi_min_age=15, months=6, area_ids=scope_for(xem).area_ids)
    total = direct.total()
    assert total.people > 0 and total.local_change > 0  # the demo's gap has near-poor people
    shown = page.content.decode().split('id="whatif-total"')[1].split("</tr>")[0]
    cells = [total.state_before, total.state_after, total.state_change, total.local_before, total.local_after,
             total.local_change, total.payable_before, total.payable_after]
    assert "".join(f"<th>{format_vnd(v)}</th>" for v in cells) in shown
    paid = client.get(f"/bao-cao/phuong-an/?start={ON}&end={ON}&local_near_poor=40").content.decode()
    assert "Người tham gia đóng — hiện hành" not in paid and "Người tham gia đóng — hiện hành" in page.content.decode()

    xlsx = client.get(f"/bao-cao/phuong-an/{asked}&vsi_min_age=15&xlsx=1")
    assert xlsx.status_code == 200 and "moi-nguoi-tham-gia-20250915" in xlsx["Content-Disposition"]
    bad = client.get(f"/bao-cao/phuong-an/{asked}&vsi_min_age=15&join_months=5&income=-1")
    assert bad.status_code == 400 and 'id="whatif-result"' not in bad.content.decode()


# The pre-aggregate (models.WhatIfCell, reports/whatif_cells.py) against the grouping from scratch.
def _cells() -> set[tuple[object, ...]]:
    from ansinh.reports.models import WhatIfCell

    return {(*row[:-1], row[-1]) for row in WhatIfCell.objects.exclude(terms=0).values_list(
        "scheme", "month", "area_id", "regular", "income", "months", "supported_months", "groups", "rank", "hi_group",
        "terms")}


def _from_scratch() -> set[tuple[object, ...]]:
    from django.db import connection

    from ansinh.reports import whatif_cells

    selects, params = whatif_cells.grouped_sql()
    found = set()
    with connection.cursor() as cursor:
        for select in selects:
            cursor.execute(select, params)
            found |= {(row[0], row[1], row[2], bool(row[3]), *row[4:]) for row in cursor.fetchall()}
    return found


def test_the_cells_equal_the_grouping_from_scratch_after_payments_reversals_bulk_and_a_refresh(
        small_case: dict[str, int], tmp_path: Path) -> None:
    from ansinh.payments.models import Payment
    from ansinh.payments.services import PAYMENT_LISTENERS
    from ansinh.reports import services as facts
    from ansinh.reports.models import WhatIfCell

    assert _cells() == _from_scratch() and _cells()  # the demo's bulk load (refresh_all), then two payments
    agent = get_user_model().objects.get(username="daily")
    manager = get_user_model().objects.get(username="quanly")
    vsi_pay = Payment.objects.get(idempotency_key=f"pay-{Enrollment.objects.get(idempotency_key='whatif-vsi').pk}")
    paying.reverse_payment(manager, scope_for(manager), vsi_pay.pk, "Thu nhầm", "whatif-rev", AT)
    assert _cells() == _from_scratch()
    # A payment past the single listeners, then given to the bulk listener (bank statements' path)
    scope = scope_for(agent)
    person = registry.create_household(agent, scope, person_data(full_name="Trần Văn Cường", citizen_id="040085777009"),
                                       date(2025, 1, 1))
    term = enrolling.enroll_vsi(agent, scope, enrolling.quote_vsi(scope, person.head_id, ON, 2_000_000, 6),
                                idempotency_key="whatif-bulk")
    kept = list(PAYMENT_LISTENERS)
    PAYMENT_LISTENERS.clear()
    try:
        bulk = paying.record_payment(agent, scope, term.pk, amount=term.payable, method="cash",
                                     idempotency_key="pay-bulk", paid_at=AT)
    finally:
        PAYMENT_LISTENERS.extend(kept)
    assert _cells() != _from_scratch()
    facts.count_payments([bulk])
    assert _cells() == _from_scratch()
    # A refresh rebuilds the months of the terms paid in its days (here from nothing)
    WhatIfCell.objects.filter(month=(ON.year - 1970) * 12 + ON.month - 1).delete()
    facts.refresh(ON, ON)
    assert _cells() == _from_scratch()
    scenario = overlaid(default_parameters(), _overlay(tmp_path, NQ07_NEAR_POOR_40))
    period = (date(2016, 1, 1), date(2030, 12, 31))
    assert whatif.spans(*period, True) == ((552, 731), [])  # 01/2016..12/2030, all whole months
    assert (whatif.what_if(*period, scenario).as_dict() == whatif.what_if(*period, scenario, cells=False).as_dict())
    around = (date(2025, 8, 20), date(2025, 10, 10))  # 09/2025 from the cells, the days around it from the terms
    assert whatif.spans(*around, True) == ((668, 668), [(date(2025, 8, 20), date(2025, 8, 31)),
                                                         (date(2025, 10, 1), date(2025, 10, 10))])
    assert whatif.what_if(*around, scenario).as_dict() == whatif.what_if(*around, scenario, cells=False).as_dict()


def test_if_everyone_joined_prices_the_gap_population_of_a_commune_by_hand(demo_data: None, tmp_path: Path) -> None:
    """A commune with nobody of the demo; on 15/09/2025 its gap population: a near-poor household of one
    (A, born 1985) and a plain household of three (B 1980, C 1990, D born 2015). VSI from 15 years (stated by
    the caller: A, B, C) at the minimum income 1 × 1,500,000, 12 months; household HI for all four, 12 months.

    VSI A (near-poor): 22 % × 1,500,000 = 330,000 a month; NSNN 40 % → 1,584,000; NSĐP 25 % → 990,000 (40 %:
      1,584,000); pays 1,386,000 (792,000).
    VSI B, C (other): NSNN 20 % → 792,000; NSĐP 5 % → 198,000; each pays 2,970,000.
    HI A (near-poor, a state group, not ranked): 4.5 % × 2,340,000 × 12 = 1,263,600; NSNN 70 % → 884,520;
      pays 379,080. HI B, C, D ranked 1, 2, 3 in their household: 1,263,600, 884,520, 758,160, no support.
    NSNN 1,584,000 + 2 × 792,000 + 884,520 = 4,052,520 on both sides; NSĐP 1,386,000 → 1,980,000 (+594,000);
    the participants 10,611,360 → 10,017,360. At an income of 2,000,000 the supports stay (shares of 22 % of
    the poverty line) and the three adults pay 3,960,000 more.
    """
    from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
    from ansinh.areas.tree import map_tree
    from ansinh.org.models import Role
    from ansinh.org.services import grant_role
    from ansinh.registry.models import Person
    from ansinh.reports import whatif_gap

    units = map_tree().units
    empty = next(u for u in AdministrativeUnit.objects.filter(level__in=COMMUNE_LEVELS, pk__in=list(units))
                 .order_by("pk") if not Person.objects.filter(area=u).exists())
    admin = get_user_model().objects.create_user("gap_admin")
    grant_role(admin, Role.PROVINCE_ADMIN, [empty], None)
    scope = scope_for(admin)

    def one(name: str, citizen: str, born: date, **more: object) -> object:
        return person_data(full_name=name, citizen_id=citizen, date_of_birth=born, area_id=empty.pk, **more)

    near = registry.create_household(admin, scope, one("Phan Văn A", "040085888001", date(1985, 3, 2)),
                                     date(2025, 1, 1))
    registry.set_poverty_status(admin, scope, near.pk, "near_poor", date(2025, 1, 1), "QĐ 8/QĐ-UBND")
    plain = registry.create_household(admin, scope, one("Phan Văn B", "040080888002", date(1980, 3, 2)),
                                      date(2025, 1, 1))
    for name, citizen, born in (("Phan Thị C", "040190888003", date(1990, 6, 1)),
                                ("Phan Văn D", "040215888004", date(2015, 6, 1))):
        registry.add_member(admin, scope, plain.pk, "spouse" if born.year == 1990 else "child", date(2025, 1, 1),
                            new_person=one(name, citizen, born, sex="female" if "Thị" in name else "male"))
    scenario = overlaid(default_parameters(), _overlay(tmp_path, NQ07_NEAR_POOR_40))

    found = whatif_gap.everyone_joined(ON, scenario, vsi_min_age=15, area_ids=frozenset({empty.pk}))

    assert whatif_gap.minimum_income(default_parameters(), ON) == 1_500_000
    row_key = int(whatif._Units.read().key[empty.pk])  # its district's row (on the old map), or its own
    assert [(r.key, r.year, r.people, r.affected, r.refused) for r in found.rows] == [(row_key, 2025, 7, 1, 0)]
    row = found.rows[0]
    assert (row.state_before, row.state_after) == (4_052_520, 4_052_520)
    assert (row.local_before, row.local_after, row.local_change) == (1_386_000, 1_980_000, 594_000)
    assert (row.payable_before, row.payable_after) == (10_611_360, 10_017_360)
    at_two_million = whatif_gap.everyone_joined(ON, scenario, vsi_min_age=15, income=2_000_000,
                                                area_ids=frozenset({empty.pk})).rows[0]
    # Supports are shares of 22 % of the poverty line, not of the income: the same +594,000; the three pay
    # 3 × 22 % × 500,000 × 12 = 3,960,000 more
    assert (at_two_million.local_change, at_two_million.payable_before) == (594_000, 14_571_360)


def test_the_command_prices_everyone_joining_and_asks_for_the_vsi_age(demo_data: None, tmp_path: Path) -> None:
    args = ("whatif", "--overlay", str(_overlay(tmp_path, NQ07_NEAR_POOR_40)), "--from", ON.isoformat(), "--to",
            ON.isoformat(), "--everyone-joined")
    code, _, err = run(*args)
    assert code == 2 and "--vsi-min-age" in err
    code, out, _ = run(*args, "--vsi-min-age", "15", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"]["people"] > 0 and data["total"]["payable_before"] > 0
    from ansinh.reports import whatif_gap

    direct = whatif_gap.everyone_joined(ON, overlaid(default_parameters(), tmp_path), vsi_min_age=15)
    assert data["total"] == json.loads(json.dumps(direct.total().as_dict()))


def test_a_large_gap_is_priced_by_the_queue_with_its_progress_and_the_pages_figures(
        demo_data: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``whatif_gap.INLINE_PEOPLE`` people (minutes at a province's size) the page prices nothing by GET: it
    offers a POST that enqueues the job; the job counts communes as it goes and ends with the figures the page
    would have shown and the table as XLSX, for the one who asked only."""
    from decimal import Decimal

    from python_calamine import CalamineWorkbook

    from ansinh.jobs import worker
    from ansinh.lib.money import format_vnd
    from ansinh.reports import jobs, whatif_changes, whatif_gap
    from ansinh.reports.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    asked = {"start": ON.isoformat(), "end": ON.isoformat(), "mode": "everyone", "local_near_poor": "40",
             "join_months": "6", "vsi_min_age": "15"}
    client, xem = _as("xem"), get_user_model().objects.get(username="xem")
    inline = client.get("/bao-cao/phuong-an/", asked).content.decode()
    monkeypatch.setattr(whatif_gap, "INLINE_PEOPLE", 0)
    page = client.get("/bao-cao/phuong-an/", {**asked, "xlsx": "1"})
    shown = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")  # no file by GET
    assert 'id="whatif-background"' in shown and 'id="whatif-result"' not in shown
    assert 'name="local_near_poor" value="40"' in shown and 'name="xlsx"' not in shown
    assert not ExportJob.objects.exists()  # a GET writes nothing

    assert client.post("/bao-cao/phuong-an/tinh-trong-nen/", {**asked, "vsi_min_age": ""}).status_code == 400
    assert client.post("/bao-cao/phuong-an/tinh-trong-nen/", {**asked, "mode": "paid"}).status_code == 400
    assert not ExportJob.objects.exists()  # a refused form enqueues nothing
    started = client.post("/bao-cao/phuong-an/tinh-trong-nen/", asked)
    job = ExportJob.objects.get()
    communes = len(whatif_gap.communes_of("40", scope_for(xem).area_ids))
    assert started.status_code == 302 and started["Location"] == f"/xuat/{job.pk}/"
    assert (job.kind, job.total, job.done) == ("whatif", communes, 0) and communes > whatif_gap.COMMUNES_A_QUERY
    running = client.get(started["Location"]).content.decode()
    assert f"Đang tính: 0 / {communes} xã, phường" in running and "Về trang phương án hỗ trợ" in running
    assert _as("daily").get(started["Location"]).status_code == 404  # the job is its asker's
    again = client.post("/bao-cao/phuong-an/tinh-trong-nen/", {**asked, "join_months": "3"}, follow=True)
    assert ExportJob.objects.count() == 1 and again.redirect_chain[-1][0] == started["Location"]  # one at a time
    assert "Bạn đang có một phương án đang tính" in again.content.decode()

    heard: list[int] = []
    real = whatif_gap.everyone_joined

    def listened(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def both(n: int) -> None:
            heard.append(n)
            progress(n)
        return real(*args, progress=both, **kwargs)

    monkeypatch.setattr(whatif_gap, "everyone_joined", listened)
    assert worker.drain() == 1
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", communes)
    assert heard == sorted(heard) and heard[-1] == communes and len(heard) > 1  # the bar moves commune by commune

    entered = {item.field: None for item in whatif_changes.editable("40")} | {"local_near_poor": Decimal(40)}
    scenario, _changes = whatif_changes.scenario(default_parameters(), "40", ON, entered, "xem")
    total = real(ON, scenario, vsi_min_age=15, months=6, area_ids=scope_for(xem).area_ids).total()
    assert total.local_change > 0
    expected = (f"Toàn tỉnh: NSNN {format_vnd(total.state_after)} (chênh lệch {format_vnd(total.state_change)}); "
                f"NSĐP {format_vnd(total.local_after)} (chênh lệch {format_vnd(total.local_change)}).")
    assert expected in job.summary["lines"] and expected in inline  # the job's figures are the page's
    done = client.get(started["Location"]).content.decode()
    assert 'id="export-summary"' in done and expected in done and "Tải bảng (XLSX)" in done
    pdf = client.get(f"/xuat/{job.pk}/tai/", {"pdf": "1"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert _as("daily").get(f"/xuat/{job.pk}/tai/", {"pdf": "1"}).status_code == 404
    rows = CalamineWorkbook.from_path(str(jobs.file_of(job))).get_sheet_by_index(0).to_python()
    last = rows[-1]
    assert last[1] == "Toàn tỉnh" and [int(v) for v in last[3:]] == [
        total.people, total.affected, total.state_before, total.state_after, total.state_change, total.local_before,
        total.local_after, total.local_change, total.payable_before, total.payable_after]
    assert sum(int(r[3]) for r in rows[1:-1]) == total.people  # one row per district and year, then the total


def test_a_refused_what_if_job_fails_with_its_reason_in_the_askers_language(
        demo_data: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day before the parameters exist: the job ends failed with the rules' refusal, in English for an English
    page; the generic export endpoint does not take the what-if (its own form) and answers 400, never 500."""
    from ansinh.jobs import worker
    from ansinh.reports import whatif_gap
    from ansinh.reports.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(whatif_gap, "INLINE_PEOPLE", 0)
    client = _as("xem")
    client.cookies["ansinh_language"] = "en"
    started = client.post("/bao-cao/phuong-an/tinh-trong-nen/", {"start": "2000-01-01", "end": "2000-01-01",
                                                                  "mode": "everyone", "vsi_min_age": "15"})
    assert started.status_code == 302 and worker.drain() == 1
    job = ExportJob.objects.get()
    assert job.status == "failed" and job.error and job.error.isascii()  # English, not the worker's Vietnamese
    assert "The scenario could not be calculated:" in client.get(started["Location"]).content.decode()
    for who in ("xem", "daily"):
        refused = _as(who).post("/xuat/", {"kind": "whatif", "start": "2025-01-01", "end": "2025-01-31"})
        assert refused.status_code in (302, 400) and refused.status_code != 500
    assert ExportJob.objects.count() == 1
