"""Coverage rates by commune (issue 18): the registry's people of each commune on a day split by status,
against the registry's count and the official population, with the dated plan targets and how many people
are still to cover; remapped across the mergers like the other dashboards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.areas.models import AdministrativeUnit
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.registry import other_coverage
from ansinh.reports import coverage as reporting
from ansinh.reports.models import CoverageTarget, OfficialPopulation
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, personas
from tests.registry.test_coverage_gaps import someone, vsi_term

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    return personas()


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    while unit.parent is not None:
        unit = unit.parent
    return unit


def test_rates_against_the_registry_the_official_figure_and_the_target(who: Personas) -> None:
    x = commune(COMMUNE_X)
    people = [someone(who, 40 + n) for n in range(4)]
    vsi_term(people[0], date(2025, 7, 1), date(2025, 12, 31))
    vsi_term(people[1], date(2025, 1, 1), date(2025, 3, 31))
    vsi_term(people[2], date(2025, 8, 1), date(2025, 8, 31), status=EnrollmentStatus.PENDING)
    other_coverage.add(who.admin, who.scope(who.admin), people[3].pk, "armed_forces", "Giấy xác nhận", date(2024, 1, 1))
    OfficialPopulation.objects.create(area=x, population=10, working_age=6, as_of=date(2024, 12, 31), source="Cục TK")
    OfficialPopulation.objects.create(area=x, population=99, as_of=date(2025, 12, 31), source="later: not yet")
    CoverageTarget.objects.create(
        area=province_of(x),
        scheme="vsi",
        basis="working_age",
        share=Decimal("45"),
        target_date=date(2025, 12, 31),
        source="NQ 28-NQ/TW; KH của tỉnh",
    )
    view = reporting.CoverageView(ON, who.scope(who.admin).area_ids)
    rows = {r.key: r for r in reporting.table(view, "commune")}
    row = rows[x.pk]
    assert row.counts == {
        "population": 4,
        "covered_vsi": 1,
        "covered_hi": 0,
        "covered": 1,
        "covered_elsewhere": 1,
        "lapsed": 1,
        "never_covered": 1,
    }
    assert (row.rate_registry, row.official, row.working_age, row.rate_official) == (0.25, 10, 6, 0.1)
    target = row.targets["vsi"]
    assert (target.share, target.needed) == (Decimal("45"), 2)  # ceil(45 % of 6) = 3, one already covered
    assert "household_hi" not in row.targets


def test_the_area_level_sums_its_communes_and_the_table_costs_fixed_queries(who: Personas) -> None:
    for n, code in enumerate((COMMUNE_X, COMMUNE_X, COMMUNE_Y)):
        someone(who, 60 + n, area_id=commune(code).pk)
    view = reporting.CoverageView(ON, who.scope(who.admin).area_ids, on_map_of=ON)
    with CaptureQueriesContext(connection) as seen:
        rows = reporting.table(view, "area")
    assert sum(r.counts["population"] for r in rows) == 3
    assert len(seen) <= 7
    x = commune(COMMUNE_X)
    page = reporting.gap_people(view, x.pk)
    assert page.total == 2 and {r.person.area_id for r in page.rows} == {x.pk}
