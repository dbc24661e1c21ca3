"""Nghệ An's map through 2022, the 01/01/2025 mergers and the 01/07/2025 abolition of districts."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.areas import queries
from ansinh.areas.models import AdministrativeUnit, Level

pytestmark = pytest.mark.django_db

LAUNCH_DAY = date(2022, 5, 8)
AFTER_JAN_2025 = date(2025, 3, 1)
AFTER_JUL_2025 = date(2025, 8, 1)


def unit(code: str, on: date) -> AdministrativeUnit:
    found = queries.unit_on(code, on)
    assert found is not None, code
    return found


def names(units: list[AdministrativeUnit]) -> list[str]:
    return [u.name for u in units]


def test_nghe_an_has_21_district_units_in_2022_with_the_statistics_codes() -> None:
    districts = queries.children(unit("40", LAUNCH_DAY), LAUNCH_DAY)
    assert districts.count() == 21
    assert {d.code: d.name for d in districts}["413"] == "Thị xã Cửa Lò"
    assert {d.code for d in districts} == {str(c) for c in range(412, 433)}


def test_460_communes_in_2022_412_after_january_2025_130_after_july_2025() -> None:
    province = unit("40", LAUNCH_DAY)
    communes_2022 = sum(queries.children(d, LAUNCH_DAY).count() for d in queries.children(province, LAUNCH_DAY))
    communes_jan = sum(queries.children(d, AFTER_JAN_2025).count() for d in queries.children(province, AFTER_JAN_2025))
    assert (communes_2022, communes_jan) == (460, 412)
    assert queries.children(province, AFTER_JAN_2025).count() == 20
    now = queries.children(province, AFTER_JUL_2025)
    assert now.count() == 130
    assert {u.level for u in now} == {Level.COMMUNE, Level.WARD}
    assert now.filter(level=Level.WARD).count() == 11


def test_cua_lo_merges_into_vinh_on_1_january_2025() -> None:
    assert queries.unit_on("413", date(2024, 12, 31)) is not None
    assert queries.unit_on("413", date(2025, 1, 1)) is None
    nghi_thuy = unit("16723", AFTER_JAN_2025)  # a Cửa Lò ward, now in Vinh
    assert nghi_thuy.parent is not None and nghi_thuy.parent.code == "412"
    assert unit("16723", LAUNCH_DAY).parent.code == "413"  # type: ignore[union-attr]


def test_a_2022_ward_maps_forward_through_both_changes() -> None:
    le_mao = unit("16687", LAUNCH_DAY)
    assert names(queries.remap(le_mao, AFTER_JAN_2025)) == ["Phường Quang Trung"]
    assert names(queries.remap(le_mao, AFTER_JUL_2025)) == ["Phường Thành Vinh"]


def test_a_2022_district_maps_to_todays_communes_through_its_own_communes() -> None:
    cua_lo = unit("413", LAUNCH_DAY)
    assert names(queries.remap(cua_lo, AFTER_JUL_2025)) == ["Phường Cửa Lò"]
    nghi_loc = queries.remap(unit("429", LAUNCH_DAY), AFTER_JUL_2025)
    assert nghi_loc and all(u.parent.code == "40" for u in nghi_loc)  # type: ignore[union-attr]


def test_todays_ward_maps_back_to_the_2022_wards_it_came_from() -> None:
    thanh_vinh = unit("16681", AFTER_JUL_2025)
    back = names(queries.remap(thanh_vinh, LAUNCH_DAY))
    assert {"Phường Quang Trung", "Phường Lê Mao", "Phường Đội Cung"} <= set(back)
    assert all(u.valid_from is None for u in queries.remap(thanh_vinh, LAUNCH_DAY))


def test_every_2022_commune_reaches_a_current_commune() -> None:
    province = unit("40", LAUNCH_DAY)
    for district in queries.children(province, LAUNCH_DAY):
        for commune in queries.children(district, LAUNCH_DAY):
            assert queries.remap(commune, AFTER_JUL_2025), commune


def test_ancestors_go_up_to_the_province() -> None:
    assert [u.code for u in queries.ancestors(unit("16687", LAUNCH_DAY))] == ["412", "40"]
