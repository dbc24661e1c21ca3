"""A province's staff see only their province: with every province's map loaded (areas migration
0005), a grant on another province's unit sees none of Nghệ An's people, households or figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.org.services import grant_role
from ansinh.registry import queries
from ansinh.reports import queries as reports
from ansinh.reports.models import Fact
from tests.builders import user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]

TODAY = date(2025, 8, 1)
YEARS = (date(2020, 1, 1), date(2026, 12, 31))


def staff_of(code: str, role: Role = Role.PROVINCE_ADMIN):  # type: ignore[no-untyped-def]
    unit = areas.unit_on(code, TODAY)
    assert unit is not None, code
    made = user(None)
    grant_role(made, role, [unit])
    return made


def test_the_nghe_an_demo_has_people_and_figures_for_its_own_staff() -> None:
    scope = scope_for(staff_of("40"))
    assert queries.people(scope).exists() and queries.households(scope).exists()
    assert reports.overview(*YEARS, scope.area_ids)["amount"] > 0


@pytest.mark.parametrize("code", ["42", "18073", "79"])  # Hà Tĩnh, a Hà Tĩnh ward, Hồ Chí Minh City
def test_another_provinces_grant_sees_none_of_nghe_an(code: str) -> None:
    scope = scope_for(staff_of(code))
    assert scope.area_ids, "the grant covers its own province's units"
    assert {areas.province_codes(scope.area_ids)[pk] for pk in scope.area_ids} == {code[:2] if len(code) == 2 else "42"}
    nghe_an = set(areas.subtree_ids([areas.unit_on("40", TODAY).pk]))  # type: ignore[union-attr]
    assert not nghe_an & scope.area_ids
    assert not queries.people(scope).exists() and not queries.households(scope).exists()
    overview = reports.overview(*YEARS, scope.area_ids)
    assert (overview["amount"], overview["vsi_new_people"], overview["hi_new_people"]) == (0, 0, 0)
    assert reports.by_commune(*YEARS, scope.area_ids) == []


def _dashboard(staff) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(staff)
    page = client.get("/bao-cao/", {"start": "2020-01-01", "end": "2026-12-31", "map": "recorded", "level": "commune"})
    assert page.status_code == 200
    return page.content.decode()


def test_the_dashboard_page_of_ha_tinh_shows_no_nghe_an_commune() -> None:
    recorded = set(AdministrativeUnit.objects.filter(
        pk__in=Fact.objects.values_list("area_id", flat=True)).values_list("name", flat=True))
    assert recorded, "the demo has facts in Nghệ An"
    nghe_an, ha_tinh = _dashboard(staff_of("40", Role.OFFICE_MANAGER)), _dashboard(staff_of("42", Role.OFFICE_MANAGER))
    assert [name for name in recorded if name in nghe_an]  # the control
    assert not [name for name in recorded if name in ha_tinh]
