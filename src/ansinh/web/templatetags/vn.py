"""Vietnamese formatting in templates: ``{{ amount|vnd }}``, ``{{ day|vndate }}``, ``{{ rate|percent }}``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from ansinh.lib.money import format_number, format_rate, format_share, format_vnd
from ansinh.lib.periods import format_date_vi

register = template.Library()


@register.filter
def vnd(amount: int) -> str:
    return format_vnd(int(amount))


_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})*\s?đ(?!\w)")


@register.filter
def moneyspans(text: str) -> str:
    """Plain text (a bulletin) with each sum in đồng kept on one line."""
    escaped = str(escape(text))
    return mark_safe(_MONEY.sub(lambda m: f'<span class="money">{m.group(0)}</span>', escaped))  # escaped above


@register.filter
def num(value: int) -> str:
    """``9688`` → ``"9.688"`` (Vietnamese thousands separator)."""
    return format_number(int(value))


@register.filter
def vndate(day: date) -> str:
    return format_date_vi(day)


@register.filter
def percent(rate: Decimal) -> str:
    return format_rate(Decimal(rate))


@register.filter
def share(value: float) -> str:
    return format_share(value)


LABELS = {
    "vsi": gettext_lazy("BHXH tự nguyện"),
    "household_hi": gettext_lazy("BHYT hộ gia đình"),
    "cash": gettext_lazy("Tiền mặt"),
    "bank_transfer": gettext_lazy("Chuyển khoản"),
    "poor": gettext_lazy("hộ nghèo"),
    "near_poor": gettext_lazy("hộ cận nghèo"),
    "near_poor_full": gettext_lazy("hộ cận nghèo (NSNN hỗ trợ 100%)"),
    "ethnic_minority": gettext_lazy("dân tộc thiểu số"),
    "island": gettext_lazy("xã đảo, đặc khu"),
    "other": gettext_lazy("khác"),
}


@register.filter
def label(code: str) -> str:
    """Vietnamese label of a scheme, payment method or support group code."""
    return str(LABELS.get(code, code))


@register.filter
def labels(codes: list[str]) -> str:
    return ", ".join(str(LABELS.get(c, c)) for c in codes) or str(LABELS["other"])
