"""``{% if user|reads_audit %}``: whether the navigation offers the audit trail (one query, the role)."""

from __future__ import annotations

from typing import Any

from django import template

from ansinh.org.fields import AUDIT_READERS
from ansinh.org.models import Grant

register = template.Library()


@register.filter
def reads_audit(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    return Grant.objects.filter(user=user, role__in=AUDIT_READERS).exists()
