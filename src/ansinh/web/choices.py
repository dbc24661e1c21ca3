"""Form choices from the parameters in force on a day, never from literals (issue 19 §5): the HI
terms (household_hi/terms), the VSI payment terms and advance terms (vsi/payment_terms,
vsi/advance_terms), the support groups (the groups named by vsi/state_support_rate), and the
consultation page's example incomes (from the income floor and step). Only the labels live here."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext, gettext_lazy

from ansinh.rules import local_support, vsi
from ansinh.rules.params import ParameterSet, UsedParameters, default_parameters

GROUP_LABELS = {
    "poor": gettext_lazy("Hộ nghèo"),
    "near_poor": gettext_lazy("Hộ cận nghèo"),
    "ethnic_minority": gettext_lazy("Người dân tộc thiểu số"),
    "island": gettext_lazy("Cư trú ở xã đảo, đặc khu"),
}


PROVINCE_NAMES = {"40": gettext_lazy("Nghệ An")}  # labels only; the provinces come from the top-up files


def provinces(params: ParameterSet | None = None) -> list[tuple[str, str]]:
    """The provinces with a VSI top-up file (local_support/NN, shipped or in the overlay), for the
    consultation's "where do you live": the consultation has no commune on record to read it from."""
    prefix = f"{local_support.VSI}/"
    codes = [n.removeprefix(prefix) for n in (params or default_parameters()).names() if n.startswith(prefix)]
    return [
        ("", gettext("Tỉnh khác (không tính hỗ trợ của tỉnh)")),
        *((c, PROVINCE_NAMES.get(c, gettext("Tỉnh mã {c}").format(c=c))) for c in codes if len(c) == 2 and c.isdigit()),
    ]


def _months(params: ParameterSet, name: str, on: date) -> tuple[int, ...]:
    parameter = params.get(name)
    if not parameter.in_force(on):
        return ()
    return tuple(int(m) for m in parameter.at(on).value)  # type: ignore[union-attr]


def hi_terms(on: date, params: ParameterSet | None = None) -> list[tuple[int, str]]:
    return [
        (m, gettext("{m} tháng").format(m=m)) for m in _months(params or default_parameters(), "household_hi/terms", on)
    ]


def _years(months: tuple[int, ...]) -> str:
    years = [m // 12 for m in months]
    if years and all(m % 12 == 0 for m in months) and years == list(range(years[0], years[-1] + 1)):
        return gettext("từ {value} đến {value2} năm").format(value=years[0], value2=years[-1])
    return ", ".join(gettext("{m} tháng").format(m=m) for m in months)


def methods(on: date, params: ParameterSet | None = None) -> list[tuple[str, str]]:
    params = params or default_parameters()
    regular = ", ".join(str(m) for m in _months(params, "vsi/payment_terms", on))
    advance = _years(_months(params, "vsi/advance_terms", on))
    return [
        (
            vsi.Method.REGULAR.value,
            gettext("Đóng định kỳ ({regular} tháng)").format(regular=regular) if regular else gettext("Đóng định kỳ"),
        ),
        (
            vsi.Method.ADVANCE.value,
            gettext("Đóng trước nhiều năm ({advance})").format(advance=advance)
            if advance
            else gettext("Đóng trước nhiều năm"),
        ),
        (vsi.Method.CATCH_UP.value, gettext("Đóng bù tháng còn thiếu")),
    ]


def support_groups(on: date, params: ParameterSet | None = None) -> list[tuple[str, str]]:
    """The groups the state support rate in force names (besides 'other'), in the order of the labels;
    before 01/07/2025 only the poor and near-poor have a rate of their own (ND 134/2015 art. 14)."""
    parameter = (params or default_parameters()).get("vsi/state_support_rate")
    named = set(parameter.at(on).value) if parameter.in_force(on) else set()  # type: ignore[arg-type]
    return [(g, label) for g, label in GROUP_LABELS.items() if g in named]


def example_incomes(on: date, params: ParameterSet | None = None) -> list[int]:
    """Three incomes to compare: the floor in force, twice and three times it (on the income step)."""
    floor, ceiling, step = vsi.income_bounds(UsedParameters(params or default_parameters(), on))
    return [min(ceiling, -(-floor * k // step) * step) for k in (1, 2, 3)]


def example_incomes_text(on: date, params: ParameterSet | None = None) -> str:
    return ", ".join(str(i) for i in example_incomes(on, params))


def example_hint(on: date, params: ParameterSet | None = None) -> str:
    first, second, _ = example_incomes(on, params)
    return f"{first}, {second}"
