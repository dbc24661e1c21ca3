"""Identifier rules (DOMAIN.md §3.4): each refusal says which part disagrees."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.errors import DomainError
from ansinh.lib.identifiers import (
    PROVINCE_CODES,
    check_citizen_id,
    check_si_code,
    mask_citizen_id,
    mask_phone,
    normalize_phone,
)
from ansinh.lib.text import fold


def refused_part(cid: str, born: date, sex: str) -> str:
    with pytest.raises(DomainError) as refused:
        check_citizen_id(cid, born, sex)  # type: ignore[arg-type]
    assert refused.value.code == "citizen_id_invalid"
    part: str = refused.value.details["part"]
    return part


def test_there_are_63_province_codes_and_nghe_an_is_one() -> None:
    assert len(PROVINCE_CODES) == 63 and "40" in PROVINCE_CODES


@pytest.mark.parametrize(
    ("cid", "born", "sex"),
    [
        ("040085000123", date(1985, 3, 2), "male"),
        ("040185000123", date(1985, 3, 2), "female"),
        ("040203000123", date(2003, 1, 1), "male"),
        ("001305999999", date(2005, 12, 31), "female"),
    ],
)
def test_valid_citizen_ids_agree_with_birth_year_and_sex(cid: str, born: date, sex: str) -> None:
    assert check_citizen_id(f" {cid} ", born, sex) == cid  # type: ignore[arg-type]


def test_a_citizen_id_needs_12_digits() -> None:
    assert refused_part("04008500012", date(1985, 1, 1), "male") == "length"
    assert refused_part("04008500012a", date(1985, 1, 1), "male") == "length"


def test_the_province_code_must_exist() -> None:
    assert refused_part("003085000123", date(1985, 1, 1), "male") == "province"  # 03 is not a province


def test_the_century_and_sex_digit_must_agree() -> None:
    assert refused_part("040185000123", date(1985, 1, 1), "male") == "century_sex"  # 1 = female 1900s
    assert refused_part("040085000123", date(2085, 1, 1), "male") == "century_sex"  # 2000s male is 2


def test_the_year_digits_must_agree() -> None:
    with pytest.raises(DomainError) as refused:
        check_citizen_id("040086000123", date(1985, 1, 1), "male")
    assert refused.value.details["part"] == "year"
    assert "năm sinh là 1985" in refused.value.message


def test_si_codes_have_10_digits_and_a_province_prefix() -> None:
    assert check_si_code("4012345678") == "4012345678"
    for bad in ("401234567", "0312345678", "40123456789"):
        with pytest.raises(DomainError):
            check_si_code(bad)


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "84912345678", "091 234 5678", "+84 91-234.5678"])
def test_phones_are_normalised_to_ten_digits(raw: str) -> None:
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["091234567", "0212345678", "+1 555 0100", "09123456789"])
def test_non_mobile_phones_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        normalize_phone(raw)
    assert refused.value.code == "phone_invalid"


def test_masks_keep_only_the_ends() -> None:
    assert mask_citizen_id("040123456123") == "040******123"
    assert mask_phone("0912345678") == "091****678"


def test_folding_ignores_case_and_diacritics() -> None:
    assert fold("  Nguyễn  Văn   Ả ") == "nguyen van a"
    assert fold("ĐẶNG THỊ Đào") == "dang thi dao"
