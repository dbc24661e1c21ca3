"""Saving and removing an administrator's parameter value: checked against the parameter files,
written with its change-log entry in one transaction, and the cached overlay forgotten."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.rules import overrides
from ansinh.rules.params import file_parameters
from ansinh.ruleset import overlay
from ansinh.ruleset.models import OverrideChange, ParameterOverride


def _snapshot(row: ParameterOverride) -> dict[str, Any]:
    return {"value": row.value, "reference": row.reference, "note": row.note}


def check(name: str, valid_from: Any, value_text: str) -> None:
    """Refuses (DomainError, Vietnamese) a value that does not fit the parameter."""
    overrides.check(file_parameters(), name, valid_from, overrides.parse_json(value_text))


def _require_superuser(actor: AbstractBaseUser) -> None:
    if not getattr(actor, "is_superuser", False):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ quản trị hệ thống được cấu hình tham số."),
                          "Only superusers configure parameters.")


@transaction.atomic
def save_override(actor: AbstractBaseUser, row: ParameterOverride) -> ParameterOverride:
    _require_superuser(actor)
    check(row.name, row.valid_from, row.value)
    before = None
    if row.pk is not None:
        old = ParameterOverride.objects.select_for_update().get(pk=row.pk)
        before = {"name": old.name, "valid_from": old.valid_from.isoformat(), **_snapshot(old)}
    else:
        row.created_by = actor  # type: ignore[assignment]
    row.changed_by = actor  # type: ignore[assignment]
    row.save()
    OverrideChange.objects.create(actor=actor, action="change" if before else "add", name=row.name,
                                  valid_from=row.valid_from, before=before, after=_snapshot(row))
    overlay.forget()
    return row


@transaction.atomic
def delete_override(actor: AbstractBaseUser, row: ParameterOverride) -> None:
    _require_superuser(actor)
    OverrideChange.objects.create(actor=actor, action="delete", name=row.name, valid_from=row.valid_from,
                                  before=_snapshot(row), after=None)
    row.delete()
    overlay.forget()
