"""Benchmark: the dashboards' reads from the pre-aggregated facts against the same figures computed
from the raw tables (payments, enrollments, card lines), in the same run, on a synthetic province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench SECRET_KEY=bench \
        .venv/bin/python bench/dashboard.py [--people 3400000] [--runs 7]

The database named by DATABASE_URL is migrated; when it holds no synthetic province yet, one of
``--people`` people is generated first (`ansinh demo synth`, generated in SQL: minutes). Then, over
the last 365 days of data:

- province overview: the tiles, the daily trend by scheme and the ranked first level of the
  drill-down (`reports.queries.overview` + `drill`), against the same from the raw tables;
- commune drill-down: the collection points and the agents of the busiest commune, against the
  same from the raw tables.

Both sides must agree to the person and the đồng (checked before timing). Prints the median of
``--runs`` timed runs after one warm-up, and ``overview_ratio`` / ``commune_ratio`` (raw ÷ facts).
Targets (issue #6): province overview <= 200 ms median; ratio >= 20.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

from common import median_ms, synthetic_province

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3_400_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    django.setup()
    from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from ansinh.enrollment.models import HiCardLine, Scheme
    from ansinh.payments.models import Payment
    from ansinh.reports import queries, services
    from ansinh.reports.models import AreaDay, Fact
    from ansinh.reports.queries import Slice

    synthetic_province(args.people)
    last = timezone.localdate(Payment.objects.aggregate(last=Max("paid_at"))["last"])
    start = last - timedelta(days=364)
    view = Slice(start, last)
    print(f"data: {Payment.objects.count():,} payments, {Fact.objects.count():,} facts, "
          f"{AreaDay.objects.count():,} day × commune rows; period {start} .. {last}", flush=True)

    holders = (HiCardLine.objects.filter(enrollment=OuterRef("enrollment")).values("enrollment")
               .annotate(n=Count("pk")).values("n"))
    sign = Case(When(reverses__isnull=False, then=Value(-1)), default=Value(1), output_field=IntegerField())

    def raw(payments: Any, *group: str) -> list[dict[str, Any]]:
        """New and renewing people and money per group, straight from the payments."""
        per_person = Coalesce(Subquery(holders, output_field=IntegerField()), Value(1))
        return list(payments.values(*group).annotate(
            vsi_new=Sum(sign, filter=Q(enrollment__scheme=Scheme.VSI, enrollment__is_renewal=False)),
            hi_new=Sum(sign * per_person, filter=Q(enrollment__scheme=Scheme.HOUSEHOLD_HI,
                                                   enrollment__is_renewal=False)),
            renewals=Sum(sign * per_person, filter=Q(enrollment__is_renewal=True)),
            amount=Sum("amount")))

    def facts_overview() -> tuple[dict[str, Any], list[Any]]:
        return queries.overview(start, last), queries.drill(view, "commune")

    def raw_overview() -> tuple[dict[str, int], list[dict[str, Any]], list[dict[str, Any]]]:
        paid = services.raw_payments(start, last)
        return (services.raw_totals(start, last), raw(paid, "day", "enrollment__scheme"),
                raw(paid, "enrollment__area_id"))

    # Same figures on both sides before any timing.
    tiles, communes = facts_overview()
    totals, by_day, by_commune = raw_overview()
    assert (tiles["amount"], tiles["vsi_new_people"], tiles["hi_new_people"]) == (
        totals["amount"], totals["vsi_new_people"], totals["hi_new_people"]), (tiles, totals)
    assert sum(r["people"] for r in tiles["by_day"]) == sum(
        int(r["vsi_new"] or 0) + int(r["hi_new"] or 0) + int(r["renewals"] or 0) for r in by_day)
    raw_by_commune = {r["enrollment__area_id"]: (int(r["vsi_new"] or 0), int(r["hi_new"] or 0), int(r["amount"]))
                      for r in by_commune}
    assert {r.key: (r.vsi_new, r.hi_new, r.amount) for r in communes} == raw_by_commune
    busiest = communes[0]

    def facts_commune() -> tuple[list[Any], list[Any]]:
        return (queries.drill(view, "point", commune=busiest.key),
                queries.drill(view, "agent", commune=busiest.key))

    def raw_commune() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        paid = services.raw_payments(start, last).filter(enrollment__area_id=busiest.key)
        return raw(paid, "collection_point_id"), raw(paid, "agent_id")

    points, agents = facts_commune()
    raw_points, raw_agents = raw_commune()
    assert {r.key: r.amount for r in agents} == {r["agent_id"]: int(r["amount"]) for r in raw_agents}
    assert {r.key: r.new for r in points} == {
        r["collection_point_id"]: int(r["vsi_new"] or 0) + int(r["hi_new"] or 0) for r in raw_points}
    print(f"checked: facts equal the raw tables (tiles, {len(communes)} communes, busiest {busiest.name}: "
          f"{len(points)} points, {len(agents)} agents)", flush=True)

    results = {}
    for name, action in (("overview_facts", facts_overview), ("overview_raw", raw_overview),
                         ("commune_facts", facts_commune), ("commune_raw", raw_commune)):
        results[name] = median_ms(action, args.runs)
        print(f"{name}_ms={results[name]:.1f}", flush=True)
    overview_ratio = results["overview_raw"] / results["overview_facts"]
    commune_ratio = results["commune_raw"] / results["commune_facts"]
    print(f"province overview median {results['overview_facts']:.1f} ms (target <= 200 ms: "
          f"{'met' if results['overview_facts'] <= 200 else 'NOT met'})")
    print(f"commune_ratio={commune_ratio:.1f}")
    print(f"overview_ratio={overview_ratio:.1f} (target >= 20: {'met' if overview_ratio >= 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
