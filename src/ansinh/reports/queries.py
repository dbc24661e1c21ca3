"""Reads of the facts: the province overview and its drill-down."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, Sum

from ansinh.enrollment.models import Scheme
from ansinh.reports.models import Fact


def overview(start: date, end: date, area_ids: set[int] | None = None) -> dict[str, Any]:
    facts = Fact.objects.filter(day__gte=start, day__lte=end)
    if area_ids is not None:
        facts = facts.filter(area_id__in=area_ids)
    totals = facts.aggregate(amount=Sum("amount"))
    new = facts.filter(is_renewal=False)
    return {
        "amount": int(totals["amount"] or 0),
        "vsi_new_people": int(new.filter(scheme=Scheme.VSI).aggregate(n=Sum("people"))["n"] or 0),
        "hi_new_people": int(new.filter(scheme=Scheme.HOUSEHOLD_HI).aggregate(n=Sum("people"))["n"] or 0),
        "by_day": list(facts.values("day", "scheme").annotate(people=Sum("people"), amount=Sum("amount"))
                       .order_by("day", "scheme")),
    }


def by_commune(start: date, end: date, area_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """New participants and money per commune (as recorded: the units of the period's own map)."""
    facts = Fact.objects.filter(day__gte=start, day__lte=end)
    if area_ids is not None:
        facts = facts.filter(area_id__in=area_ids)
    rows = (facts.values("area_id", "area__code", "area__name")
            .annotate(vsi=Sum("people", filter=Q(scheme=Scheme.VSI, is_renewal=False)),
                      hi=Sum("people", filter=Q(scheme=Scheme.HOUSEHOLD_HI, is_renewal=False)),
                      amount=Sum("amount"))
            .order_by("-amount", "area__code"))
    return [{"code": r["area__code"], "name": r["area__name"], "vsi_new": int(r["vsi"] or 0),
             "hi_new": int(r["hi"] or 0), "amount": int(r["amount"] or 0)} for r in rows]
