"""The parameter loader refuses every malformed file, naming the file and the key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.rules import params

GOOD = """\
description: Test parameter
unit: vnd
values:
  2020-01-01:
    value: 100
    reference: {title: "Decree 1/2020"}
  2021-01-01:
    value: 200
    reference: {title: "Decree 2/2021", url: "https://example.org/2"}
  2022-01-01:
    value: null
    reference: {title: "Decree 3/2022"}
"""


def write(tmp_path: Path, text: str, name: str = "thing.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> DomainError:
    with pytest.raises(DomainError) as refused:
        params.parse_parameter_file(write(tmp_path, text), "thing")
    assert refused.value.code is ErrorCode.PARAMETER_FILE_INVALID
    assert "thing.yaml" in refused.value.message
    return refused.value


def test_it_looks_values_up_by_effective_date(tmp_path: Path) -> None:
    thing = params.parse_parameter_file(write(tmp_path, GOOD), "thing")
    assert thing.at(date(2020, 1, 1)).value == 100
    assert thing.at(date(2020, 12, 31)).value == 100
    found = thing.at(date(2021, 6, 1))
    assert (found.value, found.effective, found.reference.url) == (200, date(2021, 1, 1), "https://example.org/2")


def test_it_refuses_a_date_before_the_first_value(tmp_path: Path) -> None:
    thing = params.parse_parameter_file(write(tmp_path, GOOD), "thing")
    with pytest.raises(DomainError) as refused:
        thing.at(date(2019, 12, 31))
    assert refused.value.code is ErrorCode.PARAMETER_NOT_IN_FORCE
    assert "01/01/2020" in refused.value.message


def test_null_ends_the_rule(tmp_path: Path) -> None:
    thing = params.parse_parameter_file(write(tmp_path, GOOD), "thing")
    assert not thing.in_force(date(2022, 1, 1))
    with pytest.raises(DomainError) as refused:
        thing.at(date(2022, 1, 1))
    assert refused.value.code is ErrorCode.PARAMETER_NOT_IN_FORCE


def test_it_refuses_an_unknown_unit(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace("unit: vnd", "unit: dollars"))
    assert error.details["key"] == "unit"
    assert "dollars" in error.message


def test_it_refuses_a_value_without_reference(tmp_path: Path) -> None:
    text = GOOD.replace('    reference: {title: "Decree 1/2020"}\n', "")
    error = refusal(tmp_path, text)
    assert error.details["key"] == "2020-01-01"
    assert "reference" in error.message


def test_it_refuses_a_reference_without_title(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace('{title: "Decree 1/2020"}', '{url: "https://example.org"}'))
    assert error.details["key"] == "2020-01-01"


def test_it_refuses_a_duplicate_date_and_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("  2021-01-01:", "  2020-01-01:")
    error = refusal(tmp_path, text)
    assert "duplicate key '2020-01-01'" in error.message
    assert error.details["line"] == 7


def test_it_refuses_a_malformed_date(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace("2021-01-01", "2021-13-01"))
    assert error.details["key"] == "2021-13-01"
    assert error.details["line"] == 7


def test_it_refuses_a_value_of_the_wrong_unit(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace("value: 200", "value: 0.5"))
    assert error.details["key"] == "2021-01-01"


def test_it_refuses_an_unknown_field(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace("description:", "colour: red\ndescription:"))
    assert error.details["key"] == "colour"


def test_it_refuses_a_bad_url(tmp_path: Path) -> None:
    refusal(tmp_path, GOOD.replace("https://example.org/2", "example.org/2"))


def test_rates_are_exact_decimals(tmp_path: Path) -> None:
    text = GOOD.replace("unit: vnd", "unit: rate").replace("value: 100", "value: 0.045")
    thing = params.parse_parameter_file(write(tmp_path, text), "thing")
    assert thing.at(date(2020, 6, 1)).value == Decimal("0.045")


def test_an_unpublished_value_asks_for_it(tmp_path: Path) -> None:
    thing = params.parse_parameter_file(write(tmp_path, GOOD.replace("value: 200", "value: unpublished")), "thing")
    assert thing.in_force(date(2021, 6, 1))
    with pytest.raises(DomainError) as refused:
        thing.at(date(2021, 6, 1))
    assert refused.value.code is ErrorCode.PARAMETER_UNPUBLISHED
    assert "Decree 2/2021" in refused.value.message


def test_yearly_values_hold_for_their_own_year_only(tmp_path: Path) -> None:
    text = 'description: r\nunit: rate\nperiod: year\nvalues:\n  2023-01-01: {value: 0.004, reference: {title: "CV"}}\n'
    thing = params.parse_parameter_file(write(tmp_path, text), "r")
    assert thing.at(date(2023, 12, 31)).value == Decimal("0.004")
    with pytest.raises(DomainError) as refused:
        thing.at(date(2024, 1, 1))
    assert refused.value.code is ErrorCode.PARAMETER_UNPUBLISHED


def test_an_overlay_replaces_a_shipped_parameter(tmp_path: Path) -> None:
    (tmp_path / "local_support").mkdir()
    write(
        tmp_path / "local_support",
        'description: Top-up\nunit: rate\nvalues:\n  2025-05-01: {value: {poor: 0.5}, reference: {title: "NQ"}}\n',
        "40.yaml",
    )
    merged = params.load(params.SHIPPED_DIR, tmp_path)
    assert merged.at("local_support/40", date(2025, 8, 1)).value == {"poor": Decimal("0.5")}
    assert "base_salary" in merged


def test_every_shipped_parameter_loads_and_cites_its_source() -> None:
    shipped = params.load(params.SHIPPED_DIR)
    assert len(shipped.names()) >= 19
    for name in shipped.names():
        for entry in shipped.get(name).entries:
            assert entry.reference.title, name


def test_the_fund_return_ships_with_no_value() -> None:
    r = params.load(params.SHIPPED_DIR).get("vsi/fund_monthly_return")
    assert r.entries == ()


def test_the_2026_base_salary_is_verified_and_the_2026_coefficients_are_marked_second_hand() -> None:
    shipped = params.load(params.SHIPPED_DIR)
    salary = shipped.at("base_salary", date(2026, 7, 1))
    assert (salary.value, salary.reference.unverified) == (2530000, False)
    assert "161/2026" in salary.reference.title
    table_2026 = shipped.at("benefits/income_adjustment_coefficients", date(2026, 6, 1))
    assert table_2026.reference.unverified and "340/BHXH-CSXH" in table_2026.reference.title
    table_2025 = shipped.at("benefits/income_adjustment_coefficients", date(2025, 6, 1))
    assert not table_2025.reference.unverified and "01/2025/TT-BLĐTBXH" in table_2025.reference.title


def test_citations_name_the_articles_of_the_text() -> None:
    shipped = params.load(params.SHIPPED_DIR)
    on = date(2025, 8, 1)
    assert "Điều 9, khoản 7" in shipped.at("household_hi/terms", on).reference.title
    assert "Điều 109" in shipped.at("benefits/funeral_allowance_multiple", on).reference.title
    assert "Điều 94, khoản 1" in shipped.at("benefits/maternity_grant_min_months", on).reference.title
    assert "household_hi/lapse_months_more_than" not in shipped
    assert shipped.at("household_hi/lapse_uncovered_months_at_least", date(2025, 6, 30)).value == 3
