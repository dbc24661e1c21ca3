"""The what-if's pre-aggregate (``models.WhatIfCell``, issue 18): the paid terms per month of the quote ×
commune × what prices them, with their count, kept current like the dashboard facts.

- ``add_sql`` — the cells' change for payments (a payment adds its term, a reversal takes it away), one
  ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE``: a data-modifying CTE of ``count_payment``'s
  single statement on PostgreSQL, one statement for the bulk listener ``count_payments``.
- ``rebuild`` — the cells of a span of months (or all) recomputed from the paid terms, for
  ``services.refresh`` (bulk loads past the writers, repairs).
- ``grouped_sql`` — the same grouping from the terms, which the what-if reads for the days of a period
  that do not fill a month (and for every day when a parameter changes inside a month), and the tests
  compare the cells with.

The SQL of the month and of the support groups' mask is the what-if's own (``whatif._days``/``_mask``), so
both paths price the same rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.payments.models import Payment
from ansinh.reports.models import WhatIfCell
from ansinh.rules import batch

KEY = ("scheme", "month", "area_id", "regular", "income", "months", "supported_months", "groups", "rank", "hi_group")
HI_GROUP_INDEX = " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(batch.HI_GROUPS))


def month_sql(column: str) -> str:
    """Months since 01/1970 of a date column (PostgreSQL's date_trunc goes through a timestamp)."""
    if connection.vendor == "postgresql":
        return f"((EXTRACT(YEAR FROM {column})::int - 1970) * 12 + EXTRACT(MONTH FROM {column})::int - 1)"
    return (f"((CAST(strftime('%%Y', {column}) AS INTEGER) - 1970) * 12 "
            f"+ CAST(strftime('%%m', {column}) AS INTEGER) - 1)")


def mask_sql(column: str) -> str:
    """The support groups' bit mask (rules.batch.GROUP_BITS) from the JSON list (on PostgreSQL jsonb_exists:
    the list cast to text and matched was 2.3 × slower on the synthetic province)."""
    if connection.vendor == "postgresql":
        tests = {g: f"jsonb_exists({column}, '{g}')" for g in batch.GROUP_BITS}
    else:
        tests = {g: f"{column} LIKE '%%\"{g}\"%%'" for g in batch.GROUP_BITS}
    return " | ".join(f"(CASE WHEN {tests[g]} THEN {bit} ELSE 0 END)" for g, bit in batch.GROUP_BITS.items())


def month_of(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def _selects(source: str, where: str, count: str) -> tuple[str, str]:
    """The VSI terms' and the card lines' cells as ``SELECT key…, count`` over ``source`` (the terms ``e``,
    joined to what ``source`` adds), filtered by ``where``."""
    q = connection.ops.quote_name
    terms, lines = q(Enrollment._meta.db_table), q(HiCardLine._meta.db_table)
    regular = "e.method = 'regular'"
    vsi = (f"SELECT e.scheme, {month_sql('e.quoted_on')}, e.area_id, ({regular}), "
           f"CASE WHEN {regular} THEN COALESCE(e.income, 0) ELSE 0 END, CASE WHEN {regular} THEN e.months ELSE 0 END, "
           f"CASE WHEN {regular} THEN e.supported_months ELSE 0 END, "
           f"CASE WHEN {regular} THEN {mask_sql('e.support_groups')} ELSE 0 END, 0, 0, {count} "
           f"FROM {terms} e {source} WHERE e.scheme = '{Scheme.VSI.value}' AND {where} "
           "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")
    hi = (f"SELECT e.scheme, {month_sql('e.quoted_on')}, e.area_id, {_regular_true()}, 0, e.months, 0, 0, l.rank, "
          f"CASE l.{q('group')} {HI_GROUP_INDEX} ELSE -1 END, {count} "
          f"FROM {lines} l JOIN {terms} e ON e.id = l.enrollment_id {source} "
          f"WHERE e.scheme = '{Scheme.HOUSEHOLD_HI.value}' AND {where} GROUP BY 1, 2, 3, 6, 9, 10")
    return vsi, hi


def _columns() -> str:
    q = connection.ops.quote_name
    return ", ".join(q(c) for c in (*KEY, "terms"))


def _regular_true() -> str:
    return "TRUE" if connection.vendor == "postgresql" else "1"


def add_sql(ids: str) -> list[str]:
    """The upserts adding the payments whose ids ``ids`` (an SQL fragment: ``= %s``, ``= ANY(%(ids)s)``…)
    selects to their terms' cells: +1 a term (card line) for a payment, −1 for a reversal."""
    q = connection.ops.quote_name
    table, pays = q(WhatIfCell._meta.db_table), q(Payment._meta.db_table)
    source = f"JOIN {pays} pay ON pay.enrollment_id = e.id"
    count = "SUM(CASE WHEN pay.reverses_id IS NULL THEN 1 ELSE -1 END)"
    conflict = ", ".join(q(c) for c in KEY)
    return [f"INSERT INTO {table} ({_columns()}) {select} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET terms = {table}.terms + EXCLUDED.terms"
            for select in _selects(source, f"pay.id {ids}", count)]


def grouped_sql(start: date | None = None, end: date | None = None) -> tuple[list[str], list[Any]]:
    """The cells recomputed from the paid terms quoted in ``start``..``end`` (all without them)."""
    where, params = f"e.status = '{EnrollmentStatus.PAID.value}'", []
    if start is not None and end is not None:
        where += " AND e.quoted_on >= %s AND e.quoted_on <= %s"
        params = [start, end]
    return list(_selects("", where, "COUNT(*)")), params


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return date.fromordinal(date(day.year + day.month // 12, day.month % 12 + 1, 1).toordinal() - 1)


def rebuild(start: date | None = None, end: date | None = None) -> int:
    """Recompute the cells of the months of ``start``..``end`` (whole months; every cell without them)."""
    table = connection.ops.quote_name(WhatIfCell._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        if start is None or end is None:
            selects, params = grouped_sql()
            cursor.execute(f"DELETE FROM {table}", [])
        else:
            first, last = date(start.year, start.month, 1), month_end(end)
            selects, params = grouped_sql(first, last)
            cursor.execute(f"DELETE FROM {table} WHERE month >= %s AND month <= %s", [month_of(first), month_of(last)])
        for select in selects:
            cursor.execute(f"INSERT INTO {table} ({_columns()}) {select}", params)
            written += int(cursor.rowcount)
    return written


def quoted_span(start: date, end: date) -> tuple[date, date] | None:
    """The first and last quote day of the terms with a payment made on ``start``..``end`` (local days):
    the months ``services.refresh`` rebuilds."""
    from django.db.models import Max, Min
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    span = (Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=timezone.get_default_timezone()))
            .filter(day__gte=start, day__lte=end)
            .aggregate(first=Min("enrollment__quoted_on"), last=Max("enrollment__quoted_on")))
    return None if span["first"] is None else (span["first"], span["last"])
