"""Coverage gaps (issue 18): each person of a commune's registry on a day is covered (a paid VSI term
or household-HI card over the day), covered elsewhere (another group's coverage in force), lapsed
(covered before, since the day after the last cover) or never covered; worked out in one statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.enrollment import coverage
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.registry import other_coverage
from ansinh.registry import services as registry
from ansinh.registry.models import Household, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    return personas()


def someone(who: Personas, n: int, **overrides: object) -> Person:
    values: dict[str, object] = {
        "full_name": f"Lê Thị Số {n}",
        "citizen_id": f"040185{n:06d}",
        "phone": "",
        "sex": "female",
        **overrides,
    }
    return registry.create_person(who.admin, who.scope(who.admin), person_data(**values))


def _record(scheme: str, start: date) -> CalculationRecord:
    return CalculationRecord.objects.create(scheme=scheme, computed_on=start, inputs={}, result={}, parameters=[])


def vsi_term(person: Person, start: date, end: date, status: str = EnrollmentStatus.PAID) -> Enrollment:
    return Enrollment.objects.create(
        scheme=Scheme.VSI,
        person=person,
        area_id=person.area_id,
        quoted_on=start,
        period_start=start,
        period_end=end,
        months=1,
        income=1_500_000,
        gross=330_000,
        payable=330_000,
        calculation=_record(Scheme.VSI, start),
        status=status,
    )


def hi_card(
    household: Household, person: Person, start: date, end: date, status: str = EnrollmentStatus.PAID
) -> HiCardLine:
    term = Enrollment.objects.create(
        scheme=Scheme.HOUSEHOLD_HI,
        household=household,
        area_id=household.area_id,
        quoted_on=start,
        period_start=start,
        period_end=end,
        months=12,
        gross=1_263_600,
        payable=1_263_600,
        calculation=_record(Scheme.HOUSEHOLD_HI, start),
        status=status,
    )
    return HiCardLine.objects.create(
        enrollment=term,
        person=person,
        rank=1,
        factor=Decimal("1"),
        monthly=105_300,
        gross=1_263_600,
        amount=1_263_600,
        valid_from=start,
        valid_to=end,
    )


def status_of(person: Person, on: date = ON) -> tuple[str, date | None]:
    found = coverage.statuses([person.area_id], on).get(pk=person.pk)
    return found.coverage, found.last_covered


def test_a_paid_vsi_term_over_the_day_covers(who: Personas) -> None:
    person = someone(who, 1)
    vsi_term(person, date(2025, 7, 1), date(2025, 9, 30))
    assert status_of(person) == (coverage.COVERED, None)


def test_a_paid_household_card_over_the_day_covers(who: Personas) -> None:
    household = registry.create_household(who.admin, who.scope(who.admin), person_data(), date(2025, 1, 1))
    head = household.head
    assert head is not None
    hi_card(household, head, date(2025, 1, 1), date(2025, 12, 31))
    assert status_of(head) == (coverage.COVERED, None)


def test_it_says_since_when_a_person_lapsed(who: Personas) -> None:
    person = someone(who, 2)
    vsi_term(person, date(2024, 1, 1), date(2024, 12, 31))
    vsi_term(person, date(2025, 1, 1), date(2025, 3, 31))
    household = registry.create_household(
        who.admin, who.scope(who.admin), person_data(full_name="Chủ Hộ", citizen_id="040085000999"), date(2024, 1, 1)
    )
    registry.add_member(who.admin, who.scope(who.admin), household.pk, "other", date(2024, 1, 1), person_id=person.pk)
    hi_card(household, person, date(2024, 6, 1), date(2025, 5, 31))  # the card outlived the VSI term
    found = coverage.statuses([person.area_id], ON).get(pk=person.pk)
    assert (found.coverage, found.last_covered) == (coverage.LAPSED, date(2025, 5, 31))
    assert found.household_id == household.pk
    row = coverage.gaps([person.area_id], ON, only=[coverage.LAPSED]).rows
    assert [(r.person.pk, r.lapsed_since) for r in row] == [(person.pk, date(2025, 6, 1))]


def test_unpaid_and_cancelled_terms_cover_nothing(who: Personas) -> None:
    person = someone(who, 3)
    vsi_term(person, date(2025, 7, 1), date(2025, 9, 30), status=EnrollmentStatus.PENDING)
    vsi_term(person, date(2025, 1, 1), date(2025, 3, 31), status=EnrollmentStatus.CANCELLED)
    assert status_of(person) == (coverage.NEVER_COVERED, None)


def test_other_coverage_in_force_is_covered_elsewhere_and_ends(who: Personas) -> None:
    person = someone(who, 4)
    vsi_term(person, date(2024, 1, 1), date(2024, 12, 31))
    recorded = other_coverage.add(
        who.admin,
        who.scope(who.admin),
        person.pk,
        "compulsory_si",
        "Danh sách lao động của Công ty May Nghệ An",
        date(2025, 2, 1),
    )
    assert status_of(person) == (coverage.COVERED_ELSEWHERE, date(2024, 12, 31))
    other_coverage.end(who.admin, who.scope(who.admin), recorded.pk, date(2025, 7, 31))
    assert status_of(person)[0] == coverage.LAPSED
    assert status_of(person, date(2025, 7, 31))[0] == coverage.COVERED_ELSEWHERE


def test_own_cover_wins_over_other_coverage(who: Personas) -> None:
    person = someone(who, 5)
    vsi_term(person, date(2025, 8, 1), date(2025, 8, 31))
    other_coverage.add(who.admin, who.scope(who.admin), person.pk, "student", "Thẻ BHYT HSSV", date(2025, 1, 1))
    assert status_of(person) == (coverage.COVERED, None)


def test_the_registry_of_a_day_leaves_out_the_unborn_the_departed_and_other_communes(who: Personas) -> None:
    scope = who.scope(who.admin)
    alone = someone(who, 6)
    later = someone(who, 7, date_of_birth=date(2025, 9, 1), citizen_id=None)
    elsewhere = someone(who, 8, area_id=commune(COMMUNE_Y).pk)
    household = registry.create_household(who.admin, scope, person_data(), date(2024, 1, 1))
    left = someone(who, 9)
    joined = registry.add_member(who.admin, scope, household.pk, "other", date(2024, 1, 1), person_id=left.pk)
    registry.end_membership(who.admin, scope, joined.pk, date(2025, 6, 30))
    people = set(coverage.registry_people([commune(COMMUNE_X).pk], ON).values_list("pk", flat=True))
    assert alone.pk in people and household.head_id in people
    assert not people & {later.pk, elsewhere.pk, left.pk}


def test_counts_and_pages_are_a_fixed_number_of_queries(who: Personas) -> None:
    x, y = commune(COMMUNE_X).pk, commune(COMMUNE_Y).pk
    people = [someone(who, 10 + n) for n in range(5)]
    vsi_term(people[0], date(2025, 8, 1), date(2025, 8, 31))
    vsi_term(people[1], date(2025, 1, 1), date(2025, 1, 31))
    other_coverage.add(who.admin, who.scope(who.admin), people[2].pk, "pensioner", "Sổ hưu", date(2020, 1, 1))
    someone(who, 20, area_id=y)
    with CaptureQueriesContext(connection) as seen:
        found = coverage.counts([x, y], ON)
    assert len(seen) == 1
    assert found[x] == coverage.CommuneCounts(
        population=5, covered_vsi=1, covered_hi=0, covered=1, covered_elsewhere=1, lapsed=1, never_covered=2
    )
    assert found[y].population == found[y].never_covered == 1
    with CaptureQueriesContext(connection) as seen:
        page = coverage.gaps([x, y], ON, per_page=2, page=2)
    assert len(seen) == 2
    assert (page.total, page.pages, len(page.rows)) == (5, 3, 2)
