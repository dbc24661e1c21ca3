"""Voluntary social insurance (BHXH tự nguyện) contribution quote.

Law 58/2014 art. 87 + Decree 134/2015 (until 30/06/2025); Law 41/2024 art. 31, 36 + Decree
159/2025 (from 01/07/2025). See DOMAIN.md §3.1.

- monthly contribution = 22 % × chosen income; income from the rural poverty line up to
  20 × base salary, in steps of 50,000 above the floor;
- advance (đóng trước) n months, whole years 2 to 5 (24/36/48/60): Σ_{i=1..n} 22 % × income / (1+r)^(i−1);
  catch-up (đóng bù) t months: Σ_{i=1..t} 22 % × income × (1+r)^i, r = the SI fund's monthly
  return of the year before the payment year; catch-up only from retirement age (Era B: from the
  month before, Luật 41 art. 36(3)(e)) for at most 10 years short (Era A) / 5 (ND 159/2025 art. 7);
- state support per month = tier × 22 % × rural poverty line, whatever the income, for at most
  120 months per person; the highest tier among the person's groups; not discounted on advances;
- the provincial top-up (rules/local_support.py) on the same base and months; a province whose
  top-up is not configured is quoted without it and the quote carries a notice.

Parameters in force on the payment date apply to the whole term (docs/adr/0002).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any

from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.i18n import N_, translate
from ansinh.lib.money import format_vnd, round_vnd
from ansinh.lib.periods import add_months, end_of_term, format_date_vi
from ansinh.rules import local_support
from ansinh.rules.benefits import retirement
from ansinh.rules.local_support import highest_rate
from ansinh.rules.params import (
    Notice,
    ParameterSet,
    ParameterValue,
    Reference,
    UsedParameters,
    default_parameters,
)

SUPPORT_GROUPS = ("poor", "near_poor", "ethnic_minority", "island", "other")


class Method(StrEnum):
    REGULAR = "regular"
    ADVANCE = "advance"
    CATCH_UP = "catch_up"


@dataclass(frozen=True)
class VsiQuoteInput:
    on: date
    income: int
    months: int
    method: Method = Method.REGULAR
    groups: frozenset[str] = frozenset()
    province: str | None = None
    supported_months_used: int = 0
    fund_return: Decimal | None = None
    # Catch-up only: who pays (its age condition) and the months already paid (its cap).
    born: date | None = None
    sex: str | None = None
    months_paid: int | None = None


@dataclass(frozen=True)
class VsiQuote:
    income: int
    months: int
    method: Method
    gross: int
    state_support: int
    local_support: int
    payable: int
    support_rate: Decimal
    supported_months: int
    parameters: tuple[ParameterValue, ...] = field(default=())
    contribution_rate: Decimal = Decimal(0)
    local_rate: Decimal = Decimal(0)
    notices: tuple[Notice, ...] = ()  # e.g. the provincial top-up is not configured

    def as_dict(self) -> dict[str, Any]:
        return {
            "income": self.income,
            "months": self.months,
            "gross": self.gross,
            "state_support": self.state_support,
            "local_support": self.local_support,
            "payable": self.payable,
            "parameters": [p.as_dict() for p in self.parameters],
            "notices": [n.as_dict() for n in self.notices],
        }


def quote(request: VsiQuoteInput, params: ParameterSet | None = None) -> VsiQuote:
    """The amount a participant pays for one voluntary-SI payment, with its breakdown."""
    use = UsedParameters(params or default_parameters(), request.on)
    _check_groups(request.groups)
    if request.supported_months_used < 0:
        raise invalid_input(N_("Số tháng đã được hỗ trợ không được âm."), "Supported months used cannot be negative.")
    rate: Decimal = use.get("vsi/contribution_rate")
    poverty_line: int = use.get("rural_poverty_line")
    check_income(request.income, use)
    _check_months(request, use)
    gross = round_vnd(_gross(request, rate, use))
    tier = highest_rate(use.get("vsi/state_support_rate"), request.groups)
    months = supported_months(request, tier, use)
    state = round_vnd(months * rate * poverty_line * tier)
    local_tier, notice = local_support.local_rate(local_support.VSI, request.province, request.groups, use)
    # The top-up is on the same base and months as state support, never more than what is left to pay.
    local = min(round_vnd(months * rate * poverty_line * local_tier), gross - state)
    return VsiQuote(
        income=request.income,
        months=request.months,
        method=request.method,
        gross=gross,
        state_support=state,
        local_support=local,
        payable=gross - state - local,
        support_rate=tier,
        supported_months=months,
        parameters=tuple(use.used),
        contribution_rate=rate,
        local_rate=local_tier,
        notices=(notice,) if notice else (),
    )


def income_bounds(use: UsedParameters) -> tuple[int, int, int]:
    """(floor, ceiling, step) in force on the lookup date."""
    floor = round_vnd(use.get("vsi/income_floor") * use.get("rural_poverty_line"))
    ceiling = round_vnd(use.get("vsi/income_ceiling_multiple") * use.get("base_salary"))
    return floor, ceiling, use.get("vsi/income_step")


def check_income(income: int, use: UsedParameters) -> None:
    floor, ceiling, step = income_bounds(use)
    if income < floor:
        raise DomainError(
            ErrorCode.INCOME_BELOW_FLOOR,
            N_("Thu nhập {value} thấp hơn mức tối thiểu {value2} (chuẩn nghèo khu vực nông thôn).").format(
                value=format_vnd(income), value2=format_vnd(floor)),
            f"Income {income} is below the floor {floor} (rural poverty line).",
            floor=floor,
        )
    if income > ceiling:
        raise DomainError(
            ErrorCode.INCOME_ABOVE_CEILING,
            N_("Thu nhập {value} cao hơn mức tối đa {value2} (20 lần lương cơ sở).").format(
                value=format_vnd(income), value2=format_vnd(ceiling)),
            f"Income {income} is above the ceiling {ceiling} (20 × base salary).",
            ceiling=ceiling,
        )
    if income != ceiling and (income - floor) % step:
        lower = floor + (income - floor) // step * step
        upper = min(lower + step, ceiling)
        raise DomainError(
            ErrorCode.INCOME_OFF_STEP,
            N_("Thu nhập {value} không đúng bước {value2} tính từ {value3}; hai mức gần nhất là {value4} và "
               "{value5}.").format(
                value=format_vnd(income), value2=format_vnd(step), value3=format_vnd(floor),
                value4=format_vnd(lower), value5=format_vnd(upper)),
            f"Income {income} is not on the {step} step above {floor}; "
            f"the nearest valid incomes are {lower} and {upper}.",
            nearest=[lower, upper],
        )


def _check_months(request: VsiQuoteInput, use: UsedParameters) -> None:
    if request.method is Method.REGULAR:
        terms: tuple[int, ...] = use.get("vsi/payment_terms")
        if request.months not in terms:
            allowed = ", ".join(map(str, terms))
            raise DomainError(
                ErrorCode.PAYMENT_TERM_INVALID,
                N_("Phương thức đóng {months} tháng không hợp lệ; chọn một trong: {allowed} tháng.").format(
                    months=request.months, allowed=allowed),
                f"A {request.months}-month term is not allowed; choose one of {allowed} months.",
            )
        return
    if request.method is Method.ADVANCE:
        years: tuple[int, ...] = use.get("vsi/advance_terms")
        if request.months not in years:
            allowed, shortest, longest = ", ".join(map(str, years)), min(years) // 12, max(years) // 12
            raise DomainError(
                ErrorCode.PAYMENT_TERM_INVALID,
                N_("Đóng trước chỉ theo năm tròn, từ {shortest} đến {longest} năm ({allowed} tháng); không đóng "
                   "trước {months} tháng.").format(
                    shortest=shortest, longest=longest, allowed=allowed, months=request.months),
                f"An advance is whole years only, {shortest} to {longest} ({allowed} months); not {request.months}.",
                allowed=list(years),
            )
        return
    _check_catch_up(request, use)


def _check_catch_up(request: VsiQuoteInput, use: UsedParameters) -> None:
    """Catch-up is for a person at (or, in Era B, the month before) retirement age who is short of
    the minimum years by at most the cap: 10 years in Era A, 5 in Era B (ND 159/2025 art. 7)."""
    if request.born is None or request.sex is None:
        raise invalid_input(
            N_("Đóng bù chỉ dành cho người đã hoặc sắp đủ tuổi nghỉ hưu: cần ngày sinh và giới tính."),
            "A catch-up needs the participant's birth date and sex (retirement-age condition).",
            field="born",
        )
    reached = retirement(request.born, request.sex, use.params).reached_on
    before: int = use.get("vsi/catch_up_earliest_months_before_retirement")
    earliest = reached if before == 0 else add_months(reached.replace(day=1), -before)
    if request.on < earliest:
        raise DomainError(
            ErrorCode.NOT_ELIGIBLE,
            N_("Chưa được đóng bù: người tham gia đủ tuổi nghỉ hưu ngày {value}, sớm nhất được đóng bù từ ngày "
               "{value2}.").format(
                value=format_date_vi(reached), value2=format_date_vi(earliest)),
            f"No catch-up before {earliest.isoformat()} (retirement age reached {reached.isoformat()}).",
            earliest=earliest.isoformat(),
        )
    cap: int = use.get("vsi/catch_up_max_months")
    short = cap
    if request.months_paid is not None:
        short = use.get("benefits/pension_min_years") * 12 - request.months_paid
        if short > cap:
            raise DomainError(
                ErrorCode.NOT_ELIGIBLE,
                N_("Còn thiếu {short} tháng, quá {cap} tháng được đóng bù theo quy định đang áp dụng.").format(
                    short=short, cap=cap),
                f"{short} months short, more than the {cap} a catch-up may cover.",
                cap=cap,
            )
    if not 1 <= request.months <= min(cap, short):
        limit = min(cap, short)
        raise DomainError(
            ErrorCode.MONTHS_OVER_CAP,
            N_("Số tháng "
               "đóng bù phải từ 1 đến {limit} tháng (số tháng còn thiếu, tối đa {cap}); đã nhập {months}.").format(
                limit=limit, cap=cap, months=request.months),
            f"Catch-up months must be between 1 and {limit}; got {request.months}.",
            cap=limit,
        )


def _gross(request: VsiQuoteInput, rate: Decimal, use: UsedParameters) -> Decimal:
    monthly = rate * request.income
    if request.method is Method.REGULAR:
        return monthly * request.months
    r = fund_return(request, use)
    # 50 significant digits keep the discounted sum exact to far below a đồng before the one rounding.
    with localcontext() as ctx:
        ctx.prec = 50
        if request.method is Method.ADVANCE:
            return sum((monthly / (1 + r) ** (i - 1) for i in range(1, request.months + 1)), Decimal(0))
        return sum((monthly * (1 + r) ** i for i in range(1, request.months + 1)), Decimal(0))


def fund_return(request: VsiQuoteInput, use: UsedParameters) -> Decimal:
    """r of the year before the payment year: given by the caller, or a published parameter."""
    year = request.on.year - 1
    if request.fund_return is not None:
        if not Decimal(0) <= request.fund_return < 1:
            raise invalid_input(N_("Lãi suất tháng phải từ 0 đến dưới 1 (ví dụ 0.0031)."), "r must be in [0, 1).")
        use.record(
            ParameterValue(
                "vsi/fund_monthly_return",
                "rate",
                date(year, 1, 1),
                request.fund_return,
                Reference(N_("Do người dùng nhập"), note="Not a published figure"),
            )
        )
        return request.fund_return
    try:
        found = use.params.at("vsi/fund_monthly_return", date(year, 12, 31))
    except DomainError as exc:
        if exc.code is not ErrorCode.PARAMETER_UNPUBLISHED:
            raise
        raise DomainError(
            ErrorCode.FUND_RETURN_MISSING,
            N_("Chưa có lãi suất đầu tư quỹ BHXH bình quân tháng công bố cho năm {year}; hãy nhập lãi suất tháng "
               "để ước tính (ví dụ 0,0031).").format(year=year),  # no CLI flag: the web shows it too (issue 13)
            f"No published fund return for {year}; give the monthly rate.",
            year=year,
        ) from None
    use.record(found)
    value: Decimal = found.value  # type: ignore[assignment]
    return value


def supported_months(request: VsiQuoteInput, tier: Decimal, use: UsedParameters) -> int:
    if tier == 0:
        return 0
    if request.method is Method.CATCH_UP and not use.get("vsi/catch_up_state_support"):
        return 0
    cap: int = use.get("vsi/state_support_max_months")
    return min(request.months, max(0, cap - request.supported_months_used))


def _check_groups(groups: Iterable[str]) -> None:
    unknown = sorted(set(groups) - set(SUPPORT_GROUPS))
    if unknown:
        raise DomainError(
            ErrorCode.SUPPORT_GROUP_UNKNOWN,
            N_("Nhóm đối tượng không hợp lệ: {value}; dùng: {value2}.").format(
                value=', '.join(unknown), value2=', '.join(SUPPORT_GROUPS)),
            f"Unknown support group(s): {', '.join(unknown)}; use {', '.join(SUPPORT_GROUPS)}.",
        )




@dataclass(frozen=True)
class PaymentDeadline:
    """The last day to pay a period under its payment method, or None with the reason in ``reason``."""

    deadline: date | None
    reason: str = ""
    parameter: ParameterValue | None = None


def payment_deadline(term_months: int, period_start: date, params: ParameterSet | None = None) -> PaymentDeadline:
    """The deadline of a period paid every ``term_months`` months and starting in ``period_start``'s month:
    the last day of the N-th month of the period, N from ``vsi/payment_deadline_months`` in force on the
    period's first day (Era A ND 134/2015 art. 9(2); Era B Luật 41/2024 art. 36(3), ND 159/2025).
    A method without a deadline in the file (advance, catch-up) or a date without the parameter in
    force gets no deadline and says why; nothing is guessed."""
    start = period_start.replace(day=1)
    try:
        found = (params or default_parameters()).at("vsi/payment_deadline_months", start)
    except DomainError as error:
        return PaymentDeadline(None, error.message)
    within = found.value.get(f"every_{term_months}") if isinstance(found.value, Mapping) else None
    if not isinstance(within, int):
        return PaymentDeadline(
            None,
            translate(N_("Chưa có thời hạn đóng cho phương thức {term_months} tháng một lần ({title}): đóng một lần "
                     "(đóng trước, đóng bù) thì đóng khi đăng ký.")).format(
                      term_months=term_months, title=found.reference.title), found)
    return PaymentDeadline(end_of_term(start, within), "", found)
