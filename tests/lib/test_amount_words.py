"""Amounts in words as Vietnamese receipts write them; every expected text written out by hand."""

from __future__ import annotations

import pytest

from ansinh.lib.amount_words import amount_in_words, number_words

CASES = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (1_000, "một nghìn"),
    (1_001, "một nghìn không trăm linh một"),
    (1_010, "một nghìn không trăm mười"),
    (1_100, "một nghìn một trăm"),
    (100_500, "một trăm nghìn năm trăm"),
    (231_000, "hai trăm ba mươi mốt nghìn"),
    (264_000, "hai trăm sáu mươi bốn nghìn"),
    (1_000_000, "một triệu"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"),
    (10_050_000, "mười triệu không trăm năm mươi nghìn"),
    (12_345_678, "mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám"),
    (1_000_000_000, "một tỷ"),
    (1_000_000_005, "một tỷ không trăm linh năm"),
    (1_000_050_000, "một tỷ không trăm năm mươi nghìn"),
    (1_100_000_000, "một tỷ một trăm triệu"),
    (2_005_000_000, "hai tỷ không trăm linh năm triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
    (10_000_000_000_000, "mười nghìn tỷ"),
]


@pytest.mark.parametrize(("value", "words"), CASES)
def test_numbers_read_by_the_accounting_convention(value: int, words: str) -> None:
    assert number_words(value) == words


@pytest.mark.parametrize(("amount", "text"), [
    (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
    (100_500, "Một trăm nghìn năm trăm đồng"),
    (1_000_005, "Một triệu không trăm linh năm đồng"),
    (10_050_000, "Mười triệu không trăm năm mươi nghìn đồng"),
    (0, "Không đồng"),
    (-231_000, "Âm hai trăm ba mươi mốt nghìn đồng"),
])
def test_amount_in_words_is_capitalised_and_ends_in_dong(amount: int, text: str) -> None:
    assert amount_in_words(amount) == text


def test_negative_numbers_are_not_read_without_the_sign() -> None:
    with pytest.raises(ValueError):
        number_words(-1)
