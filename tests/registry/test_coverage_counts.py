"""The per-commune counts of the coverage page (enrollment.coverage.counts, one grouped statement over
derived tables) equal the statuses person by person (enrollment.coverage.statuses), on the demo."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Model
from django.utils import timezone

from ansinh.enrollment import coverage
from ansinh.enrollment.models import Enrollment, HiCardLine
from ansinh.registry.models import Membership, OtherCoverage, Person


@pytest.mark.django_db
@pytest.mark.parametrize("on", [None, date(2022, 5, 8), date(2024, 7, 1)])
def test_counts_equal_the_statuses_person_by_person(demo: None, on: date | None) -> None:
    day = on or timezone.localdate()
    communes = sorted(set(Person.objects.values_list("area_id", flat=True)))
    expected: dict[int, Counter[str]] = {}
    for area_id, vsi_live, hi_live, status in coverage.statuses(communes, day).values_list(
            "area_id", "vsi_live", "hi_live", "coverage"):
        row = expected.setdefault(area_id, Counter())
        row["population"] += 1
        row["covered_vsi"] += bool(vsi_live)
        row["covered_hi"] += bool(hi_live)
        row[status] += 1
    found = coverage.counts(communes, day)
    assert sum(row["population"] for row in expected.values()) > 100  # the demo's registry, not a corner
    assert any(row[coverage.COVERED] or row[coverage.LAPSED] for row in expected.values())  # cover was paid
    assert any(row[coverage.NEVER_COVERED] for row in expected.values())
    assert set(found) == set(expected)
    for area_id, row in expected.items():
        got = found[area_id]
        assert (got.population, got.covered_vsi, got.covered_hi, got.covered, got.covered_elsewhere, got.lapsed,
                got.never_covered) == (row["population"], row["covered_vsi"], row["covered_hi"], row[coverage.COVERED],
                                       row[coverage.COVERED_ELSEWHERE], row[coverage.LAPSED],
                                       row[coverage.NEVER_COVERED]), area_id


@pytest.mark.parametrize("model", [Person, Membership, Enrollment, HiCardLine, OtherCoverage])
def test_the_counts_name_each_table_from_its_model(model: type[Model], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model._meta, "db_table", "renamed_table")
    assert "renamed_table" in coverage._counts_sql(2)
