"""A consultation for one person: what each income costs by payment term after support, the pension
it buys at retirement, and the household-HI total — everything an advisory team says at a stall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ansinh.lib.errors import DomainError
from ansinh.rules import benefits, household_hi, vsi
from ansinh.rules.params import ParameterSet, UsedParameters, default_parameters


@dataclass(frozen=True)
class IncomeOption:
    income: int
    monthly_gross: int
    monthly_support: int
    payable_by_term: dict[int, int]  # term in months → amount to pay for the term
    pension: benefits.PensionEstimate | None
    refusal: str = ""  # why this income cannot be quoted (off the step, below the floor...)


@dataclass(frozen=True)
class Consultation:
    on: date
    retirement: benefits.Retirement
    options: list[IncomeOption]
    household: household_hi.HiQuote | None
    floor: int
    ceiling: int
    terms: tuple[int, ...]
    contribution_rate: Decimal
    other_benefits: dict[str, int | None]  # funeral multiple and months, maternity grant and months, HI years


def consult(on: date, born: date, sex: str, incomes: Sequence[int], groups: Sequence[str] = (),
            household_members: int = 0, params: ParameterSet | None = None) -> Consultation:
    params = params or default_parameters()
    when = benefits.retirement(born, sex, params)
    floor, ceiling, _ = vsi.income_bounds(UsedParameters(params, on))
    terms: tuple[int, ...] = params.at("vsi/payment_terms", on).value  # type: ignore[assignment]
    options = [_option(on, born, sex, income, frozenset(groups), terms, when, params) for income in incomes]
    hi = None
    if household_members > 0:
        hi = household_hi.quote(household_hi.HiQuoteInput(
            on=on, members=tuple(household_hi.HiMember() for _ in range(household_members)), months=12), params)
    rate: Decimal = params.at("vsi/contribution_rate", on).value  # type: ignore[assignment]
    return Consultation(on, when, options, hi, floor, ceiling, terms, rate, _other_benefits(on, params))


def _other_benefits(on: date, params: ParameterSet) -> dict[str, int | None]:
    """The other benefits' figures in force on ``on`` (the maternity grant is None before it existed)."""
    def value(name: str) -> int | None:
        return int(params.at(name, on).value) if params.get(name).in_force(on) else None  # type: ignore[arg-type]

    return {"funeral_multiple": value("benefits/funeral_allowance_multiple"),
            "funeral_min_months": value("benefits/funeral_allowance_min_months"),
            "maternity_amount": value("benefits/maternity_grant_amount"),
            "maternity_min_months": value("benefits/maternity_grant_min_months"),
            "hi_continuity_years": value("benefits/hi_continuity_years")}


def _option(on: date, born: date, sex: str, income: int, groups: frozenset[str], terms: tuple[int, ...],
            when: benefits.Retirement, params: ParameterSet) -> IncomeOption:
    try:
        by_term = {t: vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=t, groups=groups), params)
                   for t in terms}
    except DomainError as error:
        return IncomeOption(income, 0, 0, {}, None, error.message)
    monthly = by_term[min(terms)]
    pension = None
    if when.first_pension_month > on:
        pension = benefits.estimate_pension(born, sex, income, on, None, params)
    return IncomeOption(income, monthly.gross // monthly.months, monthly.state_support // monthly.months,
                        {t: q.payable for t, q in by_term.items()}, pension)
