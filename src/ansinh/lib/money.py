"""Money is integer đồng. Rounding happens here and nowhere else.

Legal formulas produce exact rationals (rates such as 22 %, 4.5 %, 0.7); the amount due is
rounded to the đồng half-up, once, at the point the law defines (the end of a sum, never per
term of a discounted series).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ansinh.lib.i18n import N_


def round_vnd(amount: Decimal | Fraction | int) -> int:
    """Round an exact amount to whole đồng, half away from zero."""
    if isinstance(amount, int):
        return amount
    if isinstance(amount, Fraction):
        num, den = amount.numerator, amount.denominator
        sign = -1 if num < 0 else 1
        return sign * ((2 * abs(num) + den) // (2 * den))
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_number(value: int) -> str:
    """``9688`` → ``"9.688"`` (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def format_decimal(value: Decimal | int | float | str) -> str:
    """A count that may have a fraction, Vietnamese style: ``1.5`` → ``"1,5"``, ``2`` → ``"2"``."""
    number = Decimal(str(value)).normalize()
    whole, _, fraction = format(number, "f").partition(".")
    return format_number(int(whole)) + ("," + fraction if fraction else "")


def format_vnd(amount: int) -> str:
    """``1234567`` → ``"1.234.567 đ"``."""
    return N_("{value} đ").format(value=format_number(amount))


def format_share(share: float) -> str:
    """A measured share, one decimal: ``0.4567`` → ``"45,7%"``."""
    return f"{share * 100:.1f}%".replace(".", ",")


def format_rate(rate: Decimal) -> str:
    """``Decimal("0.045")`` → ``"4,5%"``."""
    percent = (rate * 100).normalize()
    text = format(percent, "f")
    return text.replace(".", ",") + "%"
