"""Keeping the facts current.

- Every payment the payments services write (a term or its reversal) adds itself to its fact cell
  in the same transaction (`count_payment`, registered in `apps.py`; ADR 0006), so the dashboards
  are current without a batch job.
- `refresh` recomputes the facts of a period from the payments in one ``INSERT … SELECT … GROUP BY``
  (idempotent): for bulk loads, which bypass the writing services, and to repair.
- The days of a frozen period keep the figures they were reported with, whatever is written later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.periods import require_order
from ansinh.payments.models import Payer, Payment
from ansinh.registry import bulk
from ansinh.registry.bulk import analyze
from ansinh.reports import whatif_cells
from ansinh.reports.models import NO_NEXT, AreaDay, CohortDay, Fact, FrozenPeriod, WhatIfCell

TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh (settings.TIME_ZONE)
CELL = ("day", "area_id", "collector_id", "collection_point_id", "agent_id", "scheme", "is_renewal")
ROLLUP = ("day", "area_id")
MEASURES = ("people", "enrollments", "amount", "state_support", "local_support", "other_support")


def is_frozen(day: date) -> bool:
    return FrozenPeriod.objects.filter(start__lte=day, end__gte=day).exists()


def refuse_frozen(at: datetime) -> None:
    """A payment guard (registered in ``apps.py``): no payment is backdated into a frozen period, whose
    figures were reported and no longer move — it would get a receipt but never reach the dashboards."""
    day = timezone.localdate(at)
    if is_frozen(day):
        raise DomainError(ErrorCode.PERIOD_FROZEN,
                          _("Ngày {day:%d/%m/%Y} thuộc kỳ báo cáo đã khoá sổ: không ghi khoản thu vào kỳ này.").format(
                              day=day),
                          "That day belongs to a frozen reporting period.", field="paid_at")


def count_payment(payment: Payment) -> None:
    """Add one new payment to its fact cell and its area-day (called inside the writer's transaction):
    on PostgreSQL one statement, both upserts and the frozen-period check together."""
    day = timezone.localdate(payment.paid_at)
    enrollment = payment.enrollment
    sign = -1 if payment.reverses_id else 1
    people = HiCardLine.objects.filter(enrollment=enrollment).count() if enrollment.scheme == Scheme.HOUSEHOLD_HI else 1
    deltas = {"people": sign * people, "enrollments": sign, "amount": payment.amount,
              "state_support": sign * enrollment.state_support, "local_support": sign * enrollment.local_support,
              "other_support": payment.amount if payment.payer == Payer.SPONSOR else 0}
    cell = {"day": day, "area_id": enrollment.area_id, "collector_id": payment.collector_id,
            "collection_point_id": payment.collection_point_id, "agent_id": payment.agent_id,
            "scheme": enrollment.scheme, "is_renewal": enrollment.is_renewal}
    side = "vsi" if enrollment.scheme == Scheme.VSI else "hi"
    rolled = {f"{side}_{'renewed' if enrollment.is_renewal else 'new'}": deltas["people"],
              "enrollments": deltas["enrollments"], f"{side}_amount": deltas["amount"],
              **{k: deltas[k] for k in ("state_support", "local_support", "other_support")}}
    area_day = {"day": day, "area_id": enrollment.area_id}
    cohort_ctes, cohort_sql, cohort_params = _cohort_upsert(enrollment, sign)
    vsi_cells, hi_cells = whatif_cells.add_sql("= %s")  # the what-if's cells (not frozen either)
    cells_sql = vsi_cells if enrollment.scheme == Scheme.VSI else hi_cells
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fact_sql, fact_params = _upsert(Fact, cell, deltas, day)
            roll_sql, roll_params = _upsert(AreaDay, area_day, rolled, day)
            # the term's renewal facts and what-if cells ride in the same statement: data-modifying CTEs,
            # no extra round trip
            cursor.execute(f"WITH fact AS ({fact_sql}), {cohort_ctes}, cohort AS ({cohort_sql}), "
                           f"whatif AS ({cells_sql}) {roll_sql}",
                           [*fact_params, *cohort_params, payment.pk, *roll_params])
            return
        # SQLite: the cohort facts and what-if cells are not frozen (nor are the terms they count), so they
        # come first
        cursor.execute(f"WITH {cohort_ctes} {cohort_sql}", cohort_params)
        cursor.execute(cells_sql, [payment.pk])
        if is_frozen(day):
            return
        # SQLite keeps no unique index on the fact cell (its NULLs are distinct): update, else insert.
        # Its writers are serialised by the database lock, so no other writer slips in between.
        if not Fact.objects.filter(**cell).update(**{name: F(name) + delta for name, delta in deltas.items()}):
            Fact.objects.create(**cell, **deltas)
        roll_sql, roll_params = _upsert(AreaDay, area_day, rolled, None)
        cursor.execute(roll_sql, roll_params)


def count_payments(payments: list[Payment]) -> None:
    """Many new payments at once (bulk listener, payments/services.py): what adding them one by one
    would have made. On PostgreSQL the payments' own deltas are added to their cells (frozen days
    skipped, as ``count_payment`` skips them) in one statement, and the cohort facts moved for their
    terms in another: the work grows with the payments given, not with the day's payments already
    counted. Elsewhere (SQLite), the facts of their days are recomputed from the payments."""
    if not payments:
        return
    if connection.vendor != "postgresql":
        days = [timezone.localdate(p.paid_at) for p in payments]
        refresh(min(days), max(days))
        return
    bulk.no_jit()
    ids = [p.pk for p in payments]
    with connection.cursor() as cursor:
        cursor.execute(_add_payments_sql(), {"ids": ids, "tz": settings.TIME_ZONE, "vsi": Scheme.VSI.value,
                                             "hi": Scheme.HOUSEHOLD_HI.value, "sponsor": Payer.SPONSOR.value})
    if all(p.reverses_id is None for p in payments):
        loaded = all(Payment.enrollment.is_cached(p) for p in payments)  # the writer's terms, read already
        by_scheme = ({p.enrollment_id: p.enrollment.scheme for p in payments} if loaded else dict(
            Enrollment.objects.filter(pk__in=[p.enrollment_id for p in payments]).values_list("pk", "scheme")))
        if _cohorts_add(sorted(by_scheme.items())):
            return
    refresh_cohorts()  # a reversal, or two terms of one person or household: rebuilt from the terms


def count_payment_ids(ids: list[int]) -> None:
    """``count_payments`` given new payments' ids (no reversal; bulk id listener, payments/services.py):
    on PostgreSQL their deltas added and the cohorts moved as there; elsewhere their days refreshed."""
    if not ids:
        return
    if connection.vendor != "postgresql":
        count_payments(list(Payment.objects.filter(pk__in=ids)))
        return
    bulk.no_jit()
    with connection.cursor() as cursor:
        cursor.execute(_add_payments_sql(), {"ids": ids, "tz": settings.TIME_ZONE, "vsi": Scheme.VSI.value,
                                             "hi": Scheme.HOUSEHOLD_HI.value, "sponsor": Payer.SPONSOR.value})
        q = connection.ops.quote_name
        cursor.execute(f"SELECT e.id, e.scheme FROM {q(Payment._meta.db_table)} p "
                       f"JOIN {q(Enrollment._meta.db_table)} e ON e.id = p.enrollment_id WHERE p.id = ANY(%s)", [ids])
        terms = cursor.fetchall()
    if not _cohorts_add(sorted(terms)):
        refresh_cohorts()  # two terms of one person or household: rebuilt from the terms


@cache
def _add_payments_sql() -> str:
    """The given payments (``%(ids)s``) added to their fact cells and area-days, one upsert each as
    data-modifying CTEs of one statement: the measures of ``count_payment``, summed per cell, and the
    what-if's cells of their terms."""
    q = connection.ops.quote_name
    fact, area_day, frozen = (q(m._meta.db_table) for m in (Fact, AreaDay, FrozenPeriod))
    pays, terms, lines = (q(m._meta.db_table) for m in (Payment, Enrollment, HiCardLine))
    cell = ", ".join(q(c) for c in ("day", "area_id", "collector_id", "collection_point_id", "agent_id", "scheme",
                                    "is_renewal"))
    adds = ", ".join(f"{q(m)} = {fact}.{q(m)} + EXCLUDED.{q(m)}" for m in MEASURES)
    rolled = ("vsi_new", "vsi_renewed", "hi_new", "hi_renewed", "enrollments", "vsi_amount", "hi_amount",
              "state_support", "local_support", "other_support")
    roll_adds = ", ".join(f"{q(m)} = {area_day}.{q(m)} + EXCLUDED.{q(m)}" for m in rolled)
    cells = whatif_cells.add_sql("= ANY(%(ids)s)")  # every payment given (the cells are not frozen)

    def people(scheme: str, renewal: bool) -> str:
        return (f"SUM(CASE WHEN scheme = %({scheme})s AND {'' if renewal else 'NOT '}is_renewal "
                f"THEN people ELSE 0 END)")

    return f"""
WITH p AS (
    SELECT (pay.paid_at AT TIME ZONE %(tz)s)::date AS day, e.area_id, pay.collector_id, pay.collection_point_id,
           pay.agent_id, e.scheme, e.is_renewal, pay.amount, pay.payer,
           CASE WHEN pay.reverses_id IS NULL THEN 1 ELSE -1 END AS sign,
           (CASE WHEN pay.reverses_id IS NULL THEN 1 ELSE -1 END) * CASE WHEN e.scheme = %(hi)s
               THEN (SELECT COUNT(*) FROM {lines} h WHERE h.enrollment_id = e.id) ELSE 1 END AS people,
           e.state_support, e.local_support
    FROM {pays} pay JOIN {terms} e ON e.id = pay.enrollment_id
    WHERE pay.id = ANY(%(ids)s)
), live AS (
    SELECT * FROM p WHERE NOT EXISTS (SELECT 1 FROM {frozen} f WHERE f.{q('start')} <= p.day AND f.{q('end')} >= p.day)
), facts AS (
    INSERT INTO {fact} ({cell}, {', '.join(q(m) for m in MEASURES)})
    SELECT {cell}, SUM(people), SUM(sign), SUM(amount), SUM(sign * state_support), SUM(sign * local_support),
           SUM(CASE WHEN payer = %(sponsor)s THEN amount ELSE 0 END)
    FROM live GROUP BY {cell}
    ON CONFLICT ON CONSTRAINT one_fact_per_cell DO UPDATE SET {adds}
), whatif_vsi AS ({cells[0]}), whatif_hi AS ({cells[1]})
INSERT INTO {area_day} (day, area_id, {', '.join(q(m) for m in rolled)})
SELECT day, area_id, {people('vsi', False)}, {people('vsi', True)}, {people('hi', False)}, {people('hi', True)},
       SUM(sign), SUM(CASE WHEN scheme = %(vsi)s THEN amount ELSE 0 END),
       SUM(CASE WHEN scheme = %(hi)s THEN amount ELSE 0 END), SUM(sign * state_support), SUM(sign * local_support),
       SUM(CASE WHEN payer = %(sponsor)s THEN amount ELSE 0 END)
FROM live GROUP BY day, area_id
ON CONFLICT (day, area_id) DO UPDATE SET {roll_adds}"""


def _cohorts_add(terms: list[tuple[int, str]]) -> bool:
    """The cohort facts' change for many newly paid terms at once, by the rule of ``_cohort_upsert``
    (each term enters its cell; the earlier paid terms of its person or household whose next paid
    start is after it move to the gap to it), one statement per scheme. Only for terms of distinct
    people (households): returns False, changing nothing, otherwise."""
    q = connection.ops.quote_name
    table, enrollments = q(CohortDay._meta.db_table), q(Enrollment._meta.db_table)
    by_scheme: dict[str, list[int]] = {}
    for pk, scheme in terms:
        by_scheme.setdefault(scheme, []).append(pk)
    with connection.cursor() as cursor:
        for scheme, ids in by_scheme.items():
            key = "person_id" if scheme == Scheme.VSI else "household_id"
            cursor.execute(f"SELECT COUNT(DISTINCT {key}) = COUNT(*) FROM {enrollments} WHERE id = ANY(%s)", [ids])
            if not cursor.fetchone()[0]:
                return False
        for scheme, ids in by_scheme.items():
            key = "person_id" if scheme == Scheme.VSI else "household_id"
            # The status is compared through COALESCE, which no index serves: the look-ups go by the
            # person's (household's) index. Compared plainly, the planner, with statistics from before
            # the import (few paid terms), walks the (scheme, status) index over every paid term instead.
            same = f"n.scheme = %(scheme)s AND n.{key} = {{k}} AND COALESCE(n.status, '') = %(paid)s AND n.id <> {{me}}"
            cursor.execute(f"""
WITH cd_p AS (
    SELECT t.id, t.{key} AS k, t.period_start AS s, t.period_end AS e, t.area_id,
           (SELECT MIN(n.period_start) FROM {enrollments} n WHERE {same.format(k='t.' + key, me='t.id')}
            AND n.period_start > t.period_start) AS nx
    FROM {enrollments} t WHERE t.id = ANY(%(ids)s)
), cd_m AS (
    SELECT e.period_end, e.area_id, p.s, e.nx FROM cd_p p CROSS JOIN LATERAL (
        SELECT x.period_end, x.area_id,
               (SELECT MIN(n.period_start) FROM {enrollments} n WHERE {same.format(k='p.k', me='p.id')}
                AND n.period_start > x.period_start) AS nx
        FROM {enrollments} x WHERE x.{key} = p.k AND x.scheme = %(scheme)s AND COALESCE(x.status, '') = %(paid)s
        AND x.id <> p.id AND x.period_start < p.s) e
    WHERE e.nx IS NULL OR e.nx > p.s
), cd_d AS (
    SELECT period_end AS day, area_id, {_gap('nx', 'period_end')} AS gap, -1 AS d FROM cd_m
    UNION ALL SELECT period_end, area_id, {_gap('s', 'period_end')}, 1 FROM cd_m
    UNION ALL SELECT e, area_id, {_gap('nx', 'e')}, 1 FROM cd_p
)
INSERT INTO {table} (day, area_id, scheme, gap, terms)
SELECT day, area_id, %(scheme)s, gap, SUM(d) FROM cd_d GROUP BY day, area_id, gap
ON CONFLICT (day, area_id, scheme, gap) DO UPDATE SET terms = {table}.terms + EXCLUDED.terms""",
                           {"ids": ids, "scheme": scheme, "paid": EnrollmentStatus.PAID.value})
    return True


def _gap(next_start: str, end: str) -> str:
    """SQL: the stored gap from a term's last day ``end`` to the next paid start ``next_start`` (NULL:
    none): 0 for a start on or before the end, ``NO_NEXT`` for none or one beyond ``GAP_CAP`` days.
    (PostgreSQL's GREATEST/LEAST skip NULLs, hence the CASE.)"""
    if connection.vendor == "postgresql":
        days, low, high = f"({next_start} - {end})", "GREATEST", "LEAST"
    else:
        days, low, high = f"CAST(julianday({next_start}) - julianday({end}) AS INTEGER)", "MAX", "MIN"
    return f"CASE WHEN {next_start} IS NULL THEN {NO_NEXT} ELSE {high}({low}({days}, 0), {NO_NEXT}) END"


def _cohort_upsert(term: Enrollment, sign: int) -> tuple[str, str, list[Any]]:
    """The cohort facts' change when ``term`` is paid (``sign`` 1) or its payment reversed (-1), as CTEs
    and an ``INSERT … ON CONFLICT`` adding the deltas. The term itself enters (or leaves) its cell with
    the gap to the next paid term of its person or household; the paid terms before it whose next paid
    term starts after it (or none does) move from that gap to the gap to this term (or back). Every
    look-up excludes the term by id, so it holds whether the writer updates the term's status before
    or after the listeners run."""
    q = connection.ops.quote_name
    table, terms = q(CohortDay._meta.db_table), q(Enrollment._meta.db_table)
    key = "person_id" if term.scheme == Scheme.VSI else "household_id"
    key_value = term.person_id if term.scheme == Scheme.VSI else term.household_id
    same = f"n.scheme = %s AND n.{key} = %s AND n.status = %s AND n.id <> %s"
    same_params = [term.scheme, key_value, EnrollmentStatus.PAID, term.pk]
    date_ = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    before, after = ("e.nx", "p.s") if sign > 0 else ("p.s", "e.nx")
    ctes = (f"cd_p AS (SELECT {date_} AS s, {date_} AS e, (SELECT MIN(n.period_start) FROM {terms} n "
            f"WHERE {same} AND n.period_start > {date_}) AS nx), "
            f"cd_e AS (SELECT e.period_end, e.area_id, e.scheme, (SELECT MIN(n.period_start) FROM {terms} n "
            f"WHERE {same} AND n.period_start > e.period_start) AS nx FROM {terms} e, cd_p p "
            f"WHERE e.scheme = %s AND e.{key} = %s AND e.status = %s AND e.id <> %s AND e.period_start < p.s), "
            f"cd_m AS (SELECT e.* FROM cd_e e, cd_p p WHERE e.nx IS NULL OR e.nx > p.s), "
            f"cd_d AS (SELECT e.period_end AS day, e.area_id, e.scheme, {_gap(before, 'e.period_end')} AS gap, "
            f"-1 AS d FROM cd_m e, cd_p p "
            f"UNION ALL SELECT e.period_end, e.area_id, e.scheme, {_gap(after, 'e.period_end')}, 1 FROM cd_m e, cd_p p "
            f"UNION ALL SELECT p.e, %s, %s, {_gap('p.nx', 'p.e')}, %s FROM cd_p p)")
    params: list[Any] = [term.period_start, term.period_end, *same_params, term.period_start,
                         *same_params, term.scheme, key_value, EnrollmentStatus.PAID, term.pk,
                         term.area_id, term.scheme, sign]
    insert = (f"INSERT INTO {table} (day, area_id, scheme, gap, terms) SELECT day, area_id, scheme, gap, SUM(d) "
              f"FROM cd_d WHERE 1 = 1 GROUP BY day, area_id, scheme, gap "
              f"ON CONFLICT (day, area_id, scheme, gap) DO UPDATE SET terms = {table}.terms + EXCLUDED.terms")
    return ctes, insert, params


def _upsert(model: type[Fact] | type[AreaDay], cell: dict[str, Any], deltas: dict[str, int],
            unless_frozen: date | None) -> tuple[str, list[Any]]:
    """``INSERT … ON CONFLICT DO UPDATE`` adding ``deltas`` to the cell's row (the other measures start
    at 0); with ``unless_frozen``, nothing when that day is frozen."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    measures = [f.column for f in model._meta.concrete_fields if f.column not in cell and not f.primary_key]
    values = {**cell, **{name: deltas.get(name, 0) for name in measures}}
    columns = ", ".join(q(name) for name in values)
    holes = ", ".join(["%s"] * len(values))
    params = list(values.values())
    if unless_frozen is not None:
        frozen = q(FrozenPeriod._meta.db_table)
        select = (f"SELECT {holes} WHERE NOT EXISTS "
                  f"(SELECT 1 FROM {frozen} WHERE {q('start')} <= %s AND {q('end')} >= %s)")
        params += [unless_frozen, unless_frozen]
    else:
        select = f"VALUES ({holes})"
    target = "ON CONSTRAINT one_fact_per_cell" if model is Fact else f"({', '.join(q(name) for name in cell)})"
    sets = ", ".join(f"{q(name)} = {table}.{q(name)} + EXCLUDED.{q(name)}" for name in deltas)
    return f"INSERT INTO {table} ({columns}) {select} ON CONFLICT {target} DO UPDATE SET {sets}", params


def _aggregated(start: date, end: date, frozen: list[tuple[date, date]]) -> QuerySet[Payment, dict[str, Any]]:
    """The facts of the period as one grouped query over the payments, every column named."""
    holders = (HiCardLine.objects.filter(enrollment=OuterRef("enrollment")).values("enrollment")
               .annotate(n=Count("pk")).values("n"))
    sign = Case(When(reverses__isnull=False, then=Value(-1)), default=Value(1), output_field=IntegerField())
    people = Case(When(enrollment__scheme=Scheme.HOUSEHOLD_HI, then=Coalesce(Subquery(holders), 0)),
                  default=Value(1), output_field=IntegerField())
    payments = Payment.objects.annotate(f_day=TruncDate("paid_at", tzinfo=TZ)).filter(f_day__gte=start,
                                                                                      f_day__lte=end)
    for a, b in frozen:
        payments = payments.exclude(f_day__gte=a, f_day__lte=b)
    return (payments.annotate(f_area=F("enrollment__area_id"), f_collector=F("collector_id"),
                              f_point=F("collection_point_id"), f_agent=F("agent_id"),
                              f_scheme=F("enrollment__scheme"), f_renewal=F("enrollment__is_renewal"))
            .values("f_day", "f_area", "f_collector", "f_point", "f_agent", "f_scheme", "f_renewal")
            .annotate(f_people=Sum(sign * people), f_enrollments=Sum(sign), f_amount=Sum("amount"),
                      f_state=Sum(sign * F("enrollment__state_support")),
                      f_local=Sum(sign * F("enrollment__local_support")),
                      f_other=Sum(Case(When(payer=Payer.SPONSOR, then=F("amount")), default=Value(0)))))


@transaction.atomic
def refresh(start: date, end: date, progress: Callable[[int], None] | None = None, *,
            every_term: bool = False) -> int:
    """Recompute the facts of ``start``..``end`` (frozen days excepted) and the what-if's cells of the
    months quoted by the terms paid in it (with ``every_term``, all of them); returns the fact rows written."""
    require_order(start, end)
    bulk.no_jit()
    frozen = list(FrozenPeriod.objects.filter(start__lte=end, end__gte=start).values_list("start", "end"))
    for model in (Fact, AreaDay):
        stale = model.objects.filter(day__gte=start, day__lte=end)
        for a, b in frozen:
            stale = stale.exclude(day__gte=a, day__lte=b)
        stale.delete()
    if progress:
        progress(1)
    select, params = _aggregated(start, end, frozen).query.sql_with_params()
    written = _insert_select(Fact, (*CELL, *MEASURES), "f_day, f_area, f_collector, f_point, f_agent, f_scheme, "
                             "f_renewal, f_people, f_enrollments, f_amount, f_state, f_local, f_other", select, params)
    if progress:
        progress(1)
    rolled = Fact.objects.filter(day__gte=start, day__lte=end)
    for a, b in frozen:
        rolled = rolled.exclude(day__gte=a, day__lte=b)
    columns = {f"{side}_{kind}": _total("people", scheme=scheme, is_renewal=kind == "renewed")
               for side, scheme in (("vsi", Scheme.VSI), ("hi", Scheme.HOUSEHOLD_HI)) for kind in ("new", "renewed")}
    columns |= {"enrollments": _total("enrollments"), "vsi_amount": _total("amount", scheme=Scheme.VSI),
                "hi_amount": _total("amount", scheme=Scheme.HOUSEHOLD_HI),
                **{name: _total(name) for name in ("state_support", "local_support", "other_support")}}
    select, params = (rolled.values(*ROLLUP).annotate(**{f"r_{name}": total for name, total in columns.items()})
                      .query.sql_with_params())
    _insert_select(AreaDay, (*ROLLUP, *columns), ", ".join((*ROLLUP, *(f"r_{name}" for name in columns))),
                   select, params)
    refresh_cohorts()
    span = None if every_term else whatif_cells.quoted_span(start, end)
    if every_term or span is not None:
        whatif_cells.rebuild(*(span or (None, None)))
    analyze((Fact, AreaDay, CohortDay, WhatIfCell))  # a bulk writer ends with ANALYZE of what it touched (issue 14)
    if progress:
        progress(1)
    return int(written)


def refresh_cohorts() -> int:
    """Rebuild the cohort facts from the terms (all of them: a term's renewal is not tied to the days
    of its payments, and they are not frozen): each paid term's gap to the next paid start of its
    person or household, by a window over that key's paid terms, in one ``INSERT … SELECT``."""
    q = connection.ops.quote_name
    table, terms = q(CohortDay._meta.db_table), q(Enrollment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (day, area_id, scheme, gap, terms) SELECT period_end, area_id, scheme, "
            f"{_gap('nx', 'period_end')} AS gap, COUNT(*) FROM (SELECT period_end, area_id, scheme, "
            f"MIN(period_start) OVER (PARTITION BY scheme, CASE WHEN scheme = %s THEN person_id ELSE household_id END "
            f"ORDER BY period_start RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP) AS nx "
            f"FROM {terms} WHERE status = %s) AS t GROUP BY period_end, area_id, scheme, gap",
            [Scheme.VSI, EnrollmentStatus.PAID])
        return int(cursor.rowcount)


def refresh_all(progress: Callable[[int], None] | None = None) -> int:
    """Refresh every day that has payments (after a bulk load)."""
    span = Payment.objects.aggregate(first=Min("paid_at"), last=Max("paid_at"))
    if span["first"] is None:
        return 0
    return refresh(timezone.localdate(span["first"]), timezone.localdate(span["last"]), progress, every_term=True)


def _total(field: str, **only: Any) -> Coalesce:
    return Coalesce(Sum(field, filter=Q(**only) if only else None), 0)


def _insert_select(model: type[Fact] | type[AreaDay], columns: tuple[str, ...], picked: str, select: str,
                   params: tuple[Any, ...]) -> int:
    """``INSERT INTO model (columns) SELECT picked FROM (select)``: the grouping runs in the database."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                       f"SELECT {picked} FROM ({select}) AS grouped", params)
        return int(cursor.rowcount)


@transaction.atomic
def freeze(start: date, end: date, by: object = None) -> FrozenPeriod:
    """Freeze a reported period: later payments and refreshes leave its facts as they are."""
    require_order(start, end)
    return FrozenPeriod.objects.create(start=start, end=end, frozen_by=by if getattr(by, "pk", None) else None)


def raw_payments(start: date, end: date, area_ids: set[int] | None = None) -> QuerySet[Payment]:
    paid = Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=TZ)).filter(day__gte=start, day__lte=end)
    return paid if area_ids is None else paid.filter(enrollment__area_id__in=area_ids)


def raw_totals(start: date, end: date, area_ids: set[int] | None = None) -> dict[str, int]:
    """The same totals straight from the payments: what the facts must equal (and the benchmark's
    baseline)."""
    paid = raw_payments(start, end, area_ids)
    new = Q(enrollment__is_renewal=False)
    term, reversal = new & Q(reverses__isnull=True), new & Q(reverses__isnull=False)
    counts = paid.aggregate(
        amount=Coalesce(Sum("amount"), 0),
        vsi=Count("pk", filter=term & Q(enrollment__scheme=Scheme.VSI)),
        vsi_back=Count("pk", filter=reversal & Q(enrollment__scheme=Scheme.VSI)))
    # card holders in a query of their own: joining them above would repeat the amounts
    counts |= paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).aggregate(
        hi=Count("enrollment__hi_lines", filter=term), hi_back=Count("enrollment__hi_lines", filter=reversal))
    return {"amount": int(counts["amount"]), "vsi_new_people": counts["vsi"] - counts["vsi_back"],
            "hi_new_people": counts["hi"] - counts["hi_back"]}
