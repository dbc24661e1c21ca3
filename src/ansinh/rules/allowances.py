"""The allowances of Luật BHXH 41/2024 (from 01/07/2025) beside the pension: what a person gets,
or a :data:`ErrorCode.NOT_ELIGIBLE` refusal saying why the law gives nothing. DOMAIN.md §3.3.

- social pension allowance (trợ cấp hưu trí xã hội, art. 21–22, ND 176/2025): 500,000 a month from
  75, or from 70 for members of poor and near-poor households, without a pension;
- one-time allowance on retirement (art. 100): half a month of average income per year above 35
  (men) / 30 (women) years of contributions;
- transitional pension (art. 141(9)): VSI participants from before 01/01/2021 with 20 years of VSI
  retire at 60 (men) / 55 (women); already that age → from 01/07/2025 (TT 11/2025/TT-BNV art. 5(5));
- maternity allowance (art. 94–95): 2,000,000 per child, 6 months paid in the 12 before the birth,
  fathers too (one parent claims), a stillbirth from 22 weeks;
- survivor lump sum (trợ cấp tuất một lần, art. 110) for the family of a participant.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_, translate
from ansinh.lib.money import format_vnd, round_vnd
from ansinh.lib.periods import add_months, format_date_vi
from ansinh.rules.benefits import (
    Benefit,
    check_sex,
    counted_years,
    lump_sum_years,
    maternity_grant,
    not_eligible,
    pension_rate,
)
from ansinh.rules.params import ParameterSet, UsedParameters, default_parameters

POVERTY_GROUPS = ("poor", "near_poor")


def age_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _in_force(use: UsedParameters, name: str, what: str) -> None:
    parameter = use.params.get(name)
    if not parameter.in_force(use.on):
        first = parameter.change_dates()[0]
        raise not_eligible(N_("{what} "
                              "chỉ có từ {value} (Luật BHXH 41/2024/QH15); ngày {value2} chưa có chế độ này.").format(
                               what=what, value=format_date_vi(first), value2=format_date_vi(use.on)),
                           f"{name} applies from {first.isoformat()} only.")


def social_pension(born: date, on: date, groups: tuple[str, ...] = (), has_pension: bool = False,
                   params: ParameterSet | None = None) -> Benefit:
    """Monthly social pension allowance on ``on`` (Luật 41 art. 21–22; ND 176/2025)."""
    use = UsedParameters(params or default_parameters(), on)
    _in_force(use, "benefits/social_pension_amount", translate(N_("Trợ cấp hưu trí xã hội")))
    ages: dict[str, Any] = use.get("benefits/social_pension_age")
    threshold = min([int(ages["other"]), *(int(ages[g]) for g in groups if g in POVERTY_GROUPS and g in ages)])
    age = age_years(born, on)
    if has_pension:
        raise not_eligible(N_("Người đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng không hưởng trợ cấp hưu trí "
                              "xã hội "
                           "(Luật 41/2024, Điều 21)."), "A pensioner gets no social pension allowance.")
    if age < threshold:
        raise not_eligible(N_("Mới {age} tuổi: trợ cấp hưu trí xã hội từ {threshold} tuổi (Luật 41/2024, Điều "
                              "21), tức từ ngày {value}.").format(
                               age=age, threshold=threshold, value=format_date_vi(add_months(born, threshold * 12))),
                           f"Aged {age}; the allowance starts at {threshold}.", from_age=threshold)
    amount: int = use.get("benefits/social_pension_amount")
    return Benefit("social_pension", translate(N_("Luật BHXH 41/2024/QH15, Điều 21–22; Nghị định 176/2025/NĐ-CP")),
                   amount,
                   monthly=True, details={"age": age, "from_age": threshold}, parameters=tuple(use.used))


def retirement_allowance(sex: str, months_paid: int, average: int, on: date,
                         params: ParameterSet | None = None) -> Benefit:
    """One-time allowance on retirement for the years above 35 (men) / 30 (women) (Luật 41 art. 100)."""
    use = UsedParameters(params or default_parameters(), on)
    _in_force(use, "benefits/retirement_allowance", translate(N_("Trợ cấp một lần khi nghỉ hưu (Điều 100)")))
    terms: dict[str, Any] = use.get("benefits/retirement_allowance")
    sex = check_sex(sex)
    threshold = Decimal(terms[f"{sex}_years"])
    above = counted_years(months_paid) - threshold
    if above <= 0:
        raise not_eligible(N_("Cần đóng trên {threshold} năm để có trợ cấp một lần khi nghỉ hưu (Luật 41/2024, "
                              "Điều 100); đã đóng {value} năm.").format(
                               threshold=threshold, value=counted_years(months_paid)), "Not above the threshold years.")
    amount = round_vnd(Decimal(terms["per_year"]) * average * above)
    return Benefit("retirement_allowance", translate(N_("Luật BHXH 41/2024/QH15, Điều 100")), amount,
                   details={"years_above": str(above)}, parameters=tuple(use.used))


def transitional_pension(born: date, sex: str, joined: date, vsi_months: int, on: date, average: int | None = None,
                         params: ParameterSet | None = None) -> Benefit:
    """Pension at 60 (men) / 55 (women) for VSI participants from before 2021 with 20 years of VSI
    (Luật 41 art. 141(9)); the pension starts the month after the age, at the earliest 01/07/2025."""
    use = UsedParameters(params or default_parameters(), on)
    _in_force(use, "benefits/transitional_pension", translate(N_("Lương hưu theo Điều 141 khoản 9")))
    terms: dict[str, Any] = use.get("benefits/transitional_pension")
    if joined.year >= int(terms["joined_before_year"]):
        raise not_eligible(N_("Điều 141 khoản 9 chỉ áp dụng cho người tham gia BHXH tự nguyện trước "
                              "01/01/{joined_before_year}.").format(
                               joined_before_year=terms['joined_before_year']), "Joined too late for art. 141(9).")
    if vsi_months < int(terms["min_vsi_years"]) * 12:
        raise not_eligible(N_("Cần đủ {min_vsi_years} năm đóng BHXH tự nguyện (Điều 141 khoản 9); đã đóng "
                              "{vsi_months} tháng.").format(
                               min_vsi_years=terms['min_vsi_years'], vsi_months=vsi_months),
                               "Fewer than 20 years of VSI.")
    age = int(terms[f"{check_sex(sex)}_age_years"])
    reached = add_months(born, age * 12)
    after = add_months(reached.replace(day=1), 1)
    law_start = use.params.get("benefits/transitional_pension").change_dates()[0]
    start = max(after, law_start)
    rate = pension_rate(sex, vsi_months, start, use.params)
    monthly = round_vnd(rate.rate * average) if average is not None else 0
    details = {"first_pension_month": start.isoformat(), "age": age, "rate": str(rate.rate),
               "reached_on": reached.isoformat(), "already_that_age": reached < law_start}
    return Benefit("transitional_pension",
                   translate(N_("Luật BHXH 41/2024/QH15, Điều 141, khoản 9; TT 11/2025/TT-BNV, Điều 5")),
                   monthly, monthly=True, details=details, parameters=tuple(use.used) + rate.parameters)


def maternity(months_paid_in_12_before_birth: int, birth: date, children: int = 1,
              stillbirth_weeks: int | None = None, params: ParameterSet | None = None) -> Benefit:
    """VSI maternity allowance (Luật 41 art. 94–95), for the mother or the father (one claims)."""
    use = UsedParameters(params or default_parameters(), birth)
    _in_force(use, "benefits/maternity_grant_amount", translate(N_("Trợ cấp thai sản BHXH tự nguyện")))
    if children < 1:
        raise DomainError(ErrorCode.INVALID_INPUT, N_("Số con phải từ 1 trở lên."), "Children must be at least 1.")
    if stillbirth_weeks is not None:
        weeks: int = use.get("benefits/maternity_min_gestation_weeks")
        if stillbirth_weeks < weeks:
            raise not_eligible(N_("Thai chết lưu dưới {weeks} tuần tuổi không được trợ cấp thai sản (Luật "
                                  "41/2024, Điều 94).").format(weeks=weeks),
                                  f"A stillbirth under {weeks} weeks gives no allowance.")
    needed: int = use.get("benefits/maternity_grant_min_months")
    if months_paid_in_12_before_birth < needed:
        raise not_eligible(N_("Cần đóng BHXH tự nguyện đủ {needed} tháng trong 12 tháng trước khi sinh (Luật "
                              "41/2024, Điều 94, khoản 1); mới đóng {months_paid_in_12_before_birth} tháng.").format(
                               needed=needed, months_paid_in_12_before_birth=months_paid_in_12_before_birth),
                           f"{needed} months in the 12 before the birth are needed.")
    amount = maternity_grant(months_paid_in_12_before_birth, birth, children, use.params)
    per_child: int = use.get("benefits/maternity_grant_amount")
    return Benefit("maternity", translate(N_("Luật BHXH 41/2024/QH15, Điều 94–95")), amount,
                   details={"children": children, "per_child": per_child,
                            "note": translate(N_("Mẹ "
                                                 "hoặc cha (một người nhận); {value} mỗi con; NSNN chi trả.")).format(
                                        value=format_vnd(per_child))},
                   parameters=tuple(use.used))


def survivor_lump_sum(average: int, months_before_2014: int, months_from_2014: int, on: date,
                      params: ParameterSet | None = None) -> Benefit:
    """Survivor lump sum for the family of a participant (Luật 41 art. 110): per year 1.5 months of
    average income before 2014 and 2 from 2014 (odd months as for the lump sum), at least 3 months."""
    use = UsedParameters(params or default_parameters(), on)
    _in_force(use, "benefits/survivor_lump_sum", translate(N_("Trợ cấp tuất một lần (Điều 110)")))
    terms: dict[str, Any] = use.get("benefits/survivor_lump_sum")
    years_before, years_from = lump_sum_years(months_before_2014, months_from_2014)
    gross = Decimal(terms["before_2014"]) * average * years_before + Decimal(terms["from_2014"]) * average * years_from
    amount = round_vnd(max(gross, Decimal(terms["minimum"]) * average))
    return Benefit("survivor_lump_sum", translate(N_("Luật BHXH 41/2024/QH15, Điều 110")), amount,
                   details={"years_before_2014": str(years_before), "years_from_2014": str(years_from)},
                   parameters=tuple(use.used))
