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
    st.dates(min_value=date(2015, 6, 1), max_value=date(2031, 12, 31)),
    st.sampled_from([date(2016, 1, 1), date(2017, 12, 31), date(2018, 1, 1), date(2019, 3, 1), date(2021, 12, 31),
                     date(2022, 1, 1), date(2024, 2, 29), date(2024, 7, 1), date(2025, 6, 30), date(2025, 7, 1),
                     date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1), date(2027, 7, 1), date(2031, 1, 1)])
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
    "household_hi/state_support_rate": ("rate", "2015-01-01", "{poor: 1, near_poor: 0.7313}"),
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
    # Odd provincial top-ups: one with rounding rates and an end, one only marked unpublished.
    (root / "local_support").mkdir(exist_ok=True)
    (root / "local_support" / "41.yaml").write_text(
        "description: odd top-up\nunit: rate\nvalues:\n"
        "  2019-03-01: {value: {poor: 0.333, near_poor: 0.071}, reference: {title: T}}\n"
        "  2024-02-29: {value: unpublished, reference: {title: NQ 9/2024}}\n"
        "  2026-01-01: {value: {other: 0.0417}, reference: {title: T}}\n"
        "  2027-07-01: {value: null, reference: {title: T}}\n", encoding="utf-8")
    # An odd household-HI top-up by member group, with an unpublished span and an end.
    (root / "household_hi" / "local_support").mkdir(parents=True, exist_ok=True)
    (root / "household_hi" / "local_support" / "41.yaml").write_text(
        "description: odd HI top-up\nunit: rate\nvalues:\n"
        "  2018-01-01: {value: {household: 0.137, near_poor: 0.2133, other: 0.0719}, reference: {title: T}}\n"
        "  2022-01-01: {value: unpublished, reference: {title: NQ 3/2022}}\n"
        "  2024-07-01: {value: {poor: 0.5, near_poor_full: 0.3333, household: 0.4567}, reference: {title: T}}\n"
        "  2027-07-01: {value: null, reference: {title: T}}\n", encoding="utf-8")
    return params.load(params.SHIPPED_DIR, root)


PARAMETER_SETS = st.sampled_from(["shipped", "odd"]).map(lambda k: params.default_parameters() if k == "shipped"
                                                          else odd_parameters())
ODD_INCOMES = st.integers(min_value=0, max_value=600).map(lambda k: 1_234_567 + 50_000 * k)

PROVINCES = st.sampled_from([0, 40, 41, 1, 7, 100, -1])  # none, Nghệ An, odd, no file, no file, bad, bad
VSI_ROW = st.tuples(DATES, st.one_of(INCOMES, ODD_INCOMES), st.sampled_from([0, 1, 2, 3, 6, 12, 13]),
                    st.frozensets(st.sampled_from(GROUPS)), st.integers(min_value=-1, max_value=130), PROVINCES)
Row = tuple[date, int, int, frozenset[str], int, int]


def province_code(code: int) -> str | None:
    return None if code == 0 else f"{code:02d}" if 0 < code < 100 else str(code)


def scalar_vsi(row: Row, ps: params.ParameterSet) -> tuple[object, ...]:
    on, income, months, groups, used, province = row
    try:
        q = vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=months, groups=groups,
                                        supported_months_used=used, province=province_code(province)), ps)
    except DomainError as error:
        return (error.code,)
    return (None, q.gross, q.state_support, q.local_support, q.payable, bool(q.notices))


@settings(max_examples=200, deadline=None)
@given(st.lists(VSI_ROW, min_size=1, max_size=40), PARAMETER_SETS)
def test_vsi_batch_equals_the_scalar_quote(rows: list[Row], ps: params.ParameterSet) -> None:
    result = batch.vsi_regular(
        on=np.array([r[0] for r in rows], dtype="datetime64[D]"),
        income=np.array([r[1] for r in rows], dtype=np.int64),
        months=np.array([r[2] for r in rows], dtype=np.int64),
        groups=np.array([batch.group_mask(sorted(r[3])) for r in rows], dtype=np.int64),
        supported_months_used=np.array([r[4] for r in rows], dtype=np.int64),
        params=ps,
        province=np.array([r[5] for r in rows], dtype=np.int64),
    )
    for i, row in enumerate(rows):
        code = result.error_code(i)
        vectorised = (code,) if code else (None, int(result.gross[i]), int(result.state_support[i]),
                                           int(result.local_support[i]), int(result.payable[i]),
                                           bool(result.local_not_configured[i]))
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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(DATES, st.integers(min_value=-1, max_value=4), st.integers(min_value=0, max_value=7),
                          st.sampled_from([1, 3, 6, 12]), PROVINCES), min_size=1, max_size=30), PARAMETER_SETS)
def test_household_batch_prices_state_groups_as_the_scalar_quote(
    rows: list[tuple[date, int, int, int, int]], ps: params.ParameterSet
) -> None:
    """Each row alone: a member of group index ``g`` (0 household, ranked ``rank``) in a province
    (Nghệ An's HI marker is unpublished from 2026; 41 an odd top-up; others no file), as one quote."""
    expected: list[tuple[object, ...]] = []
    for on, g, rank, months, province in rows:
        name = batch.HI_GROUPS[g] if 0 <= g < len(batch.HI_GROUPS) else "unknown"
        try:
            q = household_hi.quote(household_hi.HiQuoteInput(
                on=on, members=(household_hi.HiMember(group=name),), months=months,
                already_joined=rank - 1 if g == 0 else 0, province=province_code(province)), ps)
            m = q.members[0]  # a group row's rank is not used
            expected.append((None, m.monthly, m.gross, m.state_support, m.local_support, m.amount, bool(q.notices)))
        except DomainError as error:
            expected.append((error.code,))
    result = batch.household_hi_members(
        on=np.array([r[0] for r in rows], dtype="datetime64[D]"),
        rank=np.array([r[2] for r in rows], dtype=np.int64),
        months=np.array([r[3] for r in rows], dtype=np.int64),
        params=ps,
        group=np.array([r[1] for r in rows], dtype=np.int64),
        province=np.array([r[4] for r in rows], dtype=np.int64),
    )
    got = [(result.error_code(i),) if result.error_code(i) else
           (None, int(result.monthly[i]), int(result.gross[i]), int(result.state_support[i]),
            int(result.local_support[i]), int(result.amount[i]), bool(result.local_not_configured[i]))
           for i in range(len(rows))]
    assert got == expected


def test_the_batch_carries_nghe_an_s_top_up_on_the_seed_day() -> None:
    result = batch.vsi_regular(
        on=np.array([date(2025, 8, 1)] * 3, dtype="datetime64[D]"),
        income=np.full(3, 1_500_000, dtype=np.int64), months=np.ones(3, dtype=np.int64),
        groups=np.full(3, batch.group_mask(["poor"]), dtype=np.int64),
        supported_months_used=np.zeros(3, dtype=np.int64), province=np.array([40, 0, 1], dtype=np.int64))
    assert result.gross.tolist() == [330000] * 3 and result.state_support.tolist() == [165000] * 3
    assert result.local_support.tolist() == [99000, 0, 0]
    assert result.payable.tolist() == [66000, 165000, 165000]
    assert result.local_not_configured.tolist() == [False, False, True]  # province 01 has no file


def test_the_household_batch_carries_a_provincial_hi_top_up_and_its_notice() -> None:
    """Odd province 41: household members 45.67 % from 07/2024; Nghệ An's HI marker (2026) is unpublished."""
    ps = odd_parameters()
    on = [date(2025, 1, 1), date(2026, 3, 1), date(2023, 1, 1)]
    result = batch.household_hi_members(on=np.array(on, dtype="datetime64[D]"), rank=np.ones(3, dtype=np.int64),
                                        months=np.full(3, 12, dtype=np.int64), params=ps,
                                        province=np.array([41, 40, 41], dtype=np.int64))
    for i, (day, province) in enumerate(zip(on, ["41", "40", "41"], strict=True)):
        q = household_hi.quote(household_hi.HiQuoteInput(on=day, members=(household_hi.HiMember(),), months=12,
                                                         province=province), ps)
        assert (int(result.local_support[i]), int(result.amount[i])) == (q.local_support, q.total)
        assert bool(result.local_not_configured[i]) == bool(q.notices)
    assert result.local_support[0] > 0 and result.local_support[1] == 0 and result.local_not_configured.tolist() == [
        False, True, True]


def test_it_refuses_an_unknown_group_mask_name() -> None:
    try:
        batch.group_mask(["veteran"])
    except DomainError as error:
        assert error.code == "support_group_unknown"
    else:
        raise AssertionError("an unknown group was accepted")
