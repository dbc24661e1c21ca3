"""``config.prepared.Prepared``: a queryset compiled once answers as the ORM would for other values, with
its ``select_related`` objects and annotations, and refuses a sample it cannot find among the parameters."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from ansinh.areas.models import AdministrativeUnit
from ansinh.config.prepared import Prepared
from tests.builders import COMMUNE_X, COMMUNE_Y, commune

pytestmark = pytest.mark.django_db

UNITS = Prepared(lambda code, on: AdministrativeUnit.objects.select_related("parent").filter(code=code)
                 .exclude(valid_to__lt=on).annotate(children_count=Count("children")).order_by("pk")[:1],
                 code="sample-code", on=date(1901, 2, 3))


def test_other_values_give_the_rows_the_orm_gives() -> None:
    for code in (COMMUNE_X, COMMUNE_Y):
        expected = AdministrativeUnit.objects.select_related("parent").get(pk=commune(code).pk)
        found = UNITS.first(code=code, on=date(2025, 8, 1))
        assert found is not None and found.pk == expected.pk
        with CaptureQueriesContext(connection) as ctx:
            assert found.parent == expected.parent and found.parent is not None
        assert ctx.captured_queries == []  # built from the same row
        assert found.children_count == expected.children.count()  # type: ignore[attr-defined]
    assert UNITS.first(code="no-such-code", on=date(2025, 8, 1)) is None


def test_a_sample_not_among_the_parameters_is_refused() -> None:
    wrong = Prepared(lambda code: AdministrativeUnit.objects.filter(code="16681"), code="sample-code")
    with pytest.raises(ValueError, match="sample-code"):
        wrong.first(code="16681")
