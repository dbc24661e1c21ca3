"""Identifiers of people (DOMAIN.md §3.4), validated at the edge with a message saying what is wrong.

- Citizen ID (CCCD, 12 digits): 3-digit province of birth registration, 1 digit for century and
  sex (1900s: male 0 / female 1; 2000s: 2 / 3; each later century +2), 2 digits of the birth
  year, 6 random digits (Circular 59/2021/TT-BCA, art. 7).
- Legacy SI code: 10 digits, the first two a province code.
- Phone: Vietnamese mobile, 10 digits starting 0; "+84"/"84" accepted and normalised.

All three are ASCII digits once stored: full-width digits (typed with a Vietnamese or Japanese input
method) are folded to ASCII by NFKC before any check, and the uniqueness check sees the folded value,
so "０４０…" cannot register a second time an ID stored as "040…". Other digit scripts are refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_, translate

Sex = Literal["male", "female"]

# Statistics-office codes of the 63 provinces of 2004–2025, which prefix citizen IDs (with a
# leading 0) and legacy SI codes. They stay valid on IDs issued before the 2025 mergers.
PROVINCE_CODES = frozenset(
    [
        "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
        "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
        "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
        "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96",
    ]
)
MOBILE_PREFIXES = frozenset("35789")
SEX_VI = {"male": "nam", "female": N_("nữ")}


def _ascii(value: str) -> str:
    """NFKC (full-width "０" → "0"), trimmed; the callers' patterns then accept ASCII digits only."""
    return unicodedata.normalize("NFKC", value).strip()


def century_digit(born: date, sex: Sex) -> int | None:
    """The 4th digit a citizen ID must have for this birth year and sex (None before 1900)."""
    if not 1900 <= born.year < 2400:
        return None
    return (born.year // 100 - 19) * 2 + (1 if sex == "female" else 0)


def _citizen_error(message: str, message_en: str, part: str) -> DomainError:
    return DomainError(ErrorCode.CITIZEN_ID_INVALID, N_("Số định danh cá nhân: {message}").format(
                                                         message=message), message_en, part=part)


def check_citizen_id(value: str, born: date, sex: Sex) -> str:
    """The citizen ID, checked against the date of birth and sex; refuses naming the part that disagrees."""
    cid = _ascii(value)
    if not re.fullmatch(r"[0-9]{12}", cid):
        raise _citizen_error(translate(N_("phải gồm đúng 12 chữ số.")), "A citizen ID has exactly 12 digits.", "length")
    if cid[1:3] not in PROVINCE_CODES or cid[0] != "0":
        raise _citizen_error(
            translate(N_("mã "
                         "tỉnh nơi đăng ký khai sinh «{value}» (3 chữ số đầu) không tồn tại.")).format(value=cid[:3]),
            f"Province code {cid[:3]} (first 3 digits) does not exist.",
            "province",
        )
    expected = century_digit(born, sex)
    if expected is None or int(cid[3]) != expected:
        raise _citizen_error(
            translate(N_("chữ số thứ 4 (thế kỷ và giới tính) là {value} nhưng người {value2} sinh năm {year} phải là "
               "{value3}.")).format(
                value=cid[3], value2=SEX_VI[sex], year=born.year, value3=expected if expected is not None else '—'),
            f"Digit 4 (century and sex) is {cid[3]}, expected {expected} for a {sex} born in {born.year}.",
            "century_sex",
        )
    if cid[4:6] != f"{born.year % 100:02d}":
        raise _citizen_error(
            translate(N_("chữ số thứ 5–6 (năm sinh) là {value} nhưng năm sinh là {year}.")).format(
                value=cid[4:6], year=born.year),
            f"Digits 5–6 (birth year) are {cid[4:6]}, but the birth year is {born.year}.",
            "year",
        )
    return cid


def check_si_code(value: str) -> str:
    code = _ascii(value)
    if not re.fullmatch(r"[0-9]{10}", code) or code[:2] not in PROVINCE_CODES:
        raise DomainError(
            ErrorCode.SI_CODE_INVALID,
            N_("Mã số BHXH phải gồm 10 chữ số, bắt đầu bằng mã tỉnh (ví dụ 40xxxxxxxx)."),
            "An SI code has 10 digits starting with a province code.",
        )
    return code


def normalize_phone(value: str) -> str:
    """``+84 912 345 678`` → ``0912345678``; refuses anything but a Vietnamese mobile number."""
    digits = re.sub(r"[\s.\-()]", "", _ascii(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0[0-9]{9}", digits) or digits[1] not in MOBILE_PREFIXES:
        raise DomainError(
            ErrorCode.PHONE_INVALID,
            N_("Số điện thoại «{value}» không hợp lệ: cần số di động 10 chữ số bắt đầu bằng 0 (hoặc +84).").format(
                value=value),
            f"Phone {value!r} is not a Vietnamese mobile number.",
        )
    return digits


def mask_citizen_id(cid: str) -> str:
    """``040123456123`` → ``040******123``."""
    return cid[:3] + "*" * (len(cid) - 6) + cid[-3:] if len(cid) > 6 else "*" * len(cid)


def mask_phone(phone: str) -> str:
    """``0912345678`` → ``091****678``."""
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:] if len(phone) > 6 else "*" * len(phone)
