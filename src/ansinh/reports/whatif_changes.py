"""The what-if's page side (issue 18): who may run it (the province's leadership: its administrator, a
BHXH office manager or a viewer whose scope is the whole province), the few parameters the page lets them
change (the province's VSI top-up per group, the state's VSI support rates, the base salary, the rural
poverty line), and the changed set those values make — today's parameters with each changed value in
force from the day chosen, as an administrator's value would be (``rules.params.apply_overrides``),
checked by ``rules.overrides.check``; kept for the run only, nothing is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.tree import map_tree
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_decimal, format_number, format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.models import Role
from ansinh.org.scope import Scope
from ansinh.reports.whatif import WhatIf
from ansinh.rules import overrides
from ansinh.rules.params import Override, ParameterSet, apply_overrides, file_parameters

LEADERSHIP = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.VIEWER})


@dataclass(frozen=True)
class Editable:
    """One figure of the page: a parameter, the key of its mapping (None for a number), and its unit on
    the page ("percent" of a rate, or "vnd")."""

    field: str
    name: str
    key: str | None
    unit: str
    label: Any


def editable(province: str) -> tuple[Editable, ...]:
    top_up = f"local_support/{province}"
    return (
        Editable("local_poor", top_up, "poor", "percent", gettext_lazy("Tỉnh hỗ trợ thêm — hộ nghèo (%)")),
        Editable("local_near_poor", top_up, "near_poor", "percent",
                 gettext_lazy("Tỉnh hỗ trợ thêm — hộ cận nghèo (%)")),
        Editable("local_other", top_up, "other", "percent", gettext_lazy("Tỉnh hỗ trợ thêm — đối tượng khác (%)")),
        Editable("state_poor", "vsi/state_support_rate", "poor", "percent", gettext_lazy("NSNN hỗ trợ — hộ nghèo (%)")),
        Editable("state_near_poor", "vsi/state_support_rate", "near_poor", "percent",
                 gettext_lazy("NSNN hỗ trợ — hộ cận nghèo (%)")),
        Editable("state_other", "vsi/state_support_rate", "other", "percent",
                 gettext_lazy("NSNN hỗ trợ — đối tượng khác (%)")),
        Editable("base_salary", "base_salary", None, "vnd", gettext_lazy("Lương cơ sở (đồng)")),
        Editable("rural_poverty_line", "rural_poverty_line", None, "vnd", gettext_lazy("Chuẩn nghèo nông thôn (đồng)")),
    )


def province_of(scope: Scope) -> str:
    """The province whose what-if the reader may run: one of the province's leadership (its
    administrator, an office manager or a viewer, granted the whole province); anyone else is refused (403),
    since the what-if prices every term of the province."""
    units = map_tree().units
    provinces = sorted(code for pk, (_parent, level, code) in units.items() if level == "province"
                       and (scope.area_ids is None or pk in scope.area_ids))
    if scope.role not in LEADERSHIP or not provinces:
        raise DomainError(ErrorCode.FORBIDDEN,
                          _("Chỉ lãnh đạo, quản lý cấp tỉnh mới tính được phương án cho toàn tỉnh."),
                          "Only the province's leadership may run the province's what-if.")
    return "40" if "40" in provinces else provinces[0]


def _in_force(params: ParameterSet, name: str, on: date) -> Any:
    if name not in params:
        return None
    parameter = params.get(name)
    return parameter.at(on).value if parameter.in_force(on) and parameter.unpublished_on(on) is None else None


def current(params: ParameterSet, province: str, on: date) -> dict[str, Decimal | int]:
    """Each editable figure as in force on ``on`` (a rate as a percent; 0 where none is in force)."""
    found: dict[str, Decimal | int] = {}
    for item in editable(province):
        value = _in_force(params, item.name, on)
        if item.key is not None:
            value = value.get(item.key, value.get("other", 0)) if isinstance(value, Mapping) else 0
        found[item.field] = Decimal(value or 0) * 100 if item.unit == "percent" else int(value or 0)
    return found


def scenario(base: ParameterSet, province: str, effective: date, entered: Mapping[str, Any],
             who: str) -> tuple[ParameterSet, list[str]]:
    """The changed set: each figure of ``entered`` that differs from today's on ``effective`` in force
    from that day (until the parameter's next dated value), and a line per change for the page."""
    now = current(base, province, effective)
    changed: dict[str, Any] = {}
    lines = []
    for item in editable(province):
        value = entered.get(item.field)
        if value is None or value == now[item.field]:
            continue
        lines.append(f"{item.label}: {_shown(item, now[item.field])} → {_shown(item, value)}")
        new = Decimal(value) / 100 if item.unit == "percent" else int(value)
        if item.key is None:
            changed[item.name] = new
            continue
        mapping = changed.get(item.name) or dict(_in_force(base, item.name, effective) or {})
        mapping[item.key] = new
        changed[item.name] = mapping
    made = [Override(name, effective, overrides.check(file_parameters(), name, effective, _jsonable(value)),
                     _("Phương án tính thử (không có hiệu lực pháp lý)"), who)
            for name, value in changed.items()]
    return apply_overrides(base, made, lambda name: name), lines


def _shown(item: Editable, value: Any) -> str:
    return format_decimal(value) if item.unit == "percent" else format_number(int(value))


def _jsonable(value: Any) -> Any:
    return {k: Decimal(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def entered_as_json(province: str, entered: Mapping[str, Any]) -> dict[str, str | None]:
    """The figures entered on the page as a job's parameters (``reports.jobs``, kind "whatif")."""
    return {item.field: None if entered.get(item.field) is None else str(entered[item.field])
            for item in editable(province)}


def entered_from_json(province: str, kept: Mapping[str, Any]) -> dict[str, Decimal | int | None]:
    """The inverse of :func:`entered_as_json`: a percent as a Decimal, an amount in đồng as an int."""
    found: dict[str, Decimal | int | None] = {}
    for item in editable(province):
        value = kept.get(item.field)
        found[item.field] = None if value is None else Decimal(value) if item.unit == "percent" else int(value)
    return found


def describe(found: WhatIf, changes: list[str], effective: date, joining: Mapping[str, Any] | None = None) -> list[str]:
    """The lines above the table: what was priced, what changed, the province's totals. ``joining`` (for "if
    everyone joined", priced on ``found.end`` at ``found.income``): its ``months`` and ``vsi_min_age``."""
    total = found.total()
    if joining is not None:
        lines = [_("Nếu mọi người chưa có bảo hiểm ngày {on} (chưa từng tham gia hoặc đã dừng; không gồm người có "
                   "bảo hiểm khác) đều tham gia {months} tháng: BHXH tự nguyện từ {age} tuổi, thu nhập {income}/tháng; "
                   "BHYT hộ gia đình cho mọi người. Thay đổi áp dụng từ {effective}.").format(
                       on=format_date_vi(found.end), months=joining["months"], age=joining["vsi_min_age"],
                       income=format_vnd(found.income or 0), effective=format_date_vi(effective))]
    else:
        lines = [_("Các kỳ đóng đã thu, tính từ {start} đến {end}; thay đổi áp dụng từ {effective}.").format(
            start=format_date_vi(found.start), end=format_date_vi(found.end), effective=format_date_vi(effective))]
    lines += [
        *(changes or [_("Không thay đổi tham số nào: phương án bằng quy định hiện hành.")]),
        _("Toàn tỉnh: NSNN {state} (chênh lệch {state_change}); NSĐP {local} (chênh lệch {local_change}).").format(
            state=format_vnd(total.state_after), state_change=format_vnd(total.state_change),
            local=format_vnd(total.local_after), local_change=format_vnd(total.local_change)),
    ]
    if joining is not None:
        lines.append(_("Người tham gia đóng: {before} theo quy định hiện hành, {after} theo phương án.").format(
            before=format_vnd(total.payable_before), after=format_vnd(total.payable_after)))
    return lines
