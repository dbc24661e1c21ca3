"""Areas API: the map on a date, and remapping a unit across the map's changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from ansinh.areas import queries
from ansinh.areas.models import AdministrativeUnit
from ansinh.lib.errors import DomainError, ErrorCode

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None


def area_out(unit: AdministrativeUnit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "level": unit.level,
            "parent_code": unit.parent.code if unit.parent else None,
            "valid_from": unit.valid_from, "valid_to": unit.valid_to}


def _unit(code: str, on: date) -> AdministrativeUnit:
    unit = queries.unit_on(code, on)
    if unit is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có đơn vị {code} vào ngày {on:%d/%m/%Y}.").format(
                                                   code=code, on=on),
                          f"No unit {code} on {on}.")
    return unit


@router.get("", response=list[AreaOut], summary="Units in force on a date (children of `parent`)")
def list_areas(request: HttpRequest, on: date, parent: str = "40") -> list[dict[str, Any]]:
    return [area_out(u) for u in queries.children(_unit(parent, on), on).select_related("parent")]


@router.get("/{code}/remap", response=list[AreaOut], summary="Which units of date `to` the unit of date `on` maps to")
def remap(request: HttpRequest, code: str, on: date, to: date) -> list[dict[str, Any]]:
    return [area_out(u) for u in queries.remap(_unit(code, on), to)]
