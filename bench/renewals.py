"""Benchmark: the renewals page's queries (`/bao-cao/tai-tuc/`: renewal cohorts and lapses by reason,
read from the cohort facts) on a synthetic province, against two baselines measured in the same run:
the term-by-term queries they replace (`renewal_cohorts_by_term` + `lapses_by_term`, one look-up per
ended term; ``--reference-runs`` timed runs, they take ~20 s each at full size) and plain counts over
the same tables (the terms that ended in the window, and every payment). Both paths must give the
same figures (checked first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench SECRET_KEY=bench \
        .venv/bin/python bench/renewals.py [--people 3400000] [--runs 5]

The database named by DATABASE_URL is migrated; when it holds no synthetic province yet, one of
``--people`` people is generated first (`ansinh demo synth`, minutes on PostgreSQL). "Today" is the
day after the last payment, so the twelve cohorts are full. Each side is timed for the whole
province (no scope) and for the province's units (a provincial officer's scope, an `IN` list).
Prints the median of ``--runs`` timed runs after one warm-up. Target (issue 14): <= 500 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

from common import median_ms, synthetic_province

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

TARGET_MS = 500



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3_400_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference-runs", type=int, default=1)
    args = parser.parse_args()
    django.setup()
    from django.db.models import Max
    from django.utils import timezone

    from ansinh.areas import queries as areas
    from ansinh.demo.synth import PROVINCE
    from ansinh.enrollment.models import Enrollment, EnrollmentStatus
    from ansinh.lib.periods import add_months
    from ansinh.payments.models import Payment
    from ansinh.reports import queries

    synthetic_province(args.people)
    today = timezone.localdate(Payment.objects.aggregate(last=Max("paid_at"))["last"]) + timedelta(days=1)
    province = areas.unit_on(PROVINCE, today)
    assert province is not None
    scope = sorted(areas.subtree_ids([province.pk]))
    first = add_months(today.replace(day=1), -12)
    print(f"data: {Enrollment.objects.count():,} terms, {Payment.objects.count():,} payments; today {today}, "
          f"cohorts from {first}; scope of {len(scope)} units", flush=True)

    def page(area_ids: list[int] | None) -> Callable[[], Any]:
        return lambda: (queries.renewal_cohorts(today, area_ids), queries.lapses(today, area_ids))

    def reference(area_ids: list[int] | None) -> Callable[[], Any]:
        return lambda: (queries.renewal_cohorts_by_term(today, area_ids), queries.lapses_by_term(today, area_ids))

    def baseline(area_ids: list[int] | None) -> Callable[[], Any]:
        def count() -> tuple[int, int]:
            terms = Enrollment.objects.filter(status=EnrollmentStatus.PAID, period_end__gte=first, period_end__lt=today)
            payments = Payment.objects.all()
            if area_ids is not None:
                terms, payments = terms.filter(area_id__in=area_ids), payments.filter(enrollment__area_id__in=area_ids)
            return terms.count(), payments.count()
        return count

    cohorts, lapsed = page(None)()
    ended = sum(c["ended"] for c in cohorts)
    print(f"checked: {len(cohorts)} cohorts, {ended:,} terms ended, {sum(c['renewed'] for c in cohorts):,} renewed, "
          f"{sum(r['total'] for r in lapsed):,} lapsed", flush=True)
    assert (cohorts, lapsed) == page(scope)(), "the province's scope must give the same figures as no scope"
    assert (cohorts, lapsed) == reference(None)(), "the cohort facts must give the term-by-term figures"

    results = {}
    for name, action, runs in (("renewals_all", page(None), args.runs), ("baseline_all", baseline(None), args.runs),
                               ("by_term_all", reference(None), args.reference_runs),
                               ("renewals_scoped", page(scope), args.runs),
                               ("baseline_scoped", baseline(scope), args.runs),
                               ("by_term_scoped", reference(scope), args.reference_runs)):
        results[name] = median_ms(action, runs)
        print(f"{name}_ms={results[name]:.1f}", flush=True)
    for side in ("all", "scoped"):
        print(f"{side}: by_term_vs_facts_ratio={results[f'by_term_{side}'] / results[f'renewals_{side}']:.1f} "
              f"plain_counts_vs_facts_ratio={results[f'baseline_{side}'] / results[f'renewals_{side}']:.1f}")
    worst = max(results["renewals_all"], results["renewals_scoped"])
    print(f"renewals page queries median {worst:.1f} ms, term by term "
          f"{max(results['by_term_all'], results['by_term_scoped']):.1f} ms, plain counts "
          f"{max(results['baseline_all'], results['baseline_scoped']):.1f} ms "
          f"(target <= {TARGET_MS} ms: {'met' if worst <= TARGET_MS else 'NOT met'}); load average "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
