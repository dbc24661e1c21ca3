"""Dated legal parameters: one YAML file each, values keyed by effective date, a reference on each.

File format (``rules/parameters/base_salary.yaml``)::

    description: Lương cơ sở
    unit: vnd
    values:
      2013-07-01:
        value: 1150000
        reference: {title: "Nghị định 66/2013/NĐ-CP", url: "https://..."}
      2030-01-01:
        value: null            # ends the rule
        reference: {title: "..."}

- ``unit`` comes from a closed list (:data:`UNITS`); every value is checked against it.
- A value is a scalar, a list of scalars, or a mapping of names to scalars.
- ``value: unpublished`` marks a figure the law sets but that is not known to us: a lookup that
  lands on it refuses with :data:`ErrorCode.PARAMETER_UNPUBLISHED` instead of guessing.
- ``period: year`` makes each value hold for its own calendar year only (keys are 1 January),
  for yearly published figures such as the SI fund's return; an empty ``values`` is allowed then.

The loader refuses anything else with a message naming the file, the key and the line. Lookups
take an explicit date; nothing here reads the clock.

On top of the files, an administrator may configure dated values without a deployment (a province's
figures shipped as an ``unpublished`` marker): the Django side registers a source of
:class:`Override` values with :func:`set_override_source`, checked by ``rules/overrides.py``, and
:func:`default_parameters` applies them last. Their reference carries ``configured_by``.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_, pick
from ansinh.lib.periods import format_date_vi

UNITS = frozenset({"vnd", "rate", "months", "days", "multiple", "count", "boolean"})
UNPUBLISHED = "unpublished"
SHIPPED_DIR = Path(__file__).parent / "parameters"
OVERLAY_ENV = "ANSINH_PARAMETERS_DIR"

Scalar = int | Decimal | bool
Value = Scalar | tuple[Scalar, ...] | Mapping[str, Scalar]


@dataclass(frozen=True)
class Reference:
    title: str
    url: str | None = None
    note: str | None = None
    unverified: bool = False
    configured_by: str | None = None  # set when an administrator configured the value (not a file)


@dataclass(frozen=True)
class ParameterValue:
    """One value in force, with what is needed to explain it on a receipt."""

    name: str
    unit: str
    effective: date
    value: Value
    reference: Reference

    def as_dict(self) -> dict[str, Any]:
        reference: dict[str, Any] = {
            "title": self.reference.title,
            "url": self.reference.url,
            "unverified": self.reference.unverified,
        }
        if self.reference.configured_by:
            reference["configured_by"] = self.reference.configured_by
        return {
            "name": self.name,
            "unit": self.unit,
            "effective": self.effective.isoformat(),
            "value": _jsonable(self.value),
            "reference": reference,
        }


@dataclass(frozen=True)
class Notice:
    """Something a quote must say visibly because it was computed without a figure (a provincial
    top-up not configured); unlike a refusal, the amount is still given."""

    code: str
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        """The notice in the language shown (lib/i18n.py)."""
        return pick(self.message_vi, self.message_en)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en}


@dataclass(frozen=True)
class _Entry:
    effective: date
    value: Value | None  # None ends the rule
    unpublished: bool
    reference: Reference


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    yearly: bool
    entries: tuple[_Entry, ...]
    _dates: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dates", tuple(e.effective for e in self.entries))

    def at(self, on: date) -> ParameterValue:
        """The value in force on ``on``; refuses before the first value, after an end, or
        where the figure is unpublished."""
        index = bisect.bisect_right(self._dates, on) - 1
        if self.yearly:
            if index < 0 or self.entries[index].effective.year != on.year:
                raise _unpublished(self, N_("năm {year}").format(year=on.year), f"year {on.year}")
        elif index < 0:
            first = format_date_vi(self._dates[0])
            raise DomainError(
                ErrorCode.PARAMETER_NOT_IN_FORCE,
                N_("Tham số «{description}» ({name}) chưa có hiệu lực vào ngày {value}; giá trị đầu tiên áp dụng "
                   "từ {first}.").format(
                    description=self.description, name=self.name, value=format_date_vi(on), first=first),
                f"Parameter {self.name} is not in force on {on.isoformat()}; "
                f"its first value applies from {self._dates[0].isoformat()}.",
                parameter=self.name,
            )
        entry = self.entries[index]
        if entry.unpublished:
            raise _unpublished(self, N_("ngày {value}").format(value=format_date_vi(on)), on.isoformat(), entry)
        if entry.value is None:
            raise DomainError(
                ErrorCode.PARAMETER_NOT_IN_FORCE,
                N_("Tham số «{description}» ({name}) đã hết hiệu lực từ {value} ({title}).").format(
                    description=self.description, name=self.name, value=format_date_vi(entry.effective),
                    title=entry.reference.title),
                f"Parameter {self.name} ended on {entry.effective.isoformat()}.",
                parameter=self.name,
            )
        return ParameterValue(self.name, self.unit, entry.effective, entry.value, entry.reference)

    def unpublished_on(self, on: date) -> Reference | None:
        """The reference of an ``unpublished`` marker in force on ``on`` (a text known to exist whose
        figures are not configured), else None."""
        index = bisect.bisect_right(self._dates, on) - 1
        if index < 0 or not self.entries[index].unpublished:
            return None
        return self.entries[index].reference

    def in_force(self, on: date) -> bool:
        """Whether a value (published or not) is in force on ``on``."""
        index = bisect.bisect_right(self._dates, on) - 1
        if index < 0:
            return False
        entry = self.entries[index]
        return entry.unpublished or entry.value is not None

    def change_dates(self) -> tuple[date, ...]:
        return self._dates


def _unpublished(
    param: Parameter, when_vi: str, when_en: str, entry: _Entry | None = None
) -> DomainError:
    source = f" ({entry.reference.title})" if entry else ""
    return DomainError(
        ErrorCode.PARAMETER_UNPUBLISHED,
        N_("Chưa có giá trị công bố của «{description}» ({name}) cho {when_vi}{source}; hãy bổ sung tham số này "
           "trước khi tính.").format(
            description=param.description, name=param.name, when_vi=when_vi, source=source),
        f"No published value of {param.name} for {when_en}{source}; supply it first.",
        parameter=param.name,
    )


class ParameterSet:
    """All parameters, by name (``vsi/contribution_rate``)."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        self._by_name = {p.name: p for p in parameters}

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> Parameter:
        try:
            return self._by_name[name]
        except KeyError:
            raise DomainError(
                ErrorCode.PARAMETER_NOT_FOUND,
                N_("Không có tham số {name}.").format(name=name),
                f"No parameter named {name}.",
                parameter=name,
            ) from None

    def at(self, name: str, on: date) -> ParameterValue:
        return self.get(name).at(on)


class UsedParameters:
    """Looks parameters up on one date and remembers each one used (the calculation record)."""

    def __init__(self, params: ParameterSet, on: date) -> None:
        self.params = params
        self.on = on
        self.used: list[ParameterValue] = []

    def get(self, name: str) -> Any:
        found = self.params.at(name, self.on)
        self.record(found)
        return found.value

    def record(self, found: ParameterValue) -> None:
        if found not in self.used:
            self.used.append(found)


# --- loading -----------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML with no implicit dates (we parse them ourselves, with the line), decimals
    instead of floats, and duplicate keys refused."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ParameterFileError(DomainError):
    def __init__(self, path: Path, where: str, problem: str, line: int | None = None) -> None:
        at_line = f", line {line}" if line else ""
        super().__init__(
            ErrorCode.PARAMETER_FILE_INVALID,
            N_("Tệp tham số {path} ({where}{at_line}): {problem}").format(
                path=path, where=where, at_line=at_line, problem=problem),
            f"Parameter file {path} ({where}{at_line}): {problem}",
            file=str(path),
            key=where,
            line=line,
        )


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"not a finite number: {text}", node.start_mark)
    return number


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    mapping = loader.construct_mapping(node)
    # Remember each key's line so later checks can point at it.
    mapping["__lines__"] = {str(k): line for k, line in seen.items()}
    return mapping


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _lines(mapping: dict[str, Any]) -> dict[str, int]:
    lines: dict[str, int] = mapping.pop("__lines__", {})
    return lines


def parse_parameter_file(path: Path, name: str) -> Parameter:
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParameterFileError(path, name, problem, mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise ParameterFileError(path, name, "the file must be a mapping")
    lines = _lines(raw)
    allowed = {"description", "unit", "values", "period"}
    for key in raw:
        if key not in allowed:
            raise ParameterFileError(path, str(key), "unknown key", lines.get(str(key)))
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ParameterFileError(path, "description", "a description is required", lines.get("description"))
    unit = raw.get("unit")
    if unit not in UNITS:
        raise ParameterFileError(
            path, "unit", f"unknown unit {unit!r}; use one of {', '.join(sorted(UNITS))}", lines.get("unit")
        )
    period = raw.get("period")
    if period not in (None, "year"):
        raise ParameterFileError(path, "period", "period may only be 'year'", lines.get("period"))
    values = raw.get("values")
    if not isinstance(values, dict):
        raise ParameterFileError(path, "values", "values must be a mapping of dates", lines.get("values"))
    value_lines = _lines(values)
    if not values and period != "year":
        raise ParameterFileError(path, "values", "at least one dated value is required", lines.get("values"))
    entries = [
        _parse_entry(path, str(key), body, unit, period == "year", value_lines.get(str(key)))
        for key, body in values.items()
    ]
    entries.sort(key=lambda e: e.effective)
    return Parameter(name, description.strip(), unit, period == "year", tuple(entries))


def _parse_entry(path: Path, key: str, body: Any, unit: str, yearly: bool, line: int | None) -> _Entry:
    try:
        effective = date.fromisoformat(key)
    except ValueError:
        raise ParameterFileError(path, key, "the key must be a date YYYY-MM-DD", line) from None
    if len(key) != 10:
        raise ParameterFileError(path, key, "the key must be a date YYYY-MM-DD", line)
    if yearly and (effective.month, effective.day) != (1, 1):
        raise ParameterFileError(path, key, "a yearly value is keyed by 1 January", line)
    if not isinstance(body, dict):
        raise ParameterFileError(path, key, "each date needs 'value' and 'reference'", line)
    _lines(body)
    extra = set(body) - {"value", "reference"}
    if extra:
        raise ParameterFileError(path, key, f"unknown field(s) {', '.join(sorted(map(str, extra)))}", line)
    if "value" not in body:
        raise ParameterFileError(path, key, "missing 'value' (use null to end the rule)", line)
    reference = _parse_reference(path, key, body.get("reference"), line)
    raw_value = body["value"]
    if raw_value == UNPUBLISHED:
        return _Entry(effective, None, True, reference)
    value = None if raw_value is None else _check_value(path, key, raw_value, unit, line)
    return _Entry(effective, value, False, reference)


def _parse_reference(path: Path, key: str, raw: Any, line: int | None) -> Reference:
    if not isinstance(raw, dict):
        raise ParameterFileError(path, key, "missing reference (title, and url when known)", line)
    _lines(raw)
    extra = set(raw) - {"title", "url", "note", "unverified"}
    if extra:
        raise ParameterFileError(path, key, f"unknown reference field(s) {', '.join(sorted(extra))}", line)
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ParameterFileError(path, key, "the reference needs a title", line)
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise ParameterFileError(path, key, "the reference url must start with http:// or https://", line)
    unverified = raw.get("unverified", False)
    if not isinstance(unverified, bool):
        raise ParameterFileError(path, key, "unverified must be true or false", line)
    note = raw.get("note")
    return Reference(title.strip(), url, str(note) if note is not None else None, unverified)


def _check_value(path: Path, key: str, raw: Any, unit: str, line: int | None) -> Value:
    if isinstance(raw, list):
        return tuple(_check_scalar(path, key, item, unit, line) for item in raw)
    if isinstance(raw, dict):
        _lines(raw)
        return {str(k): _check_scalar(path, key, v, unit, line) for k, v in raw.items()}
    return _check_scalar(path, key, raw, unit, line)


def _check_scalar(path: Path, key: str, raw: Any, unit: str, line: int | None) -> Scalar:
    if unit == "boolean":
        if isinstance(raw, bool):
            return raw
    elif isinstance(raw, bool):
        pass
    elif unit in ("rate", "multiple"):
        if isinstance(raw, int | Decimal) and raw >= 0:
            return Decimal(raw)
    elif isinstance(raw, int) and raw >= 0:
        return raw
    raise ParameterFileError(path, key, f"{raw!r} is not a valid value for unit {unit!r}", line)


def _jsonable(value: Value) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def load_directory(root: Path) -> list[Parameter]:
    return [
        parse_parameter_file(path, path.relative_to(root).with_suffix("").as_posix())
        for path in sorted(root.rglob("*.yaml"))
    ]


def load(*roots: Path) -> ParameterSet:
    """Load the shipped parameters, then each overlay root; a later file replaces one of the same name."""
    merged: dict[str, Parameter] = {}
    for root in roots:
        for parameter in load_directory(root):
            merged[parameter.name] = parameter
    return ParameterSet(merged.values())


def overlaid(base: ParameterSet, root: Path) -> ParameterSet:
    """``base`` with each parameter file under ``root`` in place of the one of the same name (as
    ``ANSINH_PARAMETERS_DIR`` overlays the shipped files): a what-if's changed parameters."""
    if not root.is_dir():
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Không có thư mục tham số {root}.").format(root=root),
                          f"No parameter directory {root}.")
    merged = {name: base.get(name) for name in base.names()}
    for parameter in load_directory(root):
        merged[parameter.name] = parameter
    return ParameterSet(merged.values())


@cache
def file_parameters() -> ParameterSet:
    """The shipped parameters plus the directory named by ``ANSINH_PARAMETERS_DIR`` (provincial
    top-ups, a newly published fund return), loaded once per process."""
    roots = [SHIPPED_DIR]
    overlay = os.environ.get(OVERLAY_ENV)
    if overlay:
        roots.append(Path(overlay))
    return load(*roots)


# --- values configured by an administrator -------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """One dated value an administrator configured (already checked by ``rules/overrides.check``)."""

    name: str
    effective: date
    value: Value | None  # None ends the rule from ``effective``
    title: str
    configured_by: str
    note: str | None = None


OverrideSource = Callable[[], tuple[Override, ...]]
_override_source: OverrideSource | None = None
_with_overrides: dict[str, ParameterSet] = {}


def set_override_source(source: OverrideSource | None) -> None:
    """Register where the administrators' values come from (the Django side does, once)."""
    global _override_source
    _override_source = source
    _with_overrides.clear()


def apply_overrides(base: ParameterSet, overrides: Iterable[Override], describe: Callable[[str], str]) -> ParameterSet:
    """``base`` with each override's value in place of the file's on the same date (or added). A
    parameter no file has (a province without a file) is created, described by ``describe(name)``."""
    by_name = {name: base.get(name) for name in base.names()}
    for override in overrides:
        existing = by_name.get(override.name)
        reference = Reference(override.title, None, override.note, False, override.configured_by)
        entry = _Entry(override.effective, override.value, False, reference)
        if existing is None:
            unit = "rate"
            by_name[override.name] = Parameter(override.name, describe(override.name), unit, False, (entry,))
            continue
        entries = [e for e in existing.entries if e.effective != override.effective] + [entry]
        entries.sort(key=lambda e: e.effective)
        by_name[override.name] = Parameter(existing.name, existing.description, existing.unit, existing.yearly,
                                           tuple(entries))
    return ParameterSet(by_name.values())


def _described(name: str) -> str:
    return N_("Hỗ trợ thêm của tỉnh (mã {value}), cấu hình bởi quản trị").format(
               value=name.rsplit('/', 1)[-1])


def default_parameters() -> ParameterSet:
    """The parameters in force for the system: the files (:func:`file_parameters`), then the values
    an administrator configured, if a source is registered. The merged set is kept per distinct
    list of overrides, so a change is seen by the next lookup, without a restart."""
    base = file_parameters()
    overrides = _override_source() if _override_source is not None else ()
    if not overrides:
        return base
    key = repr(overrides)
    merged = _with_overrides.get(key)
    if merged is None:
        if len(_with_overrides) > 16:
            _with_overrides.clear()
        merged = _with_overrides[key] = apply_overrides(base, overrides, _described)
    return merged
