"""The dashboards' reads: every level of the drill-down adds up to the overview, history shows on
the map of its time or on today's, the leaderboard shares ranks on ties, targets compare with the
year so far, and renewals and lapses come out by cohort and reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import is_in_force
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, PlanStatus, VsiPlan
from ansinh.lib.errors import DomainError
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import queries, services
from ansinh.reports.models import PlanTarget
from ansinh.reports.queries import Row, Slice
from tests.builders import COMMUNE_X, Personas, commune, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LAUNCH = date(2022, 5, 8)
TODAY_MAP = date(2026, 1, 1)


def totals(rows: list[Row]) -> tuple[int, int, int]:
    return sum(r.vsi_new for r in rows), sum(r.hi_new for r in rows), sum(r.amount for r in rows)


@pytest.mark.usefixtures("demo")
def test_each_level_of_the_drill_down_adds_up_to_the_province() -> None:
    view = Slice(LAUNCH, LAUNCH)
    overview = queries.overview(LAUNCH, LAUNCH)
    province = (overview["vsi_new_people"], overview["hi_new_people"], overview["amount"])
    assert province[:2] == (1322, 2222)
    areas = queries.drill(view, "area")
    assert len(areas) == 21 and totals(areas) == province  # the 21 district-level units of 2022
    vinh = next(r for r in areas if r.code == "412")
    communes = queries.drill(view, "commune", area=vinh.key)
    assert {r.code for r in communes} <= {u.code for u in AdministrativeUnit.objects.filter(parent_id=vinh.key)}
    assert totals(communes) == (vinh.vsi_new, vinh.hi_new, vinh.amount)
    first = communes[0]
    points = queries.drill(view, "point", commune=first.key)
    agents = queries.drill(view, "agent", commune=first.key, point=points[0].key)
    assert totals(points) == totals(agents) == (first.vsi_new, first.hi_new, first.amount)
    assert [r.rank for r in areas] == sorted(r.rank for r in areas) and areas[0].rank == 1


@pytest.mark.usefixtures("demo")
def test_history_before_the_map_change_shows_on_todays_communes() -> None:
    recorded = queries.drill(Slice(LAUNCH, LAUNCH), "commune")
    today = queries.drill(Slice(LAUNCH, LAUNCH, on_map_of=TODAY_MAP), "commune")
    assert totals(today) == totals(recorded)
    assert len(today) < len(recorded)  # communes merged in 2025
    units = AdministrativeUnit.objects.in_bulk([r.key for r in today])
    assert all(is_in_force(units[r.key], TODAY_MAP) for r in today)
    assert not all(is_in_force(u, TODAY_MAP) for u in AdministrativeUnit.objects.filter(
        pk__in=[r.key for r in recorded]))
    merged = today[0]
    agents_today = queries.drill(Slice(LAUNCH, LAUNCH, on_map_of=TODAY_MAP), "agent", commune=merged.key)
    assert totals(agents_today) == (merged.vsi_new, merged.hi_new, merged.amount)


def test_the_leaderboard_shares_a_rank_on_ties() -> None:
    rows = queries.ranked([Row(1, "A", "a", vsi_new=3, amount=10), Row(2, "B", "b", vsi_new=5, amount=10),
                           Row(3, "C", "c", hi_new=3, amount=10), Row(4, "D", "d", vsi_new=1)])
    assert [(r.code, r.rank) for r in rows] == [("B", 1), ("A", 2), ("C", 2), ("D", 4)]


def pay_vsi(who: Personas, name: str, on: date, months: int = 1) -> Enrollment:
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""))
    return pay_again(who, person.pk, on, months)


def pay_again(who: Personas, person_id: int, on: date, months: int = 1) -> Enrollment:
    scope = who.scope(who.agent)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person_id, on, 1_500_000, months))
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key=f"{person_id}-{on}", paid_at=datetime.combine(on, datetime.min.time(), TZ))
    return enrollment


def test_targets_compare_with_the_new_participants_of_the_year_so_far() -> None:
    who = personas()
    field_setup(who)
    day = date(2025, 8, 1)
    pay_vsi(who, "Một", day)
    pay_vsi(who, "Hai", day)
    PlanTarget.objects.create(year=2025, area=commune(COMMUNE_X), scheme="vsi", value=8, source="Ví dụ",
                              is_example=True)
    vsi, hi = queries.targets(2025, day + timedelta(days=1), {commune(COMMUNE_X).pk})
    assert (vsi["target"], vsi["done"], vsi["share"]) == (8, 2, 0.25)
    assert (hi["target"], hi["share"]) == (None, None)  # no target set: none is invented
    assert queries.targets(2025, day, set())[0]["target"] is None  # out of scope


def test_renewal_cohorts_and_lapses_by_reason() -> None:
    who = personas()
    field_setup(who)
    august = date(2025, 8, 1)
    renewed = pay_vsi(who, "Đóng tiếp", august)
    pay_again(who, renewed.person_id, date(2025, 9, 1))  # next month: renewed
    pay_vsi(who, "Bỏ dở", august)  # never again: lapses after the grace
    stopped = pay_vsi(who, "Dừng", august)
    VsiPlan.objects.filter(person_id=stopped.person_id).update(status=PlanStatus.STOPPED)
    on = date(2026, 1, 15)
    august_cohort = next(c for c in queries.renewal_cohorts(on) if c["month"] == date(2025, 8, 1))
    assert (august_cohort["ended"], august_cohort["renewed"]) == (3, 1)
    assert august_cohort["rate"] == pytest.approx(1 / 3) and not august_cohort["open"]
    september = next(c for c in queries.renewal_cohorts(on) if c["month"] == date(2025, 9, 1))
    assert (september["ended"], september["renewed"], september["open"]) == (1, 0, False)
    by_reason = {r["code"]: r["vsi"] for r in queries.lapses(on)}
    assert by_reason == {"cancelled": 0, "stopped": 1, "not_renewed": 2}  # August's drop-out and September's end
    assert queries.renewal_cohorts(on, set()) == []


def test_a_renewal_counts_below_the_legal_lapse_threshold_only() -> None:
    who = personas()
    field_setup(who)
    first = pay_vsi(who, "Đóng lại", date(2025, 8, 1))  # covers up to 31/08/2025
    second = pay_again(who, first.person_id, date(2025, 11, 1))
    on = date(2026, 3, 15)
    assert queries.lapse_days(on) == 90  # Law on HI art. 16 (51/2024/QH15), from 01/07/2025

    def august() -> dict[str, object]:
        return next(c for c in queries.renewal_cohorts(on) if c["month"] == date(2025, 8, 1))

    def next_starts_after(days: int) -> None:
        start = first.period_end + timedelta(days=days)
        Enrollment.objects.filter(pk=second.pk).update(period_start=start, period_end=start + timedelta(days=30))
        services.refresh_cohorts()  # an edit past the writers, as a bulk load is: the refresh rebuilds the cohorts

    next_starts_after(89)
    assert august()["renewed"] == 1
    next_starts_after(90)
    assert august()["renewed"] == 0  # a gap of 90 days or more breaks continuity


def test_renewals_before_the_day_based_rule_are_refused_not_guessed() -> None:
    with pytest.raises(DomainError, match="chưa có hiệu lực"):
        queries.renewal_cohorts(date(2025, 3, 1))
