"""Nghệ An's map through 2022, the NQ 1243/NQ-UBTVQH15 mergers (in force 01/12/2024) and the 01/07/2025
abolition of districts (NQ 1678/NQ-UBTVQH15)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from ansinh.areas import queries
from ansinh.areas.models import AdministrativeUnit, Level, Succession

pytestmark = pytest.mark.django_db

LAUNCH_DAY = date(2022, 5, 8)
AFTER_NQ_1243 = date(2025, 3, 1)
LAST_DAY_BEFORE_NQ_1243, FIRST_DAY_OF_NQ_1243 = date(2024, 11, 30), date(2024, 12, 1)
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


def _counts(on: date) -> tuple[int, int]:
    province = unit("40", on)
    districts = queries.children(province, on)
    return districts.count(), sum(queries.children(d, on).count() for d in districts)


def test_21_districts_460_communes_on_30_november_2024_20_and_412_from_1_december_2024() -> None:
    assert _counts(LAST_DAY_BEFORE_NQ_1243) == (21, 460)
    assert _counts(FIRST_DAY_OF_NQ_1243) == (20, 412)
    assert _counts(date(2024, 12, 31)) == (20, 412)  # the old, wrong date is no longer a boundary


def test_460_communes_in_2022_412_after_nq_1243_130_after_july_2025() -> None:
    province = unit("40", LAUNCH_DAY)
    communes_2022 = sum(queries.children(d, LAUNCH_DAY).count() for d in queries.children(province, LAUNCH_DAY))
    communes_jan = sum(queries.children(d, AFTER_NQ_1243).count() for d in queries.children(province, AFTER_NQ_1243))
    assert (communes_2022, communes_jan) == (460, 412)
    assert queries.children(province, AFTER_NQ_1243).count() == 20
    now = queries.children(province, AFTER_JUL_2025)
    assert now.count() == 130
    assert {u.level for u in now} == {Level.COMMUNE, Level.WARD}
    assert now.filter(level=Level.WARD).count() == 11


def test_cua_lo_and_four_nghi_loc_communes_merge_into_vinh_on_1_december_2024() -> None:
    assert queries.unit_on("413", LAST_DAY_BEFORE_NQ_1243) is not None
    assert queries.unit_on("413", FIRST_DAY_OF_NQ_1243) is None
    merge = Succession.objects.get(from_unit__code="413", to_unit__code="412")
    assert merge.date == FIRST_DAY_OF_NQ_1243
    for name in ("Nghi Xuân", "Phúc Thọ", "Nghi Thái", "Nghi Phong"):
        before = AdministrativeUnit.objects.get(name__endswith=name, valid_to=LAST_DAY_BEFORE_NQ_1243)
        assert before.parent is not None and before.parent.code == "429"  # Huyện Nghi Lộc
        after = queries.unit_on(before.code, FIRST_DAY_OF_NQ_1243)
        if after is not None:  # kept its code, now in Vinh
            assert after.parent is not None and after.parent.code == "412"
        else:  # merged into a Vinh commune
            targets = queries.remap(before, FIRST_DAY_OF_NQ_1243)
            assert targets and all(t.parent.code == "412" for t in targets)  # type: ignore[union-attr]
    nghi_thuy = unit("16723", AFTER_NQ_1243)  # a Cửa Lò ward, now in Vinh
    assert nghi_thuy.parent is not None and nghi_thuy.parent.code == "412"
    assert unit("16723", LAUNCH_DAY).parent.code == "413"  # type: ignore[union-attr]


def test_a_2022_ward_maps_forward_through_both_changes() -> None:
    le_mao = unit("16687", LAUNCH_DAY)
    assert names(queries.remap(le_mao, AFTER_NQ_1243)) == ["Phường Quang Trung"]
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


def test_a_database_loaded_with_the_old_dates_ends_as_a_fresh_one() -> None:
    """Migration 0003 moves 01/01/2025 → 01/12/2024 (and 31/12/2024 → 30/11/2024) on a database that
    0002 loaded from the old files; on a fresh database it moves nothing."""
    def state() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        units = AdministrativeUnit.objects.values_list("code", "valid_from", "valid_to", "parent__code")
        return (sorted(units, key=str),
                sorted(Succession.objects.values_list("from_unit__code", "to_unit__code", "date", "kind"),
                       key=str))
    fresh = state()
    migration = importlib.import_module("ansinh.areas.migrations.0003_rules2_nq1243_date")
    migration.move(apps, None)
    assert state() == fresh  # nothing to move on a fresh database
    Succession.objects.filter(date=date(2024, 12, 1)).update(date=date(2025, 1, 1))
    AdministrativeUnit.objects.filter(valid_to=date(2024, 11, 30)).update(valid_to=date(2024, 12, 31))
    AdministrativeUnit.objects.filter(valid_from=date(2024, 12, 1)).update(valid_from=date(2025, 1, 1))
    assert queries.unit_on("413", date(2024, 12, 15)) is not None  # the old, wrong state
    migration.move(apps, None)
    assert state() == fresh
    assert queries.unit_on("413", date(2024, 12, 15)) is None
