"""A consultation for one person: what each income costs by payment term after support, the pension
it buys at retirement, the household-HI total, and every benefit in force with its article —
everything an advisory team says at a stall. For a person already past retirement age it says so
and lists what applies now (catch-up, social pension) instead of a past date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.lib.errors import DomainError
from ansinh.lib.i18n import N_, translate
from ansinh.lib.money import format_decimal, format_vnd
from ansinh.lib.periods import add_months, format_date_vi
from ansinh.rules import benefits, household_hi, vsi
from ansinh.rules.params import Notice, ParameterSet, UsedParameters, default_parameters


@dataclass(frozen=True)
class IncomeOption:
    income: int
    monthly_gross: int
    monthly_support: int
    payable_by_term: dict[int, int]  # term in months → amount to pay for the term
    pension: benefits.PensionEstimate | None
    refusal: str = ""  # why this income cannot be quoted (off the step, below the floor...)
    monthly_local: int = 0  # the province's top-up per month (rules/local_support.py)
    notices: tuple[Notice, ...] = ()  # e.g. the province's top-up is not configured


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
    benefits: tuple[BenefitLine, ...] = ()  # every benefit in force on the day, with its article
    past_retirement: bool = False  # the first pension month is already past on the day
    province: str | None = None  # the province whose top-up the amounts include

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The options' notices, once each (the top-up not configured is the same for every income)."""
        return tuple(dict.fromkeys(n for o in self.options for n in o.notices))

    def as_dict(self) -> dict[str, Any]:
        """For ``ansinh calc consult --json``: no pension date in the past, no empty pension field."""
        retirement = self.retirement.as_dict()
        if self.past_retirement:
            retirement["reached_on"] = self.retirement.reached_on.isoformat()
            del retirement["first_pension_month"]
        options = []
        for o in self.options:
            option: dict[str, Any] = {"income": o.income, "monthly_gross": o.monthly_gross,
                                      "monthly_support": o.monthly_support,
                                      "payable_by_term": {str(k): v for k, v in o.payable_by_term.items()}}
            if o.refusal:
                option["refusal"] = o.refusal
            if o.pension is not None:
                option["pension"] = {"eligible": o.pension.rate.eligible, "monthly": o.pension.monthly_pension,
                                     "months_still_needed": o.pension.rate.months_still_needed}
            options.append(option)
        return {"on": self.on.isoformat(), "past_retirement": self.past_retirement, "retirement": retirement,
                "options": options,
                "benefits": [{"name": b.name, "article": b.article, "text": b.text} for b in self.benefits]}


@dataclass(frozen=True)
class BenefitLine:
    name: str
    article: str
    text: str  # one Vietnamese sentence with the figures in force


def consult(on: date, born: date, sex: str, incomes: Sequence[int], groups: Sequence[str] = (),
            household_members: int = 0, params: ParameterSet | None = None,
            province: str | None = None) -> Consultation:
    """``province``: the statistics code of the province the person lives in, for its top-up
    (local_support/NN); none → the amounts are without any provincial top-up."""
    params = params or default_parameters()
    when = benefits.retirement(born, sex, params)
    floor, ceiling, _ = vsi.income_bounds(UsedParameters(params, on))
    terms: tuple[int, ...] = params.at("vsi/payment_terms", on).value  # type: ignore[assignment]
    options = [_option(on, born, sex, income, frozenset(groups), terms, when, params, province) for income in incomes]
    hi = None
    if household_members > 0:
        hi = household_hi.quote(household_hi.HiQuoteInput(
            on=on, members=tuple(household_hi.HiMember() for _ in range(household_members)), months=12), params)
    rate: Decimal = params.at("vsi/contribution_rate", on).value  # type: ignore[assignment]
    past = when.first_pension_month <= on
    lines = _benefit_lines(on, born, when, past, groups, params)
    return Consultation(on, when, options, hi, floor, ceiling, terms, rate, _other_benefits(on, params), lines, past,
                        province)


def _benefit_lines(on: date, born: date, when: benefits.Retirement, past: bool, groups: Sequence[str],
                   params: ParameterSet) -> tuple[BenefitLine, ...]:
    """What the person would get, each with the reference of the figure in force on ``on``."""
    def found(name: str) -> Any:
        return params.at(name, on) if params.get(name).in_force(on) else None

    lines = []
    if past:
        cap = found("vsi/catch_up_max_months")
        short = translate(N_("còn thiếu "
                             "không quá {value} tháng")).format(value=cap.value) if cap else translate(N_("còn thiếu"))
        lines.append(BenefitLine("past_retirement", cap.reference.title if cap else "",
                                 translate(N_("Đã đủ tuổi nghỉ hưu từ {value}: nếu {short} so với số năm tối thiểu "
                                              "thì có "
                                    "thể đóng bù một lần cho số tháng còn thiếu để hưởng lương hưu; nếu không, "
                                    "nhận BHXH một lần.")).format(
                                     value=format_date_vi(when.reached_on), short=short)))
    ages, pension = found("benefits/social_pension_age"), found("benefits/social_pension_amount")
    social_from = None
    if ages and pension:
        age = min([int(ages.value["other"]), *(int(ages.value[g]) for g in groups if g in ("poor", "near_poor"))])
        social_from = add_months(born, age * 12)
        when_text = (translate(N_("đã đủ {age} tuổi từ {value}: được hưởng ngay")).format(
                         age=age, value=format_date_vi(social_from)) if social_from <= on
                     else translate(N_("từ {age} tuổi (ngày {value})")).format(
                              age=age, value=format_date_vi(social_from)))
        lines.append(BenefitLine("social_pension", pension.reference.title,
                                 translate(N_("Trợ cấp hưu trí xã hội {value}/tháng {when_text} nếu không có lương "
                                              "hưu.")).format(
                                     value=format_vnd(pension.value), when_text=when_text)))
    allowance = params.get("benefits/monthly_allowance").unpublished_on(on)
    if past and allowance is not None and (social_from is None or social_from > on):
        until = translate(N_(" đến khi đủ tuổi hưởng trợ cấp hưu trí xã hội ({value})")).format(
                    value=format_date_vi(social_from)) if social_from else ""
        lines.append(BenefitLine("monthly_allowance", allowance.title,
                                 translate(N_("Nếu chưa đủ điều kiện hưởng lương hưu và không nhận BHXH một lần: có "
                                              "thể đề "
                                    "nghị trợ cấp hằng tháng từ chính khoản đã đóng{until}; mức và thời gian "
                                    "hưởng tính theo số tiền đã đóng (chưa cấu hình trong hệ thống, cơ quan BHXH "
                                    "tính).")).format(until=until)))
    for name, parameter, text in _fixed_lines(found):
        if parameter is not None:
            lines.append(BenefitLine(name, parameter.reference.title, text(parameter.value)))
    return tuple(lines)


def _fixed_lines(found: Any) -> list[tuple[str, Any, Any]]:
    return [
        ("lump_sum", found("benefits/lump_sum_multiple"),
         lambda v: translate(N_("BHXH một lần: {value} tháng thu nhập bình quân mỗi năm đóng trước 2014, {value2} "
                                "tháng mỗi "
                      "năm từ 2014, trừ tiền Nhà nước đã hỗ trợ.")).format(
                       value=format_decimal(v['before_2014']), value2=format_decimal(v['from_2014']))),
        ("funeral", found("benefits/funeral_allowance_multiple"),
         lambda v: translate(N_("Trợ cấp mai táng {value} lần lương cơ sở cho thân nhân khi đã đóng từ {value2} "
                                "tháng.")).format(
                       value=format_decimal(v), value2=found('benefits/funeral_allowance_min_months').value)),
        ("maternity", found("benefits/maternity_grant_amount"),
         lambda v: translate(N_("Trợ cấp thai sản {value}/con (mẹ hoặc cha) khi đã đóng từ {value2} tháng trong 12 "
                                "tháng "
                      "trước khi sinh.")).format(
                       value=format_vnd(v), value2=found('benefits/maternity_grant_min_months').value)),
        ("retirement_allowance", found("benefits/retirement_allowance"),
         lambda v: translate(N_("Trợ cấp một lần khi nghỉ hưu: {per_year} tháng thu nhập bình quân mỗi năm đóng trên "
                      "{male_years} năm (nam) / {female_years} năm (nữ).")).format(
                       per_year=v['per_year'], male_years=v['male_years'], female_years=v['female_years'])),
        ("transitional_pension", found("benefits/transitional_pension"),
         lambda v: translate(N_("Tham gia BHXH tự nguyện trước 01/01/{joined_before_year} và đủ {min_vsi_years} năm: "
                                "hưởng "
                      "lương hưu từ {male_age_years} tuổi (nam) / {female_age_years} tuổi (nữ).")).format(
                       joined_before_year=v['joined_before_year'], min_vsi_years=v['min_vsi_years'],
                       male_age_years=v['male_age_years'], female_age_years=v['female_age_years'])),
        ("survivor_lump_sum", found("benefits/survivor_lump_sum"),
         lambda v: translate(N_("Trợ cấp tuất một lần cho thân nhân: {before_2014} / {from_2014} tháng thu nhập bình "
                                "quân "
                      "mỗi năm đóng (trước / từ 2014), thấp nhất {minimum} tháng.")).format(
                       before_2014=v['before_2014'], from_2014=v['from_2014'], minimum=v['minimum'])),
    ]


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
            when: benefits.Retirement, params: ParameterSet, province: str | None = None) -> IncomeOption:
    try:
        by_term = {t: vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=t, groups=groups, province=province),
                                params) for t in terms}
    except DomainError as error:
        return IncomeOption(income, 0, 0, {}, None, error.message)
    monthly = by_term[min(terms)]
    pension = None
    if when.first_pension_month > on:
        pension = benefits.estimate_pension(born, sex, income, on, None, params)
    return IncomeOption(income, monthly.gross // monthly.months, monthly.state_support // monthly.months,
                        {t: q.payable for t, q in by_term.items()}, pension,
                        monthly_local=monthly.local_support // monthly.months, notices=monthly.notices)
