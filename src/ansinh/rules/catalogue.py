"""The parameter catalogue: every parameter with its history, its unit, the reference of each value,
what is unverified or unpublished, and what is in force on a day. Read by the public parameter
browser (``/tham-so/``) and ``GET /api/parameters``; pure (no clock, no database): the caller gives
the date and the parameter set (docs/parameter-browser.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.lib.i18n import N_, translate
from ansinh.lib.money import format_number, format_rate, format_vnd
from ansinh.rules.params import Parameter, ParameterSet, Reference, Scalar, Value, _Entry, _jsonable

UNIT_LABELS = {
    "vnd": N_("đồng"),
    "rate": N_("tỷ lệ"),
    "months": N_("tháng"),
    "days": N_("ngày"),
    "multiple": N_("lần"),
    "count": N_("số"),
    "boolean": N_("có/không"),
}


@dataclass(frozen=True)
class Version:
    effective: date
    status: str  # "value" | "unpublished" | "ended"
    value: Value | None
    text: str  # the value as a Vietnamese reader reads it
    reference: Reference
    in_force: bool  # the version in force on the day asked
    unit: str = ""

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """A mapping's entries as (key, value as read): the page shows each key as the code name it is."""
        if not isinstance(self.value, Mapping):
            return ()
        return tuple((str(k), _scalar(v, self.unit)) for k, v in self.value.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "effective": self.effective.isoformat(),
            "status": self.status,
            "value": None if self.value is None else _jsonable(self.value),
            "text": self.text,
            "in_force": self.in_force,
            "reference": {
                "title": self.reference.title,
                "url": self.reference.url,
                "note": self.reference.note,
                "unverified": self.reference.unverified,
                "configured_by_admin": self.reference.configured_by is not None,
            },
        }


@dataclass(frozen=True)
class Entry:
    name: str
    description: str
    unit: str
    unit_label: str
    yearly: bool
    versions: tuple[Version, ...]

    @property
    def current(self) -> Version | None:
        return next((v for v in self.versions if v.in_force), None)

    def as_dict(self) -> dict[str, Any]:
        current = self.current
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "unit_label": self.unit_label,
            "yearly": self.yearly,
            "in_force": current.as_dict() if current else None,
            "history": [v.as_dict() for v in self.versions],
        }


def format_value(value: Value, unit: str) -> str:
    """``2340000`` (vnd) → ``"2.340.000 đ"``; ``0.22`` (rate) → ``"22%"``; mappings as ``key: value``."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_scalar(v, unit)}" for k, v in value.items())
    if isinstance(value, tuple):
        return ", ".join(_scalar(v, unit) for v in value)
    return _scalar(value, unit)


def _scalar(value: Scalar, unit: str) -> str:
    if isinstance(value, bool):
        return translate(N_("có")) if value else translate(N_("không"))
    if unit == "vnd":
        return format_vnd(int(value))
    if unit == "rate":
        return format_rate(Decimal(value))
    if unit == "multiple":
        return translate(N_("{value} lần")).format(value=str(Decimal(value)).replace('.', ','))
    if unit in ("months", "days"):
        return f"{format_number(int(value))} {UNIT_LABELS[unit]}"
    return format_number(int(value)) if isinstance(value, int) else str(value)


def _in_force_index(parameter: Parameter, on: date) -> int | None:
    dates = parameter.change_dates()
    index = max((i for i, d in enumerate(dates) if d <= on), default=None)
    if index is None:
        return None
    if parameter.yearly and dates[index].year != on.year:
        return None
    return index


def _version(entry: _Entry, unit: str, in_force: bool) -> Version:
    if entry.unpublished:
        return Version(entry.effective, "unpublished", None, translate(N_("chưa công bố")), entry.reference, in_force)
    if entry.value is None:
        return Version(entry.effective, "ended", None, translate(N_("hết hiệu lực")), entry.reference, in_force)
    return Version(entry.effective, "value", entry.value, format_value(entry.value, unit), entry.reference, in_force,
                   unit)


def describe(parameter: Parameter, on: date) -> Entry:
    current = _in_force_index(parameter, on)
    versions = tuple(_version(e, parameter.unit, i == current) for i, e in enumerate(parameter.entries))
    return Entry(parameter.name, parameter.description, parameter.unit, UNIT_LABELS[parameter.unit],
                 parameter.yearly, versions)


def catalogue(params: ParameterSet, on: date, prefix: str = "") -> list[Entry]:
    """Every parameter (whose name starts with ``prefix``), by name, as it stood on ``on``."""
    return [describe(params.get(name), on) for name in params.names() if name.startswith(prefix)]
