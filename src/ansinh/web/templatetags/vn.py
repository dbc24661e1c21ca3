"""Vietnamese formatting in templates: ``{{ amount|vnd }}``, ``{{ day|vndate }}``, ``{{ rate|percent }}``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from ansinh.lib.money import format_rate, format_vnd
from ansinh.lib.periods import format_date_vi

register = template.Library()


@register.filter
def vnd(amount: int) -> str:
    return format_vnd(int(amount))


@register.filter
def vndate(day: date) -> str:
    return format_date_vi(day)


@register.filter
def percent(rate: Decimal) -> str:
    return format_rate(Decimal(rate))
