"""The 34 provinces in force from 01/07/2025 and their 3,321 communes (areas migration 0005), beside
Nghệ An's history, which the national load leaves as it was."""

from __future__ import annotations

import csv
import importlib
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps

from ansinh.areas import queries
from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit, Level

pytestmark = pytest.mark.django_db

AFTER_JUL_2025 = date(2025, 8, 1)
LAUNCH_DAY = date(2022, 5, 8)
DATA = Path(queries.__file__).parent / "data"


def test_34_provinces_and_3321_communes_are_in_force_after_1_july_2025() -> None:
    provinces = AdministrativeUnit.objects.filter(queries.in_force(AFTER_JUL_2025), level=Level.PROVINCE)
    assert provinces.count() == 34
    assert {"01", "40", "42", "79", "96"} <= set(provinces.values_list("code", flat=True))
    communes = queries.communes(AFTER_JUL_2025)
    assert communes.count() == 3321
    assert communes.filter(level=Level.SPECIAL_ZONE).count() == 13
    assert communes.filter(level=Level.WARD).count() == 687
    # Every commune hangs directly under a province in force (no districts from 01/07/2025).
    assert set(communes.values_list("parent__level", flat=True)) == {Level.PROVINCE}
    assert not communes.filter(parent__valid_to__isnull=False).exists()


def test_each_province_has_its_communes_and_a_merged_province_starts_on_1_july_2025() -> None:
    ho_chi_minh = queries.unit_on("79", AFTER_JUL_2025)
    assert ho_chi_minh is not None and ho_chi_minh.valid_from == date(2025, 7, 1)  # with Bình Dương, Bà Rịa-VT
    assert queries.children(ho_chi_minh, AFTER_JUL_2025).count() == 168
    ha_tinh = queries.unit_on("42", AFTER_JUL_2025)
    assert ha_tinh is not None and ha_tinh.valid_from is None  # unchanged territory, as Nghệ An
    assert queries.children(ha_tinh, AFTER_JUL_2025).count() == 69
    assert queries.province_code(queries.unit_on("06994", AFTER_JUL_2025)) == "22"  # type: ignore[arg-type]
    # Before 01/07/2025 the other provinces' communes are not in force (their history is not loaded).
    assert not queries.communes(LAUNCH_DAY).exclude(parent__code="40").exclude(parent__parent__code="40").exists()


def test_nghe_an_keeps_its_own_rows_and_history() -> None:
    province = queries.unit_on("40", AFTER_JUL_2025)
    assert province is not None
    assert queries.children(province, AFTER_JUL_2025).count() == 130
    assert queries.children(province, LAUNCH_DAY).count() == 21
    with (DATA / "nghe_an_units.csv").open(encoding="utf-8") as handle:
        shipped = sum(1 for _ in csv.DictReader(handle))
    assert len(queries.subtree_ids([province.pk])) == shipped


def test_the_load_is_idempotent_and_leaves_units_already_imported() -> None:
    migration = importlib.import_module("ansinh.areas.migrations.0005_national_units")
    ha_tinh_commune = AdministrativeUnit.objects.get(code="18073")
    ha_tinh_commune.name = "Tên do tỉnh nhập"
    ha_tinh_commune.save()
    before = AdministrativeUnit.objects.count()
    migration.load(apps, None)
    assert AdministrativeUnit.objects.count() == before
    assert AdministrativeUnit.objects.get(code="18073").name == "Tên do tỉnh nhập"
    assert set(AdministrativeUnit.objects.filter(code="18073").values_list("level", flat=True)) <= set(COMMUNE_LEVELS)
