"""The province's what-if (issue 18): what a change of the rules would have cost the state budget
(NSNN) and the province (NSĐP), per district and year, on the terms actually paid in a period.

Every paid regular VSI term and every household-HI card line whose amount was computed in the period
is priced twice by the vectorised rules (``rules/batch.py``): with today's parameters and with the
changed set (an overlay directory, like ``ANSINH_PARAMETERS_DIR``, or values entered on the page).
Both sides are recomputed, so the difference is the change's alone, not a drift of the stored
amounts. The terms are grouped in the database by what prices them (commune, date — the month when
every parameter changes on the 1st of a month —, income, months, groups; rank and group for a card)
with their count, read from the cursor in chunks (server-side on PostgreSQL) and summed as they come:
memory stays flat at any size. The whole months of the period come from the pre-aggregate of those
groups kept by the payment listeners (``models.WhatIfCell``, ``whatif_cells``), the days around them
from the terms.

What it does not do (said on the page and in docs/performance.md):
- advance and catch-up VSI terms (discounted sums outside the batch path) are counted, not priced;
- "if everyone joined" (the coverage-gap population priced as if it joined) is ``whatif_gap``;
- the months of state support a person had before a term are taken from the term itself (a term
  supported for fewer months than it lasted had ``cap − supported`` months before it), so a change of
  the 120-month cap is out of scope;
- a person with several terms in a year counts once per term ("lượt người").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import DISTRICT_LEVELS, AdministrativeUnit, Level
from ansinh.areas.tree import map_tree
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.registry.bulk import no_jit
from ansinh.reports import whatif_cells
from ansinh.reports.models import WhatIfCell
from ansinh.rules import batch
from ansinh.rules.params import ParameterSet, default_parameters

CHUNK = 50_000
IntArray = npt.NDArray[np.int64]
MEASURES = ("people", "affected", "refused", "state_before", "state_after", "local_before", "local_after",
            "payable_before", "payable_after")
COLUMNS = [("code", gettext_lazy("Mã")), ("name", gettext_lazy("Đơn vị")), ("year", gettext_lazy("Năm")),
           ("people", gettext_lazy("Lượt người")), ("affected", gettext_lazy("Lượt người thay đổi")),
           ("state_before", gettext_lazy("NSNN hiện hành")), ("state_after", gettext_lazy("NSNN phương án")),
           ("state_change", gettext_lazy("NSNN chênh lệch")), ("local_before", gettext_lazy("NSĐP hiện hành")),
           ("local_after", gettext_lazy("NSĐP phương án")), ("local_change", gettext_lazy("NSĐP chênh lệch"))]
PAYABLE_COLUMNS = [("payable_before", gettext_lazy("Người tham gia đóng — hiện hành")),
                   ("payable_after", gettext_lazy("Người tham gia đóng — phương án"))]  # "if everyone joined"


@dataclass
class Totals:
    """One district (or, on the map from 01/07/2025, commune) × year."""

    key: int
    code: str
    name: str
    year: int
    people: int = 0  # terms and card lines priced (a person once per term)
    affected: int = 0  # of which the state's, the province's or the participant's share changes
    refused: int = 0  # rows one side refuses (an income under a raised floor, a rate not in force)
    state_before: int = 0
    state_after: int = 0
    local_before: int = 0
    local_after: int = 0
    payable_before: int = 0  # what the participants pay
    payable_after: int = 0

    @property
    def state_change(self) -> int:
        return self.state_after - self.state_before

    @property
    def local_change(self) -> int:
        return self.local_after - self.local_before

    def add(self, values: dict[str, int]) -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + values[name])

    def as_dict(self) -> dict[str, Any]:
        shown = {name: getattr(self, name) for name in MEASURES}
        return {"key": self.key, "code": self.code, "name": self.name, "year": self.year, **shown,
                "state_change": self.state_change, "local_change": self.local_change}


@dataclass
class WhatIf:
    start: date
    end: date
    province: str
    rows: list[Totals]
    not_priced: int = 0  # advance / catch-up VSI terms of the period
    income: int | None = None  # "if everyone joined" (whatif_gap): the VSI income priced

    def total(self) -> Totals:
        summed = Totals(0, "", _("Toàn tỉnh"), 0)
        for row in self.rows:
            summed.add({name: getattr(row, name) for name in MEASURES})
        return summed

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "province": self.province,
                "not_priced": self.not_priced, "rows": [r.as_dict() for r in self.rows],
                "total": self.total().as_dict()}


@dataclass
class _Units:
    """Per unit id: the row it is counted in (its district, or itself without one) and its province."""

    key: IntArray
    province: IntArray
    names: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls) -> _Units:
        units = map_tree().units
        size = max(units, default=0) + 1
        key, province = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
        for pk, (parent, _level, _code) in units.items():
            up = units.get(parent) if parent is not None else None
            key[pk] = parent if up is not None and up[1] in DISTRICT_LEVELS else pk
            node: int | None = pk
            while node is not None and node in units:
                if units[node][1] == Level.PROVINCE:
                    province[pk] = int(units[node][2])
                    break
                node = units[node][0]
        return cls(key, province)

    def of(self, area: IntArray) -> tuple[IntArray, IntArray]:
        inside = area < len(self.key)
        safe = np.where(inside, area, 0)
        return np.where(inside, self.key[safe], area), np.where(inside, self.province[safe], 0)


def _days(column: str, month: bool) -> str:
    """Days since 1970-01-01 of the date or, with ``month``, months since 01/1970 (cheaper in SQL than
    the first of the month as a date: PostgreSQL's date_trunc goes through a timestamp)."""
    if month:
        return whatif_cells.month_sql(column)
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _dates(column: IntArray, month: bool) -> npt.NDArray[np.datetime64]:
    """The column of :func:`_days` as dates (the 1st of the month with ``month``)."""
    return column.astype("datetime64[M]").astype("datetime64[D]") if month else column.astype("datetime64[D]")


def by_month(sides: tuple[ParameterSet, ParameterSet]) -> bool:
    """Whether every parameter of both sides changes only on the 1st of a month: then every day of a month
    is priced as its 1st, and the terms are grouped by month in the database (far fewer rows to read)."""
    return all(d.day == 1 for params in sides for name in params.names() for d in params.get(name).change_dates())


def _mask(column: str) -> str:
    """The support groups' bit mask (rules.batch.GROUP_BITS) from the JSON list, in SQL (on PostgreSQL
    jsonb_exists: the list cast to text and matched was 2.3 × slower on the synthetic province)."""
    return whatif_cells.mask_sql(column)


def _chunks(sql: str, args: list[Any], chunk: int) -> Iterator[IntArray]:
    """The rows of ``sql`` (integer columns) as arrays of at most ``chunk`` rows, from a server-side
    cursor on PostgreSQL: never the whole result in memory. In a transaction, so that the cursor is not
    WITH HOLD (materialised whole on the server in autocommit), planned for all its rows (the default
    ``cursor_tuple_fraction`` plans for the first 10 %) and without JIT (registry.bulk.no_jit)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as setting:  # work_mem: the grouping hashes in memory, not sorted on disk
                setting.execute("SET LOCAL cursor_tuple_fraction = 1; SET LOCAL work_mem = '128MB'")
            no_jit()
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, args)
            while rows := cursor.fetchmany(chunk):
                yield np.array(rows, dtype=np.int64)


def _vsi_sql(month: bool) -> str:
    return (f"SELECT area_id, {_days('quoted_on', month)}, income, months, supported_months, "
            f"{_mask('support_groups')}, COUNT(*) FROM {Enrollment._meta.db_table} "
            "WHERE scheme = %s AND status = %s AND method = 'regular' AND quoted_on >= %s AND quoted_on <= %s "
            "GROUP BY 1, 2, 3, 4, 5, 6")


HI_GROUP_INDEX = " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(batch.HI_GROUPS))


def _hi_sql(month: bool) -> str:
    group = f"l.{connection.ops.quote_name('group')}"
    return (f"SELECT e.area_id, {_days('e.quoted_on', month)}, l.rank, e.months, "
            f"CASE {group} {HI_GROUP_INDEX} ELSE -1 END, COUNT(*) FROM {HiCardLine._meta.db_table} l "
            f"JOIN {Enrollment._meta.db_table} e ON e.id = l.enrollment_id "
            "WHERE e.scheme = %s AND e.status = %s AND e.quoted_on >= %s AND e.quoted_on <= %s "
            "GROUP BY 1, 2, 3, 4, 5")


@dataclass(frozen=True)
class Priced:
    """One chunk priced on both sides: the shares by row, and the rows either side refused."""

    state: tuple[IntArray, IntArray]
    local: tuple[IntArray, IntArray]
    payable: tuple[IntArray, IntArray]
    refused: npt.NDArray[np.bool_]


def price_vsi(rows: IntArray, province: IntArray, sides: tuple[ParameterSet, ParameterSet], cap: int,
              month: bool) -> Priced:
    on = _dates(rows[:, 1], month)
    income, months, supported, mask = rows[:, 2], rows[:, 3], rows[:, 4], rows[:, 5]
    used = np.where(supported >= months, 0, np.maximum(cap - supported, 0))
    quoted = [batch.vsi_regular(on, income, months, mask, used, params, province) for params in sides]
    return Priced((quoted[0].state_support, quoted[1].state_support),
                  (quoted[0].local_support, quoted[1].local_support),
                  (quoted[0].payable, quoted[1].payable), (quoted[0].error != 0) | (quoted[1].error != 0))


def price_hi(rows: IntArray, province: IntArray, sides: tuple[ParameterSet, ParameterSet], month: bool) -> Priced:
    on = _dates(rows[:, 1], month)
    quoted = [batch.household_hi_members(on, rows[:, 2], rows[:, 3], params, rows[:, 4], province) for params in sides]
    return Priced((quoted[0].state_support, quoted[1].state_support),
                  (quoted[0].local_support, quoted[1].local_support),
                  (quoted[0].amount, quoted[1].amount), (quoted[0].error != 0) | (quoted[1].error != 0))


class _Sums:
    """Running sums per (unit key, year), added chunk by chunk with exact int64 reductions."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[int, int], dict[str, int]] = {}

    def add(self, key: IntArray, year: IntArray, priced: Priced, count: IntArray) -> None:
        """``count``: how many terms or cards each row stands for (identical inputs, grouped in SQL)."""
        ok = ~priced.refused
        changed = (priced.state[0] != priced.state[1]) | (priced.local[0] != priced.local[1]) | (
            priced.payable[0] != priced.payable[1])
        columns = {
            "people": count, "affected": np.where(ok & changed, count, 0), "refused": np.where(ok, 0, count),
            "state_before": np.where(ok, priced.state[0] * count, 0),
            "state_after": np.where(ok, priced.state[1] * count, 0),
            "local_before": np.where(ok, priced.local[0] * count, 0),
            "local_after": np.where(ok, priced.local[1] * count, 0),
            "payable_before": np.where(ok, priced.payable[0] * count, 0),
            "payable_after": np.where(ok, priced.payable[1] * count, 0),
        }
        combined = key * 10_000 + year
        order = np.argsort(combined, kind="stable")
        ordered = combined[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sums = {name: np.add.reduceat(values[order], starts) for name, values in columns.items()}
        for i, at in enumerate(starts.tolist()):
            slot = self.by_key.setdefault((int(ordered[at]) // 10_000, int(ordered[at]) % 10_000),
                                          dict.fromkeys(MEASURES, 0))
            for name in MEASURES:
                slot[name] += int(sums[name][i])


def _cells_sql(kind: str) -> str:
    table = WhatIfCell._meta.db_table
    inputs = "income, months, supported_months, groups" if kind == Scheme.VSI else "rank, months, hi_group"
    return (f"SELECT area_id, month, {inputs}, terms FROM {table} WHERE scheme = %s AND regular = %s "
            "AND month >= %s AND month <= %s AND terms <> 0")


def spans(start: date, end: date, month: bool) -> tuple[tuple[int, int] | None, list[tuple[date, date]]]:
    """What reads ``start``..``end``: the whole months inside it from the cells (``models.WhatIfCell``, as
    months since 01/1970), the days around them (and every day when the sides are not priced by month)
    from the terms."""
    if not month:
        return None, [(start, end)]
    first = start if start.day == 1 else whatif_cells.month_end(start) + timedelta(days=1)
    last = end if end == whatif_cells.month_end(end) else date(end.year, end.month, 1) - timedelta(days=1)
    if first > last:
        return None, [(start, end)]
    around = [(start, first - timedelta(days=1))] if start < first else []
    if last < end:
        around.append((last + timedelta(days=1), end))
    return (whatif_cells.month_of(first), whatif_cells.month_of(last)), around


def what_if(start: date, end: date, scenario: ParameterSet, *, province: str = "40",
            area_ids: frozenset[int] | None = None, baseline: ParameterSet | None = None, chunk: int = CHUNK,
            progress: Callable[[int], None] | None = None, cells: bool = True) -> WhatIf:
    """The cost of ``scenario`` against ``baseline`` (today's parameters) on the terms of ``start``..
    ``end`` of the province's areas (and of ``area_ids``, the reader's scope, when given). The whole
    months are read from the pre-aggregate (``cells``; False: every term grouped from scratch)."""
    sides = (baseline or default_parameters(), scenario)
    cap = int(sides[0].at("vsi/state_support_max_months", end).value)  # type: ignore[call-overload]
    units, sums, code, seen = _Units.read(), _Sums(), int(province), 0
    allowed = np.fromiter(area_ids, dtype=np.int64) if area_ids is not None else None
    month = by_month(sides)
    whole, around = spans(start, end, month) if cells else (None, [(start, end)])
    for kind, sql in ((Scheme.VSI, _vsi_sql(month)), (Scheme.HOUSEHOLD_HI, _hi_sql(month))):
        reads = [(sql, [kind, EnrollmentStatus.PAID, a, b]) for a, b in around]
        if whole is not None:
            reads.insert(0, (_cells_sql(kind), [kind, True, *whole]))
        for read, args in reads:
            for rows in _chunks(read, args, chunk):
                key, row_province = units.of(rows[:, 0])
                keep = row_province == code
                if allowed is not None:
                    keep &= np.isin(rows[:, 0], allowed)
                rows, key, row_province = rows[keep], key[keep], row_province[keep]
                seen += int(rows[:, -1].sum())
                if len(rows):
                    priced = (price_vsi(rows, row_province, sides, cap, month) if kind == Scheme.VSI
                              else price_hi(rows, row_province, sides, month))
                    year = _dates(rows[:, 1], month).astype("datetime64[Y]").astype(np.int64) + 1970
                    sums.add(key, year, priced, rows[:, -1])
                if progress is not None:
                    progress(seen)
    return WhatIf(start, end, province, _rows(sums), _not_priced(whole, around, area_ids))


def _not_priced(whole: tuple[int, int] | None, around: list[tuple[date, date]],
                area_ids: frozenset[int] | None) -> int:
    """The advance and catch-up VSI terms of the period (counted, not priced)."""
    found = 0
    if whole is not None:
        cells = WhatIfCell.objects.filter(scheme=Scheme.VSI, regular=False, month__gte=whole[0], month__lte=whole[1])
        if area_ids is not None:
            cells = cells.filter(area_id__in=area_ids)
        found += cells.aggregate(n=Sum("terms"))["n"] or 0
    for a, b in around:
        skipped = Enrollment.objects.filter(scheme=Scheme.VSI, status=EnrollmentStatus.PAID, quoted_on__gte=a,
                                            quoted_on__lte=b).exclude(method="regular")
        if area_ids is not None:
            skipped = skipped.filter(area_id__in=area_ids)
        found += skipped.count()
    return int(found)


def _rows(sums: _Sums) -> list[Totals]:
    names = {u.pk: (u.code, u.name) for u in AdministrativeUnit.objects.filter(pk__in={k for k, _y in sums.by_key})}
    found = []
    for (key, year), values in sums.by_key.items():
        code, name = names.get(key, ("", _("(không rõ đơn vị)")))
        row = Totals(key, code, name, year)
        row.add(values)
        found.append(row)
    return sorted(found, key=lambda r: (r.year, r.code))
