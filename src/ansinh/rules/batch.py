"""Vectorised (NumPy) quotes over columns: the regular VSI quote and the household-HI member quote.

They give the same đồng as :func:`ansinh.rules.vsi.quote` and :func:`ansinh.rules.household_hi.quote`
(a property test proves it). How: the dates are cut into *segments* in which no parameter changes;
in each segment every legal rate is an exact fraction, so an amount is ``round(x × num / den)``
computed in int64 with half-up rounding, exactly as :func:`ansinh.lib.money.round_vnd` does on the
Decimal product. Rows a scalar quote would refuse get an error code instead of an amount. Household-HI rows may
be members of a state group (poor, near-poor), priced as :func:`household_hi.quote` prices them.

Provincial top-ups come from a ``province`` column (the statistics code as an integer, 40 for
Nghệ An; 0 = no province) in both batches — VSI (local_support/NN) and household HI
(household_hi/local_support/NN, by member group) — with a ``local_not_configured`` column where the
scalar quote would carry the "not configured" notice. Out of scope here: advance / catch-up (the
discounted sums).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import N_
from ansinh.lib.money import round_vnd
from ansinh.rules import household_hi, local_support
from ansinh.rules.params import ParameterSet, UsedParameters, default_parameters
from ansinh.rules.vsi import SUPPORT_GROUPS

IntArray = npt.NDArray[np.int64]

# Column of support groups as a bit mask per row (poor | near_poor | ...); "other" is everyone.
GROUP_BITS = {group: 1 << i for i, group in enumerate(g for g in SUPPORT_GROUPS if g != "other")}
MASKS = 1 << len(GROUP_BITS)

# Error codes in the ``error`` column: 0 = quoted; otherwise the index in this tuple.
ERRORS: tuple[ErrorCode | None, ...] = (
    None,
    ErrorCode.PARAMETER_NOT_IN_FORCE,
    ErrorCode.INCOME_BELOW_FLOOR,
    ErrorCode.INCOME_ABOVE_CEILING,
    ErrorCode.INCOME_OFF_STEP,
    ErrorCode.PAYMENT_TERM_INVALID,
    ErrorCode.INVALID_INPUT,
    ErrorCode.SUPPORT_GROUP_UNKNOWN,
)
_E = {code: i for i, code in enumerate(ERRORS)}

VSI_PARAMETERS = (
    "vsi/contribution_rate", "rural_poverty_line", "base_salary", "vsi/income_floor",
    "vsi/income_ceiling_multiple", "vsi/income_step", "vsi/payment_terms",
    "vsi/state_support_rate", "vsi/state_support_max_months",
)
HI_PARAMETERS = ("household_hi/contribution_rate", "base_salary", "household_hi/rank_factors", "household_hi/terms")
MAX_TERM = 12  # longest regular term any era allows; terms are looked up in a table this wide
MAX_RANK = 5


def group_mask(groups: Sequence[str]) -> int:
    """Bit mask of a row's support groups (unknown groups are refused)."""
    mask = 0
    for group in groups:
        if group == "other":
            continue
        if group not in GROUP_BITS:
            raise DomainError(ErrorCode.SUPPORT_GROUP_UNKNOWN, N_("Nhóm không hợp lệ: {group}").format(
                                                                   group=group), f"Unknown group {group}")
        mask |= GROUP_BITS[group]
    return mask


@dataclass(frozen=True)
class Segments:
    """Start dates (as days since epoch) of spans in which none of ``names`` changes value."""

    starts: IntArray
    dates: tuple[date, ...]

    @classmethod
    def of(cls, params: ParameterSet, names: Sequence[str]) -> Segments:
        dates = sorted({d for name in names for d in params.get(name).change_dates()})
        days = np.array([np.datetime64(d, "D").astype(np.int64) for d in dates], dtype=np.int64)
        return cls(days, tuple(dates))

    def index(self, on: npt.NDArray[np.datetime64]) -> IntArray:
        """Segment of each date; -1 before the first change date."""
        return np.searchsorted(self.starts, on.astype("datetime64[D]").astype(np.int64), side="right") - 1


def _fraction(value: Any) -> Fraction:
    return Fraction(value)


def _round_div(numerator: IntArray, denominator: IntArray) -> IntArray:
    """round_half_up(numerator / denominator) for non-negative int64 columns."""
    return (2 * numerator + denominator) // (2 * denominator)


def _in_force(params: ParameterSet, names: Sequence[str], on: date) -> bool:
    return all(params.get(name).in_force(on) for name in names)


@dataclass(frozen=True)
class VsiBatch:
    gross: IntArray
    state_support: IntArray
    payable: IntArray
    error: npt.NDArray[np.int8]
    local_support: IntArray
    local_not_configured: npt.NDArray[np.bool_]

    def error_code(self, row: int) -> ErrorCode | None:
        return ERRORS[int(self.error[row])]


def vsi_regular(
    on: npt.NDArray[np.datetime64],
    income: IntArray,
    months: IntArray,
    groups: npt.NDArray[np.integer[Any]],
    supported_months_used: IntArray,
    params: ParameterSet | None = None,
    province: IntArray | None = None,
) -> VsiBatch:
    """Regular-method VSI quotes for columns of rows (``groups`` as :func:`group_mask` values,
    ``province`` as integer codes, 0 for none)."""
    params = params or default_parameters()
    province = np.zeros(len(income), dtype=np.int64) if province is None else province
    slot, codes, files = _provinces(params, local_support.VSI, province)
    segments = Segments.of(params, VSI_PARAMETERS + files)
    n = len(segments.dates)
    valid = np.zeros(n, dtype=bool)
    floor, ceiling, step, cap = (np.zeros(n, dtype=np.int64) for _ in range(4))
    rate_num, rate_den = np.ones(n, dtype=np.int64), np.ones(n, dtype=np.int64)
    term_ok = np.zeros((n, MAX_TERM + 1), dtype=bool)
    support_num, support_den = np.zeros((n, MASKS), dtype=np.int64), np.ones((n, MASKS), dtype=np.int64)
    # Column 0 of the province axis is "no province"; column j + 1 is codes[j].
    local_num = np.zeros((n, len(codes) + 1, MASKS), dtype=np.int64)
    local_den = np.ones((n, len(codes) + 1, MASKS), dtype=np.int64)
    unconfigured = np.zeros((n, len(codes) + 1), dtype=bool)
    for s, start in enumerate(segments.dates):
        if not _in_force(params, VSI_PARAMETERS, start):
            continue
        at: dict[str, Any] = {name: params.at(name, start).value for name in VSI_PARAMETERS}
        valid[s] = True
        rate = _fraction(at["vsi/contribution_rate"])
        rate_num[s], rate_den[s] = rate.numerator, rate.denominator
        floor[s] = round_vnd(_fraction(at["vsi/income_floor"]) * at["rural_poverty_line"])
        ceiling[s] = round_vnd(_fraction(at["vsi/income_ceiling_multiple"]) * at["base_salary"])
        step[s] = at["vsi/income_step"]
        cap[s] = at["vsi/state_support_max_months"]
        for term in at["vsi/payment_terms"]:
            term_ok[s, term] = True
        rates = at["vsi/state_support_rate"]
        other = _fraction(rates.get("other", 0))
        for mask in range(MASKS):
            tier = max([other, *(_fraction(rates.get(g, other)) for g, bit in GROUP_BITS.items() if mask & bit)])
            per_month = rate * at["rural_poverty_line"] * tier
            support_num[s, mask], support_den[s, mask] = per_month.numerator, per_month.denominator
        for j, code in enumerate(codes, start=1):
            use = UsedParameters(params, start)
            for mask in range(MASKS):
                groups_of = [g for g, bit in GROUP_BITS.items() if mask & bit]
                local_rate, notice = local_support.local_rate(local_support.VSI, f"{code:02d}", groups_of, use)
                per_month = rate * at["rural_poverty_line"] * _fraction(local_rate)
                local_num[s, j, mask], local_den[s, j, mask] = per_month.numerator, per_month.denominator
                unconfigured[s, j] = notice is not None

    seg = segments.index(on)
    before = seg < 0
    seg = np.where(before, 0, seg)
    error = np.zeros(len(income), dtype=np.int8)
    fine_months = (months >= 0) & (months <= MAX_TERM)
    checks = [
        (supported_months_used < 0, ErrorCode.INVALID_INPUT),
        (before | ~valid[seg], ErrorCode.PARAMETER_NOT_IN_FORCE),
        (income < floor[seg], ErrorCode.INCOME_BELOW_FLOOR),
        (income > ceiling[seg], ErrorCode.INCOME_ABOVE_CEILING),
        ((income != ceiling[seg]) & ((income - floor[seg]) % np.maximum(step[seg], 1) != 0), ErrorCode.INCOME_OFF_STEP),
        (~(fine_months & term_ok[seg, np.clip(months, 0, MAX_TERM)]), ErrorCode.PAYMENT_TERM_INVALID),
        ((province < 0) | (province > 99), ErrorCode.INVALID_INPUT),  # the scalar quote checks the code last
    ]
    # The scalar quote checks in this order; the first failing check names the row's error.
    for failed, code in reversed(checks):
        error[failed] = _E[code]
    ok = error == 0
    gross = np.where(ok, _round_div(income * months * rate_num[seg], rate_den[seg]), 0)
    row_mask = groups.astype(np.int64) & (MASKS - 1)
    months_left = np.maximum(cap[seg] - supported_months_used, 0)
    supported = np.where(support_num[seg, row_mask] > 0, np.minimum(months, months_left), 0)
    state = np.where(ok, _round_div(supported * support_num[seg, row_mask], support_den[seg, row_mask]), 0)
    column = _column(slot, codes)  # out-of-range codes are refused rows
    lnum, lden = local_num[seg, column, row_mask], local_den[seg, column, row_mask]
    local = np.where(ok, np.minimum(_round_div(supported * lnum, lden), gross - state), 0)
    return VsiBatch(gross, state, gross - state - local, error, local, ok & unconfigured[seg, column])


@dataclass(frozen=True)
class HiBatch:
    monthly: IntArray
    amount: IntArray
    error: npt.NDArray[np.int8]
    gross: IntArray
    state_support: IntArray
    local_support: IntArray
    local_not_configured: npt.NDArray[np.bool_]

    def error_code(self, row: int) -> ErrorCode | None:
        return ERRORS[int(self.error[row])]


def _provinces(params: ParameterSet, kind: str, province: IntArray) -> tuple[IntArray, list[int], tuple[str, ...]]:
    """The clipped province column, the codes present (1..99) and their top-up files of ``kind``.
    Province codes are 1..99: a 100-slot count and lookup table beat sorting a million rows."""
    slot = np.clip(province, 0, 100)
    codes = [int(c) for c in np.flatnonzero(np.bincount(slot, minlength=101)[1:100]) + 1]
    return slot, codes, tuple(f"{kind}/{c:02d}" for c in codes if f"{kind}/{c:02d}" in params)


def _column(slot: IntArray, codes: list[int]) -> IntArray:
    """Each row's column on the province axis: 0 (no top-up) for no province or a refused code."""
    lookup = np.zeros(101, dtype=np.int64)
    lookup[codes] = np.arange(1, len(codes) + 1)
    return lookup[slot]


# Member groups in the ``group`` column of the household-HI batch: 0 is a household member (ranked).
HI_GROUPS = (household_hi.HOUSEHOLD, household_hi.POOR, household_hi.NEAR_POOR, household_hi.NEAR_POOR_FULL)
HI_GROUP_PARAMETERS = ("household_hi/state_support_rate", "household_hi/near_poor_full_support_rate")


def household_hi_members(
    on: npt.NDArray[np.datetime64],
    rank: IntArray,
    months: IntArray,
    params: ParameterSet | None = None,
    group: IntArray | None = None,
    province: IntArray | None = None,
) -> HiBatch:
    """Household-HI amount per member row, given the member's rank in the calendar year (1, 2, ...)
    for household members, or the member's state group (``group`` as an index in :data:`HI_GROUPS`;
    such rows are not ranked and pay 4.5 % × base salary minus the state's share), less the
    province's HI top-up for the member's group (``province`` as integer codes, 0 for none)."""
    params = params or default_parameters()
    group = np.zeros(len(rank), dtype=np.int64) if group is None else group
    province = np.zeros(len(rank), dtype=np.int64) if province is None else province
    slot, codes, files = _provinces(params, local_support.HI, province)
    segments = Segments.of(params, HI_PARAMETERS + HI_GROUP_PARAMETERS + files)
    n, g, p = len(segments.dates), len(HI_GROUPS), len(codes) + 1
    valid = np.zeros(n, dtype=bool)
    term_ok = np.zeros((n, MAX_TERM + 1), dtype=bool)
    num, den = np.zeros((n, MAX_RANK + 1), dtype=np.int64), np.ones((n, MAX_RANK + 1), dtype=np.int64)
    group_ok = np.zeros((n, g), dtype=bool)
    state_num, state_den = np.zeros((n, g), dtype=np.int64), np.ones((n, g), dtype=np.int64)
    # The province's share per month, by province column, rank column (0: a group row) and group.
    local_num = np.zeros((n, p, MAX_RANK + 1, g), dtype=np.int64)
    local_den = np.ones((n, p, MAX_RANK + 1, g), dtype=np.int64)
    unconfigured = np.zeros((n, p), dtype=bool)
    for s, start in enumerate(segments.dates):
        if not _in_force(params, HI_PARAMETERS, start):
            continue
        at: dict[str, Any] = {name: params.at(name, start).value for name in HI_PARAMETERS}
        valid[s] = True
        for term in at["household_hi/terms"]:
            term_ok[s, term] = True
        factors = at["household_hi/rank_factors"]
        last = max(int(k) for k in factors)
        contribution = _fraction(at["household_hi/contribution_rate"]) * at["base_salary"]
        for member_rank in range(1, MAX_RANK + 1):
            per_month = contribution * _fraction(factors[str(min(member_rank, last))])
            num[s, member_rank], den[s, member_rank] = per_month.numerator, per_month.denominator
        # Group rows use column 0 of ``num`` for the unranked contribution (4.5 % × base salary).
        num[s, 0], den[s, 0] = contribution.numerator, contribution.denominator
        use = UsedParameters(params, start)
        for index, name in enumerate(HI_GROUPS[1:], start=1):
            try:
                share = household_hi.support_rate(name, use)
            except DomainError:
                continue  # not in force on this segment: the scalar quote refuses the row
            group_ok[s, index] = True
            per_month = contribution * _fraction(share)
            state_num[s, index], state_den[s, index] = per_month.numerator, per_month.denominator
        for j, code in enumerate(codes, start=1):
            rates, notice = local_support.local_rates(local_support.HI, f"{code:02d}", use)
            unconfigured[s, j] = notice is not None
            for member_rank in range(MAX_RANK + 1):
                for index, name in enumerate(HI_GROUPS):
                    per_month = (Fraction(int(num[s, member_rank]), int(den[s, member_rank]))
                                 * _fraction(local_support.highest_rate(rates, [name])))
                    local_num[s, j, member_rank, index] = per_month.numerator
                    local_den[s, j, member_rank, index] = per_month.denominator

    seg = segments.index(on)
    before = seg < 0
    seg = np.where(before, 0, seg)
    in_group = (group > 0) & (group < g)
    column = np.where(in_group, 0, np.clip(rank, 1, MAX_RANK))
    k = np.clip(group, 0, g - 1)
    error = np.zeros(len(rank), dtype=np.int8)
    # The scalar quote checks the group, then the term, then the parameters; the last write here wins.
    error[in_group & ~group_ok[seg, k]] = _E[ErrorCode.PARAMETER_NOT_IN_FORCE]
    error[(province < 0) | (province > 99)] = _E[ErrorCode.INVALID_INPUT]  # checked before the groups' rates
    error[~(((months >= 0) & (months <= MAX_TERM)) & term_ok[seg, np.clip(months, 0, MAX_TERM)])] = _E[
        ErrorCode.PAYMENT_TERM_INVALID
    ]
    error[~in_group & (rank < 1)] = _E[ErrorCode.INVALID_INPUT]
    error[before | ~valid[seg]] = _E[ErrorCode.PARAMETER_NOT_IN_FORCE]
    error[(group < 0) | (group >= g)] = _E[ErrorCode.SUPPORT_GROUP_UNKNOWN]
    ok = error == 0
    monthly = np.where(ok, _round_div(num[seg, column], den[seg, column]), 0)
    gross = np.where(ok, _round_div(num[seg, column] * months, den[seg, column]), 0)
    state = np.where(ok & in_group, _round_div(state_num[seg, k] * months, state_den[seg, k]), 0)
    pcol = _column(slot, codes)
    local = np.zeros(len(rank), dtype=np.int64)
    if local_num.any():  # no province with HI figures (only markers, or none): nothing to gather
        kk = np.where(in_group, k, 0)
        lnum, lden = local_num[seg, pcol, column, kk], local_den[seg, pcol, column, kk]
        local = np.where(ok, np.minimum(_round_div(lnum * months, lden), gross - state), 0)
    return HiBatch(monthly, gross - state - local, error, gross, state, local, ok & unconfigured[seg, pcol])
