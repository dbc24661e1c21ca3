from decimal import Decimal
from fractions import Fraction

from ansinh.lib.money import format_decimal, format_rate, format_vnd, round_vnd


def test_it_rounds_half_up_to_the_dong() -> None:
    assert round_vnd(Decimal("1234.5")) == 1235
    assert round_vnd(Decimal("1234.4999")) == 1234
    assert round_vnd(Fraction(2469, 2)) == 1235
    assert round_vnd(Fraction(-2469, 2)) == -1235


def test_it_formats_amounts_the_vietnamese_way() -> None:
    assert format_vnd(1234567) == "1.234.567 đ"
    assert format_vnd(0) == "0 đ"
    assert format_vnd(-5000) == "-5.000 đ"


def test_it_formats_rates_with_a_decimal_comma() -> None:
    assert format_rate(Decimal("0.045")) == "4,5%"
    assert format_rate(Decimal("0.30")) == "30%"


def test_counts_with_a_fraction_use_a_decimal_comma() -> None:
    assert [format_decimal(v) for v in (Decimal("1.5"), 2, "2.0", 1.25, 12000, Decimal("1500.5"))] == [
        "1,5", "2", "2", "1,25", "12.000", "1.500,5"]
