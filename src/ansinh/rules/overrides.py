"""The check of a value an administrator configures on top of the parameter files (issue 19 §1: "an
admin can configure the figures without a deployment"). Pure: the Django side (``ruleset``) parses
the form, calls :func:`check` and stores what it returns; ``params.default_parameters`` applies it.

A value must fit the parameter it replaces: the same unit (``params.UNITS``), the same shape as the
file's published values (a number, a list of the same length, a mapping with the same keys), and for
a province's top-up (``local_support/NN``, ``household_hi/local_support/NN``) a mapping of the
top-up's groups to rates between 0 and 1 — the figures a province publishes after its resolution
is shipped as an ``unpublished`` marker. A refusal says why, in Vietnamese.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_, translate
from ansinh.lib.periods import format_date_vi
from ansinh.rules import household_hi, local_support, vsi
from ansinh.rules.params import Parameter, ParameterFileError, ParameterSet, Value, _check_value

LOCAL_GROUPS = {local_support.VSI: vsi.SUPPORT_GROUPS,
                local_support.HI: (*household_hi.MEMBER_GROUPS, "other")}
_LOCAL = re.compile(r"^(local_support|household_hi/local_support)/(\d{2})$")


def parse_json(text: str) -> Any:
    """The value as typed (JSON: ``2530000``, ``[3, 6, 12]``, ``{"poor": 0.3}``), decimals exact;
    ``null`` ends the rule from the date."""
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        raise invalid_input(
            N_("Giá trị không đọc được: hãy nhập một số (2530000), một danh sách ([3, 6, 12]) hoặc một bảng "
            'theo nhóm ({"poor": 0.3, "near_poor": 0.25, "other": 0.05}).'),
            "The value is not valid JSON.", field="value") from None


def check(params: ParameterSet, name: str, effective: date, raw: Any) -> Value | None:
    """The value ``raw`` checked for parameter ``name`` from ``effective``; refuses what does not fit."""
    local = _LOCAL.match(name)
    if name not in params and local is None:
        raise invalid_input(N_("Không có tham số «{name}» để cấu hình; hãy chọn một tham số có trong danh mục "
                               "(/tham-so/) hoặc mức hỗ trợ của một tỉnh (local_support/NN).").format(
                                name=name),
                            f"No parameter named {name}.", field="name")
    parameter = params.get(name) if name in params else None
    if parameter is not None and parameter.yearly and (effective.month, effective.day) != (1, 1):
        raise invalid_input(N_("Tham số «{description}» có giá trị theo từng năm: ngày hiệu lực phải là 01/01, "
                               "không phải {value}.").format(
                                description=parameter.description, value=format_date_vi(effective)),
                            "A yearly value starts on 1 January.", field="valid_from")
    if raw is None:
        return None
    unit = parameter.unit if parameter is not None else "rate"
    try:
        value = _check_value(Path(translate(N_("quản trị"))), name, raw, unit, None)
    except ParameterFileError:
        raise invalid_input(N_("Giá trị {value} không hợp lệ cho tham số «{name}» (đơn vị {unit}): {value2}.").format(
                                value=_shown(raw), name=name, unit=unit, value2=_unit_rule(unit)),
                                f"{raw!r} is not a valid value for unit {unit}.",
                            field="value") from None
    if local is not None:
        _check_local(local.group(1), value)
    elif parameter is not None:
        _check_shape(parameter, value)
    return value


def _check_local(kind: str, value: Value) -> None:
    groups = LOCAL_GROUPS[kind]
    if not isinstance(value, Mapping) or not value:
        raise invalid_input(N_("Mức hỗ trợ của tỉnh phải là một bảng tỷ lệ theo nhóm, ví dụ {{\"poor\": 0.3, "
                               "\"near_poor\": 0.25, \"other\": 0.05}}; nhóm được dùng: {value}.").format(
                                value=', '.join(groups)), "A provincial top-up is a mapping of groups to rates.",
                            field="value")
    unknown = sorted(set(value) - set(groups))
    if unknown:
        raise invalid_input(N_("Nhóm không có trong mức hỗ trợ: {value}; nhóm được dùng: {value2}.").format(
                                value=', '.join(unknown), value2=', '.join(groups)),
                                f"Unknown group(s) {', '.join(unknown)}.", field="value")
    too_high = sorted(k for k, v in value.items() if Decimal(v) > 1)
    if too_high:
        raise invalid_input(N_("Tỷ lệ hỗ trợ phải từ 0 đến 1 (0,3 là 30%); sai ở nhóm: {value}.").format(
                                value=', '.join(too_high)),
                            "Rates are between 0 and 1.", field="value")


def _check_shape(parameter: Parameter, value: Value) -> None:
    shapes = {_shape(e.value) for e in parameter.entries if e.value is not None}
    if shapes and _shape(value) not in shapes:
        expected = translate(N_(" hoặc ")).join(sorted(_shape_vi(s) for s in shapes))
        raise invalid_input(N_("Giá trị của «{description}» phải là {expected}, như trong tệp tham số; giá trị "
                               "nhập là {value}.").format(
                                description=parameter.description, expected=expected,
                                value=_shape_vi(_shape(value))),
                            f"The value's shape does not match {parameter.name}.", field="value")


def _shape(value: Value) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        return ("mapping", *sorted(value))
    if isinstance(value, tuple):
        return ("list", str(len(value)))
    return ("scalar",)


def _shape_vi(shape: tuple[str, ...]) -> str:
    if shape[0] == "mapping":
        return translate(N_("một bảng có các khoá {value}")).format(value=', '.join(shape[1:]))
    if shape[0] == "list":
        return translate(N_("một danh sách {value} phần tử")).format(value=shape[1])
    return translate(N_("một số"))


def _unit_rule(unit: str) -> str:
    return {"boolean": translate(N_("nhập true hoặc false")),
            "rate": translate(N_("nhập số thập phân không âm (0,3 là 30%)")),
            "multiple": translate(N_("nhập số thập phân không âm"))}.get(unit, translate(N_("nhập số nguyên không âm")))


def _shown(raw: Any) -> str:
    text = json.dumps(raw, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"
