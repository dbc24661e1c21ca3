"""The vectorised path gives the same đồng (and the same refusals) as the scalar rules."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ansinh.lib.errors import DomainError
from ansinh.rules import batch, household_hi, params, vsi

GROUPS = ("poor", "near_poor", "ethnic_minority", "island")
# Around every change date in the parameters, and years between.
DATES = st.one_of(
    st.dates(min_value=date(2015, 6, 1), max_value=date(2028, 12, 31)),
    st.sampled_from([date(2016, 1, 1), date(2017, 12, 31), date(2018, 1, 1), date(2021, 12, 31), date(2022, 1, 1),
                     date(2024, 7, 1), date(2025, 6, 30), date(2025, 7, 1), date(2026, 7, 1), date(2027, 1, 1)])
    .flatmap(lambda d: st.sampled_from([d - timedelta(days=1), d])),
)
INCOMES = st.one_of(
    st.integers(min_value=0, max_value=1_000).map(lambda k: 700_000 + 50_000 * k),  # on the step (2016 floor)
    st.integers(min_value=0, max_value=1_000).map(lambda k: 1_500_000 + 50_000 * k),  # on the step (2022 floor)
    st.integers(min_value=0, max_value=60_000_000),  # anything, mostly refused
)
# Shipped rates happen to give whole đồng; these odd ones force rounding, so the property also
# proves the batch rounds exactly where the scalar rules do.
ODD = {  # file: (unit, first date, value)
    "vsi/contribution_rate": ("rate", "2016-01-01", "0.2217"),
    "rural_poverty_line": ("vnd", "2016-01-01", "1234567"),
    "vsi/state_support_rate": ("rate", "2016-01-01", "{poor: 0.333, near_poor: 0.257, other: 0.111}"),
    "household_hi/contribution_rate": ("rate", "2015-01-01", "0.0457"),
    "household_hi/rank_factors": ("rate", "2015-01-01", "{1: 1, 2: 0.71, 3: 0.63, 4: 0.5, 5: 0.43}"),
}


@cache
def odd_parameters() -> params.ParameterSet:
    root = Path(tempfile.mkdtemp(prefix="ansinh-odd-params-"))
    for name, (unit, start, value) in ODD.items():
        path = root / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = f"  {start}: {{value: {value}, reference: {{title: T}}}}\n"
        body = f"description: odd test value\nunit: {unit}\nvalues:\n{entry}"
        path.write_text(body, encoding="utf-8")
    return params.load(params.SHIPPED_DIR, root)


PARAMETER_SETS = st.sampled_from(["shipped", "odd"]).map(lambda k: params.default_parameters() if k == "shipped"
                                                          else odd_parameters())
ODD_INCOMES = st.integers(min_value=0, max_value=600).map(lambda k: 1_234_567 + 50_000 * k)

VSI_ROW = st.tuples(DATES, st.one_of(INCOMES, ODD_INCOMES), st.sampled_from([0, 1, 2, 3, 6, 12, 13]),
                    st.frozensets(st.sampled_from(GROUPS)), st.integers(min_value=-1, max_value=130))


def scalar_vsi(row: tuple[date, int, int, frozenset[str], int], ps: params.ParameterSet) -> tuple[object, ...]:
    on, income, months, groups, used = row
    try:
        q = vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=months, groups=groups,
                                        supported_months_used=used), ps)
    except DomainError as error:
        return (error.code,)
    return (None, q.gross, q.state_support, q.payable)


@settings(max_examples=200, deadline=None)
@given(st.lists(VSI_ROW, min_size=1, max_size=40), PARAMETER_SETS)
def test_vsi_batch_equals_the_scalar_quote(
    rows: list[tuple[date, int, int, frozenset[str], int]], ps: params.ParameterSet
) -> None:
    result = batch.vsi_regular(
        on=np.array([r[0] for r in rows], dtype="datetime64[D]"),
        income=np.array([r[1] for r in rows], dtype=np.int64),
        months=np.array([r[2] for r in rows], dtype=np.int64),
        groups=np.array([batch.group_mask(sorted(r[3])) for r in rows], dtype=np.int64),
        supported_months_used=np.array([r[4] for r in rows], dtype=np.int64),
        params=ps,
    )
    for i, row in enumerate(rows):
        code = result.error_code(i)
        vectorised = (code,) if code else (None, int(result.gross[i]), int(result.state_support[i]),
                                           int(result.payable[i]))
        assert vectorised == scalar_vsi(row, ps), row


@settings(max_examples=200, deadline=None)
@given(DATES, st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=7),
       st.sampled_from([1, 3, 6, 12]), PARAMETER_SETS)
def test_household_batch_equals_the_scalar_quote(
    on: date, already: int, members: int, months: int, ps: params.ParameterSet
) -> None:
    try:
        q = household_hi.quote(household_hi.HiQuoteInput(
            on=on, members=(household_hi.HiMember(),) * members, months=months, already_joined=already), ps)
        expected: list[tuple[object, ...]] = [(None, m.monthly, m.amount) for m in q.members]
    except DomainError as error:
        expected = [(error.code,)] * members
    result = batch.household_hi_members(
        on=np.array([on] * members, dtype="datetime64[D]"),
        rank=np.arange(already + 1, already + members + 1, dtype=np.int64),
        months=np.full(members, months, dtype=np.int64),
        params=ps,
    )
    got = [
        (result.error_code(i),) if result.error_code(i) else (None, int(result.monthly[i]), int(result.amount[i]))
        for i in range(members)
    ]
    assert got == expected


def test_it_refuses_an_unknown_group_mask_name() -> None:
    try:
        batch.group_mask(["veteran"])
    except DomainError as error:
        assert error.code == "support_group_unknown"
    else:
        raise AssertionError("an unknown group was accepted")
