"""Benefits of voluntary social insurance ("quyền lợi"): what a participant gets. DOMAIN.md §3.3.

- Retirement age: Labour Code 2019 art. 169 and Decree 135/2020 — men 60y3m in 2021, +3 months a
  year to 62 in 2028; women 55y4m in 2021, +4 months a year to 60 in 2035. The age that applies is
  the one of the year in which the person reaches it. Retirement is at the end of that month; the
  pension starts the month after.
- Pension rate: Law 58/2014 art. 74 (Era A) and Law 41/2024 art. 99 (Era B), by the rules in force
  in the first pension month; years counted with odd months rounded (1–6 → half a year, 7–11 → a
  whole year); at most 75 %.
- Average income: monthly incomes × the yearly adjustment coefficient of the settlement year.
- Lump sum (art. 77 / 102), funeral allowance (art. 80 / 105), Era B maternity grant (art. 95),
  household-HI continuity (Law on HI art. 22).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_
from ansinh.lib.money import round_vnd
from ansinh.lib.periods import add_months
from ansinh.rules.household_hi import lapsed
from ansinh.rules.params import ParameterSet, ParameterValue, UsedParameters, default_parameters

Sex = Literal["male", "female"]
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Retirement:
    years: int
    months: int
    reached_on: date
    retirement_date: date  # last day of the month in which the age is reached
    first_pension_month: date  # 1st of the following month
    parameters: tuple[ParameterValue, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"retirement_age": {"years": self.years, "months": self.months},
                "retirement_date": self.retirement_date.isoformat(),
                "first_pension_month": self.first_pension_month.isoformat(),
                "parameters": [p.as_dict() for p in self.parameters]}


def check_sex(sex: str) -> Sex:
    if sex not in ("male", "female"):
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Giới tính phải là male (nam) hoặc female (nữ)."),
                          "Sex must be male or female.")
    return sex  # type: ignore[return-value]


def retirement(born: date, sex: str, params: ParameterSet | None = None) -> Retirement:
    """When a person reaches retirement age under the schedule of Decree 135/2020."""
    sex = check_sex(sex)
    params = params or default_parameters()
    schedule = params.get(f"benefits/retirement_age_{sex}")
    first_year = schedule.change_dates()[0].year
    for year in range(max(born.year + 40, first_year), born.year + 100):
        found = schedule.at(date(year, 12, 31))
        months: int = found.value  # type: ignore[assignment]
        reached = add_months(born, months)
        if reached.year == year:
            last = calendar.monthrange(reached.year, reached.month)[1]
            end = reached.replace(day=last)
            return Retirement(months // 12, months % 12, reached, end, end + timedelta(days=1), (found,))
        if reached.year < year:
            break
    raise DomainError(ErrorCode.PARAMETER_NOT_IN_FORCE,
                      N_("Người "
                         "sinh ngày {born:%d/%m/%Y} đủ tuổi nghỉ hưu trước khi có bảng tuổi nghỉ hưu đã nạp.").format(
                          born=born),
                      "The retirement age for this birth date precedes the loaded schedule.")


def counted_years(months: int) -> Decimal:
    """Years of contribution for the pension rate: odd months 1–6 count half a year, 7–11 a whole year."""
    whole, rest = divmod(months, 12)
    return Decimal(whole) + (Decimal(0) if rest == 0 else HALF if rest <= 6 else Decimal(1))


@dataclass(frozen=True)
class PensionRate:
    eligible: bool
    rate: Decimal
    months_paid: int
    years_counted: Decimal
    min_years: int
    parameters: tuple[ParameterValue, ...] = field(default=())

    @property
    def months_still_needed(self) -> int:
        return max(0, self.min_years * 12 - self.months_paid)


def pension_rate(sex: str, months_paid: int, first_pension_month: date,
                 params: ParameterSet | None = None) -> PensionRate:
    """The pension rate by the rules in force in the first pension month (0 when not yet eligible)."""
    sex = check_sex(sex)
    if months_paid < 0:
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Số tháng đóng không được âm."), "Months cannot be negative.")
    use = UsedParameters(params or default_parameters(), first_pension_month)
    min_years: int = use.get("benefits/pension_min_years")
    years = counted_years(months_paid)
    if months_paid < min_years * 12:
        return PensionRate(False, Decimal(0), months_paid, years, min_years, tuple(use.used))
    base_years: int = use.get(f"benefits/pension_base_years_{sex}")
    step: Decimal = use.get("benefits/pension_step_rate")
    short = "benefits/pension_male_short_rate"
    if sex == "male" and years < base_years and use.params.get(short).in_force(first_pension_month):
        # Era B: men with 15 to under 20 years get 40 % at 15 years and 1 % for each further year.
        terms = use.get(short)
        rate = terms["base"] + terms["step"] * (years - min_years)
    else:
        rate = use.get("benefits/pension_base_rate") + step * max(Decimal(0), years - base_years)
    return PensionRate(True, min(rate, use.get("benefits/pension_max_rate")), months_paid, years, min_years,
                       tuple(use.used))


@dataclass(frozen=True)
class IncomeYear:
    year: int
    monthly_income: int
    months: int


def average_income(history: Iterable[IncomeYear], settlement_year: int,
                   params: ParameterSet | None = None) -> tuple[Decimal, tuple[ParameterValue, ...]]:
    """Mean monthly income, each year's income × that year's adjustment coefficient for the settlement
    year. Years from the settlement year on are not adjusted (today's money)."""
    rows = [h for h in history if h.months > 0]
    if not rows:
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Chưa có tháng đóng nào."), "No months paid.")
    used: list[ParameterValue] = []
    coefficients: dict[str, Any] = {}
    if any(h.year < settlement_year for h in rows):
        found = (params or default_parameters()).at("benefits/income_adjustment_coefficients",
                                                    date(settlement_year, 12, 31))
        coefficients = dict(found.value)  # type: ignore[arg-type]
        used.append(found)
    total = Decimal(0)
    for h in rows:
        if h.year >= settlement_year:
            coefficient = Decimal(1)
        elif str(h.year) in coefficients:
            coefficient = Decimal(coefficients[str(h.year)])
        else:
            raise DomainError(ErrorCode.PARAMETER_UNPUBLISHED,
                              N_("Chưa có hệ số điều chỉnh thu nhập năm {year} cho năm giải quyết "
                                 "{settlement_year}; hãy bổ sung tham số này.").format(
                                  year=h.year, settlement_year=settlement_year),
                              f"No adjustment coefficient for {h.year} (settlement {settlement_year}).", year=h.year)
        total += h.monthly_income * coefficient * h.months
    return total / sum(h.months for h in rows), tuple(used)


@dataclass(frozen=True)
class PensionEstimate:
    retirement: Retirement
    months_paid: int
    rate: PensionRate
    average_income: int
    monthly_pension: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "retirement_date": self.retirement.retirement_date.isoformat(),
            "first_pension_month": self.retirement.first_pension_month.isoformat(),
            "years_paid": float(self.rate.years_counted), "rate": str(self.rate.rate),
            "average_income": self.average_income, "monthly_pension": self.monthly_pension,
            "months_still_needed": self.rate.months_still_needed,
            "parameters": [p.as_dict() for p in self.retirement.parameters + self.rate.parameters],
        }


def estimate_pension(born: date, sex: str, income: int, start: date, years: int | None = None,
                     params: ParameterSet | None = None) -> PensionEstimate:
    """Monthly pension for a plan at a constant income (in today's money: no future adjustment),
    paid from ``start`` for ``years`` years or until retirement."""
    params = params or default_parameters()
    when = retirement(born, sex, params)
    start = start.replace(day=1)
    until = when.first_pension_month
    months = years * 12 if years is not None else (until.year - start.year) * 12 + until.month - start.month
    if months <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Tháng bắt đầu phải trước thời điểm nghỉ hưu."),
                          "The start must precede retirement.")
    rate = pension_rate(sex, months, until, params)
    return PensionEstimate(when, months, rate, income, round_vnd(rate.rate * income))


@dataclass(frozen=True)
class Benefit:
    """One benefit a person would get (or the reason they get nothing, as a refusal instead)."""

    name: str
    article: str
    amount: int
    monthly: bool = False  # a monthly amount rather than a one-off payment
    details: dict[str, Any] = field(default_factory=dict)
    parameters: tuple[ParameterValue, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"benefit": self.name, "article": self.article, "amount": self.amount, "monthly": self.monthly,
                **self.details, "parameters": [p.as_dict() for p in self.parameters]}


def not_eligible(message: str, message_en: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.NOT_ELIGIBLE, message, message_en, **details)


def lump_sum_years(months_before_2014: int, months_from_2014: int) -> tuple[Decimal, Decimal]:
    """Years counted for the lump sum: odd months before 2014 move into the period from 2014
    (Luật 41 art. 102(2)(a)); the odd months that remain count half a year (1–6) or a year (7–11)."""
    whole_before, odd = divmod(months_before_2014, 12)
    return Decimal(whole_before), counted_years(months_from_2014 + odd)


def lump_sum(average: int, months_before_2014: int, months_from_2014: int, state_support_received: int, on: date,
             params: ParameterSet | None = None, contributions: int | None = None) -> int:
    """One-off withdrawal (Luật 58 art. 77 / Luật 41 art. 102(2)): 1.5 months of average income per
    year before 2014, 2 per year from 2014, minus the state support received (art. 102(3)). Under a
    year of contributions: what was paid (``contributions``, support included), at most 2 months of
    average income, minus the support."""
    return lump_sum_benefit(average, months_before_2014, months_from_2014, state_support_received, on, params,
                            contributions).amount


def lump_sum_benefit(average: int, months_before_2014: int, months_from_2014: int, state_support_received: int,
                     on: date, params: ParameterSet | None = None, contributions: int | None = None) -> Benefit:
    if min(average, months_before_2014, months_from_2014, state_support_received) < 0:
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Các số liệu không được âm."), "Inputs cannot be negative.")
    use = UsedParameters(params or default_parameters(), on)
    found = use.params.at("benefits/lump_sum_multiple", on)
    use.record(found)
    multiples: dict[str, Any] = found.value  # type: ignore[assignment]
    total = months_before_2014 + months_from_2014
    if total < 12:
        if contributions is None:
            raise DomainError(ErrorCode.INVALID_INPUT,
                              N_("Đóng chưa đủ một năm: cần nhập số tiền đã đóng để tính BHXH một lần."),
                              "Under a year of contributions: the amount paid is needed.", field="contributions")
        cap: Decimal = use.get("benefits/lump_sum_short_cap_multiple")
        gross = min(Decimal(contributions), cap * average)
        years_before, years_from = Decimal(0), Decimal(0)
    else:
        years_before, years_from = lump_sum_years(months_before_2014, months_from_2014)
        gross = (Decimal(multiples["before_2014"]) * average * years_before
                 + Decimal(multiples["from_2014"]) * average * years_from)
    amount = max(0, round_vnd(gross) - state_support_received)
    details = {"years_before_2014": str(years_before), "years_from_2014": str(years_from),
               "state_support_deducted": min(state_support_received, round_vnd(gross))}
    return Benefit("lump_sum", found.reference.title, amount, details=details, parameters=tuple(use.used))


def lump_sum_condition(on: date, months_paid: int, joined: date, last_contribution: date,
                       case: str = "after_break", params: ParameterSet | None = None) -> str:
    """Which case of Luật 41 art. 102(1) applies, or a refusal saying why none does.

    ``case`` is what the person declares with its document: ``retirement_age`` (a: at retirement age
    without the years for a pension), ``abroad`` (b: settling abroad), ``illness`` (c: a disease the
    law lists) — or ``after_break`` (đ): only for people who contributed before 01/07/2025, after
    12 months without contributing, with under 20 years."""
    use = UsedParameters(params or default_parameters(), on)
    if case in ("retirement_age", "abroad", "illness"):
        return case
    if case != "after_break":
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Trường hợp «{case}» không có trong Điều 102 khoản 1.").format(
                                                       case=case),
                          f"Unknown art. 102(1) case {case!r}.")
    found = use.params.at("benefits/lump_sum_after_break", on)
    use.record(found)
    terms: dict[str, Any] = found.value  # type: ignore[assignment]
    gap = (on.year - last_contribution.year) * 12 + on.month - last_contribution.month - 1
    in_force_from = use.params.get("benefits/lump_sum_after_break").change_dates()[0]
    if joined >= in_force_from:  # the case is for people who contributed before Luật 41 took effect
        raise not_eligible(N_("Chỉ người có thời gian đóng BHXH trước 01/07/2025 mới được hưởng BHXH một lần sau "
                           "12 tháng không đóng (Luật 41/2024, Điều 102, khoản 1, điểm đ)."),
                           N_("Art. 102(1)(đ) is only for people who contributed before 01/07/2025."))
    if gap < int(terms["months_without"]):
        raise not_eligible(N_("Mới {value} tháng không đóng; cần đủ {months_without} tháng (Luật 41/2024, Điều "
                              "102, khoản 1, điểm đ).").format(
                               value=max(gap, 0), months_without=terms['months_without']),
                               f"Only {gap} months without contributing.")
    if months_paid >= int(terms["years_under"]) * 12:
        raise not_eligible(N_("Đã đóng từ {years_under} năm trở lên: không được hưởng BHXH một lần theo Điều 102, "
                              "khoản 1, điểm đ (Luật 41/2024).").format(
                               years_under=terms['years_under']), N_("20 years or more: art. 102(1)(đ) excluded."))
    return case


def funeral_allowance(months_paid: int, on: date, params: ParameterSet | None = None) -> int:
    use = UsedParameters(params or default_parameters(), on)
    if months_paid < use.get("benefits/funeral_allowance_min_months"):
        return 0
    return round_vnd(use.get("benefits/funeral_allowance_multiple") * use.get("base_salary"))


def maternity_grant(months_paid_in_12_before_birth: int, birth: date, children: int = 1,
                    params: ParameterSet | None = None) -> int:
    """Era B maternity grant per child; 0 before 01/07/2025 (it did not exist) or when too few months."""
    params = params or default_parameters()
    if not params.get("benefits/maternity_grant_amount").in_force(birth):
        return 0
    use = UsedParameters(params, birth)
    if months_paid_in_12_before_birth < use.get("benefits/maternity_grant_min_months"):
        return 0
    amount: int = use.get("benefits/maternity_grant_amount")
    return amount * children


def hi_continuous_since(cards: Iterable[tuple[date, date]], on: date,
                        params: ParameterSet | None = None) -> date | None:
    """Start of the household-HI coverage that is continuous up to ``on`` (gaps too short to be a
    lapse under the era's rule do not break it); None when not covered on ``on``."""
    use = UsedParameters(params or default_parameters(), on)
    periods = sorted(cards, key=lambda c: c[0], reverse=True)
    current = next(((start, end) for start, end in periods if start <= on <= end), None)
    if current is None:
        return None
    since = current[0]
    for start, end in periods:
        if start < since and not lapsed(since, end, UsedParameters(use.params, since)):
            since = min(since, start)
    return since


def hi_continuity_years(cards: Iterable[tuple[date, date]], on: date, params: ParameterSet | None = None) -> int:
    since = hi_continuous_since(cards, on, params)
    if since is None:
        return 0
    full = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    return max(0, full)
