"""A scope follows the map's history (docs/adr/0007-scope-through-time.md): a grant covers every unit
whose territory lies wholly within the granted territory, in any period."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit, Level, Succession, SuccessionKind
from ansinh.org.models import OrgKind, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import grant_role
from ansinh.registry import lookups, queries, services
from tests.builders import COMMUNE_X, org_unit, person_data, user

pytestmark = pytest.mark.django_db

LAUNCH = date(2022, 5, 8)
JAN_2025 = date(2025, 3, 1)
TODAY = date(2025, 8, 1)
SPLIT_DAY = date(2025, 7, 1)


def unit(code: str, on: date) -> AdministrativeUnit:
    found = areas.unit_on(code, on)
    assert found is not None, code
    return found


def codes(area_ids: frozenset[int]) -> list[tuple[str, str]]:
    units = AdministrativeUnit.objects.filter(pk__in=area_ids).order_by("code", F("valid_from").asc(nulls_first=True))
    return [(u.code, u.name) for u in units]


def granted(*units: AdministrativeUnit, role: Role = Role.OFFICE_MANAGER) -> frozenset[int]:
    made = user(role)
    grant_role(made, role, list(units))
    return scope_for(made).area_ids


def test_todays_ward_covers_the_eight_communes_it_was_made_of() -> None:
    assert codes(granted(unit("16681", TODAY))) == [
        ("16663", "Phường Đông Vĩnh"), ("16669", "Phường Lê Lợi"), ("16672", "Phường Hưng Bình"),
        ("16678", "Phường Cửa Nam"), ("16681", "Phường Quang Trung"), ("16681", "Phường Thành Vinh"),
        ("16684", "Phường Đội Cung"), ("16687", "Phường Lê Mao"), ("18013", "Xã Hưng Chính")]


def test_a_2024_ward_covers_the_2022_wards_merged_into_it_but_not_the_2025_ward_it_joined() -> None:
    quang_trung = unit("16681", JAN_2025)
    assert codes(granted(quang_trung)) == [("16681", "Phường Quang Trung"), ("16684", "Phường Đội Cung"),
                                           ("16687", "Phường Lê Mao")]


def test_a_2022_wards_grant_is_not_widened_to_the_wards_it_merged_with() -> None:
    assert codes(granted(unit("16687", LAUNCH))) == [("16687", "Phường Lê Mao")]


def test_a_rename_is_covered_both_ways_and_a_merger_of_all_granted_units_too() -> None:
    old, renamed = unit("16723", LAUNCH), unit("16723", JAN_2025)  # Thu Thuỷ (Cửa Lò) → Thu Thủy (Vinh)
    assert granted(old) == granted(renamed) == {old.pk, renamed.pk}
    all_eight = [u for u in AdministrativeUnit.objects.filter(pk__in=granted(unit("16681", TODAY)))
                 if u.valid_from is None]
    assert unit("16681", TODAY).pk in granted(*all_eight)


def test_a_district_grant_covers_the_new_wards_made_only_of_its_communes() -> None:
    vinh_city = granted(unit("412", LAUNCH))
    assert unit("16681", TODAY).pk in vinh_city and unit("16723", LAUNCH).pk in vinh_city  # Cửa Lò merged in
    assert unit("17329", TODAY).pk not in vinh_city  # Xã Anh Sơn


def _split_commune() -> tuple[AdministrativeUnit, AdministrativeUnit, AdministrativeUnit]:
    """Xã Cũ (until 30/06/2025) split into Xã Bắc and Xã Nam."""
    province = unit("40", TODAY)
    old = AdministrativeUnit.objects.create(code="99001", name="Xã Cũ", level=Level.COMMUNE, parent=province,
                                            valid_to=date(2025, 6, 30))
    north, south = (AdministrativeUnit.objects.create(code=code, name=name, level=Level.COMMUNE, parent=province,
                                                      valid_from=SPLIT_DAY)
                    for code, name in (("99002", "Xã Bắc"), ("99003", "Xã Nam")))
    for part in (north, south):
        Succession.objects.create(from_unit=old, to_unit=part, date=SPLIT_DAY, kind=SuccessionKind.SPLIT)
    return old, north, south


def test_a_split_communes_own_records_stay_with_grants_that_cover_all_of_it() -> None:
    old, north, south = _split_commune()
    assert granted(north) == {north.pk}  # not the whole of the old commune: half of it went south
    assert granted(old) == {old.pk, north.pk, south.pk}  # both parts lie within it
    assert old.pk in granted(north, south)


def test_a_split_district_gives_each_part_the_communes_that_went_to_it() -> None:
    province = unit("40", TODAY)
    district = AdministrativeUnit.objects.create(code="990", name="Huyện Cũ", level=Level.DISTRICT, parent=province,
                                                 valid_to=date(2024, 12, 31))
    east, west = (AdministrativeUnit.objects.create(code=code, name=name, level=Level.DISTRICT, parent=province,
                                                    valid_from=date(2025, 1, 1))
                  for code, name in (("991", "Huyện Đông"), ("992", "Huyện Tây")))
    moved = {}
    for code, part in (("99011", east), ("99012", west)):
        before = AdministrativeUnit.objects.create(code=code, name=f"Xã {code}", level=Level.COMMUNE,
                                                   parent=district, valid_to=date(2024, 12, 31))
        after = AdministrativeUnit.objects.create(code=code, name=f"Xã {code}", level=Level.COMMUNE, parent=part,
                                                  valid_from=date(2025, 1, 1))
        Succession.objects.create(from_unit=before, to_unit=after, date=date(2025, 1, 1), kind=SuccessionKind.RENAME)
        Succession.objects.create(from_unit=district, to_unit=part, date=date(2025, 1, 1), kind=SuccessionKind.SPLIT)
        moved[code] = (before.pk, after.pk)
    assert granted(east) == {east.pk, *moved["99011"]}
    assert granted(district) == {district.pk, east.pk, west.pk, *moved["99011"], *moved["99012"]}


def test_a_record_of_a_split_commune_reaches_a_parts_manager_once_moved_to_that_part() -> None:
    old, north, _ = _split_commune()
    admin = user(Role.PROVINCE_ADMIN, "40")
    north_manager = user(Role.OFFICE_MANAGER)
    grant_role(north_manager, Role.OFFICE_MANAGER, [north])
    person = services.create_person(admin, scope_for(admin), person_data(area_id=old.pk))
    assert lookups.search_people(north_manager, scope_for(north_manager), "Nguyễn Văn An").page.paginator.count == 0
    data = person_data(area_id=north.pk)
    services.update_person(admin, scope_for(admin), person.pk, data)
    assert queries.person(scope_for(north_manager), person.pk).area_id == north.pk


def test_the_scope_costs_the_same_few_queries_whatever_the_map() -> None:
    point = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_X)
    agent = user(Role.AGENT, COMMUNE_X, org_units=[point])
    with CaptureQueriesContext(connection) as ward:
        scope_for(agent)
    province = user(Role.PROVINCE_ADMIN, "40")
    with CaptureQueriesContext(connection) as whole:
        scope = scope_for(province)
    # The whole of Nghệ An's map, in every period, and none of the other provinces' units.
    assert scope.area_ids == set(areas.subtree_ids([unit("40", TODAY).pk]))
    assert len(scope.area_ids) == 668 and unit("42", TODAY).pk not in scope.area_ids  # nghe_an_units.csv's rows
    assert len(ward.captured_queries) <= 7 and len(whole.captured_queries) <= 5
