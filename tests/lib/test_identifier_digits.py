"""Identifiers are ASCII digits (issue 12, seen 6): full-width digits are folded to ASCII (NFKC) before
any check, so "040090０００１２３" and "040090000123" are one ID; other digit scripts and hidden
characters are refused."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.errors import DomainError
from ansinh.lib.identifiers import check_citizen_id, check_si_code, normalize_phone

BORN = date(1990, 1, 1)


def test_full_width_digits_become_ascii_digits() -> None:
    assert check_citizen_id("040090０００１２３", BORN, "male") == "040090000123"
    assert check_si_code("４０１２３４５６７８") == "4012345678"
    assert normalize_phone("０９１２ ３４５ ６７８") == "0912345678"


@pytest.mark.parametrize("cid", ["٠٤٠٠٩٠٠٠٠١٢٣", "040090000123\u200b", "04009000012३"])
def test_other_digit_scripts_and_hidden_characters_are_refused(cid: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_citizen_id(cid, BORN, "male")
    assert refused.value.code == "citizen_id_invalid" and refused.value.details["part"] == "length"


def test_si_code_and_phone_refuse_non_ascii_digits() -> None:
    with pytest.raises(DomainError):
        check_si_code("٤٠١٢٣٤٥٦٧٨")
    with pytest.raises(DomainError):
        normalize_phone("٠٩١٢٣٤٥٦٧٨")
