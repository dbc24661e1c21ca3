"""``{% if user|reads_audit %}``: whether the navigation offers the audit trail (the role, from the
reader's scope, which the request has read already: no query of its own)."""

from __future__ import annotations

from typing import Any

from django import template

from ansinh.org.fields import may_read_audit
from ansinh.org.scope import scope_for

register = template.Library()


@register.filter
def reads_audit(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    return may_read_audit(scope_for(user))
