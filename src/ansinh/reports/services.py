"""Keeping the facts current: `refresh` recomputes the facts of a period from the payments
(idempotent), except the days of a frozen period, which keep the figures they were reported with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from ansinh.enrollment.models import HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.payments.models import Payer, Payment
from ansinh.reports.models import Fact, FrozenPeriod

TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh (settings.TIME_ZONE)
Key = tuple[date, int, int | None, int | None, str, bool]


@transaction.atomic
def refresh(start: date, end: date, progress: Callable[[int], None] | None = None) -> int:
    """Recompute the facts of ``start``..``end`` (frozen days excepted); returns the rows written."""
    if start > end:
        raise DomainError(ErrorCode.INVALID_INPUT, "Ngày bắt đầu phải trước ngày kết thúc.", "start > end",
                          field="start")
    holders = (HiCardLine.objects.filter(enrollment=OuterRef("enrollment")).values("enrollment")
               .annotate(n=Count("pk")).values("n"))
    rows = (Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=TZ), holders=Subquery(holders))
            .filter(day__gte=start, day__lte=end)
            .values_list("day", "enrollment__area_id", "collector_id", "agent_id", "enrollment__scheme",
                         "enrollment__is_renewal", "amount", "payer", "reverses_id", "enrollment__state_support",
                         "enrollment__local_support", "holders"))
    cells: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for count, (day, area, collector, agent, scheme, renewal, amount, payer, reverses, state, local,
                holders_n) in enumerate(rows.iterator(chunk_size=5000), start=1):
        sign = -1 if reverses else 1  # a reversal takes the term back out
        cell = cells[(day, area, collector, agent, scheme, renewal)]
        cell[0] += sign * (int(holders_n or 0) if scheme == Scheme.HOUSEHOLD_HI else 1)
        cell[1] += sign
        cell[2] += amount
        cell[3] += sign * state
        cell[4] += sign * local
        cell[5] += amount if payer == Payer.SPONSOR else 0
        if progress and count % 5000 == 0:
            progress(5000)
    frozen_days = [(p.start, p.end) for p in FrozenPeriod.objects.filter(start__lte=end, end__gte=start)]

    def is_frozen(day: date) -> bool:
        return any(a <= day <= b for a, b in frozen_days)

    stale = Fact.objects.filter(day__gte=start, day__lte=end)
    for a, b in frozen_days:
        stale = stale.exclude(day__gte=a, day__lte=b)
    stale.delete()
    facts = [Fact(day=k[0], area_id=k[1], collector_id=k[2], agent_id=k[3], scheme=k[4], is_renewal=k[5],
                  people=v[0], enrollments=v[1], amount=v[2], state_support=v[3], local_support=v[4],
                  other_support=v[5]) for k, v in cells.items() if not is_frozen(k[0])]
    Fact.objects.bulk_create(facts, batch_size=2000)
    return len(facts)


@transaction.atomic
def freeze(start: date, end: date, by: object = None) -> FrozenPeriod:
    """Freeze a reported period: refreshes leave its facts as they are."""
    if start > end:
        raise DomainError(ErrorCode.INVALID_INPUT, "Ngày bắt đầu phải trước ngày kết thúc.", "start > end")
    return FrozenPeriod.objects.create(start=start, end=end, frozen_by=by if getattr(by, "pk", None) else None)


def raw_totals(start: date, end: date) -> dict[str, int]:
    """The same totals straight from the payments: what the facts must equal."""
    paid = Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=TZ)).filter(day__gte=start, day__lte=end)
    new = paid.filter(enrollment__is_renewal=False)
    terms, reversals = new.filter(reverses__isnull=True), new.filter(reverses__isnull=False)

    def holders(payments: Any) -> int:
        return HiCardLine.objects.filter(enrollment__payments__in=payments).count()

    return {
        "amount": int(sum(paid.values_list("amount", flat=True))),
        "vsi_new_people": terms.filter(enrollment__scheme=Scheme.VSI).count()
        - reversals.filter(enrollment__scheme=Scheme.VSI).count(),
        "hi_new_people": holders(terms) - holders(reversals),
    }
