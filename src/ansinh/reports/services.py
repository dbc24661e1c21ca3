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
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ansinh.enrollment.models import HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.periods import require_order
from ansinh.payments.models import Payer, Payment
from ansinh.reports.models import AreaDay, Fact, FrozenPeriod

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
                          f"Ngày {day:%d/%m/%Y} thuộc kỳ báo cáo đã khoá sổ: không ghi khoản thu vào kỳ này.",
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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fact_sql, fact_params = _upsert(Fact, cell, deltas, day)
            roll_sql, roll_params = _upsert(AreaDay, area_day, rolled, day)
            cursor.execute(f"WITH fact AS ({fact_sql}) {roll_sql}", [*fact_params, *roll_params])
            return
        if is_frozen(day):
            return
        # SQLite keeps no unique index on the fact cell (its NULLs are distinct): update, else insert.
        # Its writers are serialised by the database lock, so no other writer slips in between.
        if not Fact.objects.filter(**cell).update(**{name: F(name) + delta for name, delta in deltas.items()}):
            Fact.objects.create(**cell, **deltas)
        roll_sql, roll_params = _upsert(AreaDay, area_day, rolled, None)
        cursor.execute(roll_sql, roll_params)


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
def refresh(start: date, end: date, progress: Callable[[int], None] | None = None) -> int:
    """Recompute the facts of ``start``..``end`` (frozen days excepted); returns the rows written."""
    require_order(start, end)
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
    if progress:
        progress(1)
    return int(written)


def refresh_all(progress: Callable[[int], None] | None = None) -> int:
    """Refresh every day that has payments (after a bulk load)."""
    span = Payment.objects.aggregate(first=Min("paid_at"), last=Max("paid_at"))
    if span["first"] is None:
        return 0
    return refresh(timezone.localdate(span["first"]), timezone.localdate(span["last"]), progress)


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
