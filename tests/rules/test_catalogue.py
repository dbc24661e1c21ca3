"""The parameter catalogue (rules/catalogue.py): history, the value in force on a day, marks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ansinh.rules import catalogue
from ansinh.rules.params import default_parameters, load

SHIPPED = default_parameters()


def entry(name: str, on: date) -> catalogue.Entry:
    found = [e for e in catalogue.catalogue(SHIPPED, on) if e.name == name]
    assert len(found) == 1
    return found[0]


def test_every_shipped_parameter_is_listed() -> None:
    assert [e.name for e in catalogue.catalogue(SHIPPED, date(2025, 8, 1))] == SHIPPED.names()


def test_the_base_salary_in_force_changes_on_1_july_2026() -> None:
    before = entry("base_salary", date(2026, 6, 30)).current
    after = entry("base_salary", date(2026, 7, 1)).current
    assert before is not None and after is not None
    assert (before.value, before.text, before.effective) == (2_340_000, "2.340.000 đ", date(2024, 7, 1))
    assert (after.value, after.text) == (2_530_000, "2.530.000 đ")
    assert after.reference.title.startswith("Nghị định 161/2026/NĐ-CP")
    assert not after.reference.unverified


def test_exactly_one_version_is_in_force_and_none_before_the_first() -> None:
    history = entry("base_salary", date(2025, 1, 1)).versions
    assert sum(v.in_force for v in history) == 1
    assert entry("base_salary", date(2013, 6, 30)).current is None


def test_unpublished_and_ended_versions_are_marked() -> None:
    versions = entry("household_hi/local_support/40", date(2026, 3, 1)).versions
    assert [(v.status, v.in_force) for v in versions] == [("unpublished", True), ("ended", False)]
    assert versions[0].value is None and versions[0].text == "chưa công bố"
    assert entry("household_hi/local_support/40", date(2031, 1, 1)).current.status == "ended"  # type: ignore[union-attr]


def test_a_yearly_parameter_is_in_force_only_in_its_year_and_its_mark_shows() -> None:
    coefficients = entry("benefits/income_adjustment_coefficients", date(2026, 5, 1)).current
    assert coefficients is not None and coefficients.reference.unverified
    assert "2008: 2,29 lần" in coefficients.text
    assert entry("benefits/income_adjustment_coefficients", date(2027, 1, 1)).current is None


def test_rates_and_mappings_read_in_vietnamese() -> None:
    nghe_an = entry("local_support/40", date(2025, 7, 1)).current
    assert nghe_an is not None and nghe_an.text == "poor: 30%; near_poor: 25%; other: 5%"
    assert entry("local_support/40", date(2025, 6, 30)).current is None


def test_an_overlay_value_is_what_the_catalogue_shows(tmp_path: Path) -> None:
    (tmp_path / "base_salary.yaml").write_text(
        "description: Lương cơ sở\nunit: vnd\nvalues:\n  2024-07-01:\n    value: 9\n"
        "    reference: {title: 'Thử', unverified: true}\n", encoding="utf-8")
    params = load(Path(catalogue.__file__).parent / "parameters", tmp_path)
    found = next(e for e in catalogue.catalogue(params, date(2026, 8, 1), "base_") if e.name == "base_salary")
    assert found.current is not None and found.current.text == "9 đ" and found.current.reference.unverified
