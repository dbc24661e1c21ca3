"""The parameters the offline app quotes with (issue 16, docs/adr/0016-offline-app.md): every parameter's
values in force over a window, as JSON, read by ``web/static/web/offline/rules.js``. The browser holds
the same dated values the server looks up, so its quote equals the server's to the đồng.

Pure (no clock): the caller gives the first day and the number of months. A parameter keeps the value in
force on the first day and every value that starts inside the window; a yearly parameter (the fund's
return, looked up for the year before the payment year) keeps the years from the one before the window;
the retirement-age schedules are kept whole (a catch-up looks them up in the year the person reaches the
age, not on the payment day). Rates and multiples are exact decimal strings, never floats.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_
from ansinh.lib.periods import add_months
from ansinh.rules.params import Parameter, ParameterSet, _Entry, _jsonable

FORMAT = 1
WHOLE = frozenset({"benefits/retirement_age_male", "benefits/retirement_age_female"})
MAX_MONTHS = 60


def window(params: ParameterSet, start: date, months: int) -> dict[str, Any]:
    """The parameters in force from ``start`` for ``months`` months (the last day included)."""
    if not 1 <= months <= MAX_MONTHS:
        raise invalid_input(N_("Số tháng phải từ 1 đến {MAX_MONTHS}; đã nhập {months}.").format(
                                MAX_MONTHS=MAX_MONTHS, months=months),
                            f"months must be between 1 and {MAX_MONTHS}.", field="months")
    end = add_months(start, months) - timedelta(days=1)
    return {
        "format": FORMAT,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "parameters": {name: _parameter(params.get(name), start, end) for name in params.names()},
    }


def everything(params: ParameterSet) -> dict[str, Any]:
    """Every value of every parameter (the cross-language check quotes on any date of the rule cases)."""
    return {"format": FORMAT, "from": None, "to": None,
            "parameters": {name: _parameter(params.get(name), None, None) for name in params.names()}}


def _parameter(parameter: Parameter, start: date | None, end: date | None) -> dict[str, Any]:
    entries = parameter.entries
    if start is not None and end is not None and parameter.name not in WHOLE:
        entries = _kept(parameter, start, end)
    return {"description": parameter.description, "unit": parameter.unit, "yearly": parameter.yearly,
            "entries": [_entry(e) for e in entries]}


def _kept(parameter: Parameter, start: date, end: date) -> tuple[_Entry, ...]:
    if parameter.yearly:
        return tuple(e for e in parameter.entries if start.year - 1 <= e.effective.year <= end.year)
    before = [e for e in parameter.entries if e.effective <= start]
    inside = [e for e in parameter.entries if start < e.effective <= end]
    return tuple(before[-1:] + inside)


def _entry(entry: _Entry) -> dict[str, Any]:
    reference: dict[str, Any] = {"title": entry.reference.title, "url": entry.reference.url}
    if entry.reference.configured_by:
        reference["configured_by"] = entry.reference.configured_by
    return {"effective": entry.effective.isoformat(),
            "value": None if entry.value is None else _jsonable(entry.value),
            "unpublished": entry.unpublished, "reference": reference}
