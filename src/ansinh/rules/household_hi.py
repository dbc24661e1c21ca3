"""Household health insurance (BHYT hộ gia đình) quote and card validity.

Law on HI art. 13 and 16 (as amended by Law 46/2014 and Law 51/2024); Decree 146/2018 art. 7 (terms art. 9(7));
Decree 188/2025 art. 6. See DOMAIN.md §3.2.

- per member per month = 4.5 % × base salary × rank factor (1st 100 %, 2nd 70 %, 3rd 60 %,
  4th 50 %, 5th and later 40 %); ranks count the household's members joining in the same
  calendar year, continuing after those who joined earlier that year; members covered through
  another group are not counted;
- a card for a first-time participant, or after a lapse (Era A: uncovered 3 months or more; from
  01/07/2025: 90 uncovered days or more), is valid 30 days after payment; a renewal paid before the old
  card ends continues the day after it ends; otherwise it is valid from the payment date;
- members of poor households are in the group the state budget pays for (not charged); members of
  near-poor households are in the group it supports (at least 70 % of 4.5 % × base salary; ND 146/2018
  art. 3, 4, 8; ND 188/2025); neither counts in the household ranks unless, from 01/07/2025, a
  supported member chooses to join as a household (Luật 51/2024);
- a province's HI top-up (household_hi/local_support/NN) by group; not configured → a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_, translate
from ansinh.lib.money import round_vnd
from ansinh.lib.periods import add_months, end_of_term, format_date_vi
from ansinh.rules import local_support
from ansinh.rules.local_support import highest_rate
from ansinh.rules.params import (
    Notice,
    ParameterSet,
    ParameterValue,
    Scalar,
    UsedParameters,
    default_parameters,
)

HOUSEHOLD = "household"
POOR = "poor"  # member of a poor household: the state budget pays the whole contribution
NEAR_POOR = "near_poor"  # member of a near-poor household: the state supports at least 70 %
NEAR_POOR_FULL = "near_poor_full"  # near-poor in a case the decree supports at 100 % (with its document)
MEMBER_GROUPS = (HOUSEHOLD, POOR, NEAR_POOR, NEAR_POOR_FULL)
SUPPORTED_GROUPS = (NEAR_POOR, NEAR_POOR_FULL)
GROUP_LABELS = {HOUSEHOLD: N_("Hộ gia đình"), POOR: N_("Hộ nghèo (NSNN đóng)"),
                NEAR_POOR: N_("Hộ cận nghèo (NSNN hỗ trợ)"),
                NEAR_POOR_FULL: N_("Hộ cận nghèo (NSNN hỗ trợ 100%)")}


@dataclass(frozen=True)
class HiMember:
    covered_elsewhere: bool = False
    group: str = HOUSEHOLD  # from the household's poverty status on the date (with its document)
    as_household: bool = False  # a supported member choosing to join as a household (Luật 51/2024)


@dataclass(frozen=True)
class HiQuoteInput:
    on: date
    members: tuple[HiMember, ...]
    months: int
    already_joined: int = 0
    previous_card_end: date | None = None
    province: str | None = None  # the province's HI top-up (household_hi/local_support/NN)


@dataclass(frozen=True)
class HiMemberQuote:
    rank: int | None  # None: not counted in the household ranks (covered elsewhere, or in a state group)
    factor: Decimal
    monthly: int  # contribution per month before support
    amount: int  # what the household pays for this member for the term
    group: str = HOUSEHOLD
    gross: int = 0  # contribution for the term before support
    state_support: int = 0
    local_support: int = 0

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.group, self.group)

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "factor": str(self.factor), "monthly": self.monthly, "amount": self.amount,
                "group": self.group, "gross": self.gross, "state_support": self.state_support,
                "local_support": self.local_support}


@dataclass(frozen=True)
class CardValidity:
    valid_from: date
    valid_to: date
    waiting: bool  # first time or after a lapse: the waiting period applied


@dataclass(frozen=True)
class HiQuote:
    months: int
    members: tuple[HiMemberQuote, ...]
    total: int
    card: CardValidity
    parameters: tuple[ParameterValue, ...] = field(default=())
    notices: tuple[Notice, ...] = ()

    @property
    def state_support(self) -> int:
        return sum(m.state_support for m in self.members)

    @property
    def local_support(self) -> int:
        return sum(m.local_support for m in self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "members": [m.as_dict() for m in self.members],
            "total": self.total,
            "state_support": self.state_support,
            "local_support": self.local_support,
            "notices": [n.as_dict() for n in self.notices],
            "card": {
                "valid_from": self.card.valid_from.isoformat(),
                "valid_to": self.card.valid_to.isoformat(),
            },
            "parameters": [p.as_dict() for p in self.parameters],
        }


def rank_factor(factors: dict[str, Scalar], rank: int) -> Decimal:
    """Factor for a rank; ranks past the last listed one use the last (5th and later: 40 %)."""
    last = max(int(k) for k in factors)
    return Decimal(factors[str(min(rank, last))])


def quote(request: HiQuoteInput, params: ParameterSet | None = None) -> HiQuote:
    """The household's amounts for one term, member by member, and the cards' validity."""
    use = UsedParameters(params or default_parameters(), request.on)
    if request.already_joined < 0:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            N_("Số thành viên đã tham gia trước trong năm không được âm."),
            "Members already joined cannot be negative.",
        )
    if not any(not m.covered_elsewhere for m in request.members):
        raise DomainError(
            ErrorCode.HOUSEHOLD_EMPTY,
            N_("Hộ gia đình cần ít nhất một thành viên tham gia BHYT hộ gia đình."),
            "The household needs at least one member joining household HI.",
        )
    _check_members(request.members, use)
    terms: tuple[int, ...] = use.get("household_hi/terms")
    if request.months not in terms:
        allowed = ", ".join(map(str, terms))
        raise DomainError(
            ErrorCode.PAYMENT_TERM_INVALID,
            N_("Kỳ đóng {months} tháng không hợp lệ; chọn một trong: {allowed} tháng.").format(
                months=request.months, allowed=allowed),
            f"A {request.months}-month term is not allowed; choose one of {allowed} months.",
        )
    rate: Decimal = use.get("household_hi/contribution_rate")
    base: int = use.get("base_salary")
    factors: dict[str, Scalar] = use.get("household_hi/rank_factors")
    local_rates, notice = local_support.local_rates(local_support.HI, request.province, use)
    members = []
    rank = request.already_joined
    for member in request.members:
        if member.covered_elsewhere:
            members.append(HiMemberQuote(None, Decimal(0), 0, 0))
        elif member.group == HOUSEHOLD or member.as_household:
            rank += 1
            factor = rank_factor(factors, rank)
            monthly = rate * base * factor
            gross = round_vnd(monthly * request.months)
            local = min(round_vnd(monthly * request.months * highest_rate(local_rates, [HOUSEHOLD])), gross)
            members.append(HiMemberQuote(rank, factor, round_vnd(monthly), gross - local, HOUSEHOLD, gross, 0, local))
        else:
            members.append(_group_member(member.group, rate * base, request.months, local_rates, use))
    card = card_validity(request.on, request.months, request.previous_card_end, use)
    return HiQuote(
        months=request.months,
        members=tuple(members),
        total=sum(m.amount for m in members),
        card=card,
        parameters=tuple(use.used),
        notices=(notice,) if notice else (),
    )


def support_rate(group: str, use: UsedParameters) -> Decimal:
    """Share of the 4.5 % contribution the state budget pays for a member of ``group``: poor → all
    (ND 146/2018 art. 3), near-poor → at least 70 % (art. 4, 8), the 100 % cases of art. 8(1)(a)."""
    if group == NEAR_POOR_FULL:
        full: Decimal = use.get("household_hi/near_poor_full_support_rate")
        return full
    rates: dict[str, Scalar] = use.get("household_hi/state_support_rate")
    return Decimal(rates[group])


def _group_member(group: str, monthly: Decimal, months: int, local_rates: Mapping[str, Scalar],
                  use: UsedParameters) -> HiMemberQuote:
    """A member in a state group: 4.5 % × base salary (no rank factor), minus the state's share and
    the province's, never below zero."""
    gross = round_vnd(monthly * months)
    state = round_vnd(monthly * months * support_rate(group, use))
    local = min(round_vnd(monthly * months * highest_rate(local_rates, [group])), gross - state)
    return HiMemberQuote(None, Decimal(1), round_vnd(monthly), gross - state - local, group, gross, state, local)


def _check_members(members: tuple[HiMember, ...], use: UsedParameters) -> None:
    for member in members:
        if member.group not in MEMBER_GROUPS:
            raise DomainError(
                ErrorCode.SUPPORT_GROUP_UNKNOWN,
                N_("Nhóm thành viên không hợp lệ: {group}; dùng: {value}.").format(
                    group=member.group, value=', '.join(MEMBER_GROUPS)),
                f"Unknown member group {member.group}; use {', '.join(MEMBER_GROUPS)}.",
            )
        if member.as_household and (member.group not in SUPPORTED_GROUPS
                                    or not use.get("household_hi/supported_may_join_as_household")):
            since = next((e.effective for e in use.params.get("household_hi/supported_may_join_as_household").entries
                          if e.value), None)
            when = translate(N_(", và chỉ từ {value}")).format(value=format_date_vi(since)) if since else ""
            raise DomainError(
                ErrorCode.NOT_ELIGIBLE,
                N_("Chỉ người thuộc nhóm được NSNN hỗ trợ đóng (hộ cận nghèo) mới được chọn tham gia theo hộ gia "
                   "đình{when} (Luật 51/2024/QH15).").format(when=when),
                N_("Only members of a supported group may choose to join as a household, and only since Luật 51/2024."),
            )


def card_validity(on: date, months: int, previous_end: date | None, use: UsedParameters) -> CardValidity:
    """When the new card is valid, by the era's waiting-period and lapse rules."""
    if previous_end is not None and on <= previous_end:
        start, waiting = previous_end + timedelta(days=1), False
    elif previous_end is None or lapsed(on, previous_end, use):
        start, waiting = on + timedelta(days=use.get("household_hi/card_waiting_days")), True
    else:
        start, waiting = on, False
    return CardValidity(start, end_of_term(start, months), waiting)


def uncovered_days(on: date, previous_end: date) -> int:
    """Days strictly between the old card's last day and the payment day (card ends 15/08, paid
    13/11 → 89)."""
    return max(0, (on - previous_end).days - 1)


def lapsed(on: date, previous_end: date, use: UsedParameters) -> bool:
    """Whether the gap since the old card ended breaks continuity (the rule in force on ``on``).

    From 01/07/2025 (Luật 51/2024 art. 1(14)(b), new art. 16(3)(c)): 90 uncovered days or more.
    Before (Luật 46/2014 art. 16(3)(c)): uncovered 3 months or more, i.e. the uncovered days
    (from the day after the card's end to the day before the payment) fill 3 whole months."""
    params = use.params
    if params.get("household_hi/lapse_days_at_least").in_force(on):
        days: int = use.get("household_hi/lapse_days_at_least")
        return uncovered_days(on, previous_end) >= days
    months: int = use.get("household_hi/lapse_uncovered_months_at_least")
    return on >= add_months(previous_end + timedelta(days=1), months)
