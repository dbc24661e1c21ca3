"""Benchmark: bank-statement matching (issue 17 §3), on PostgreSQL, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \
        .venv/bin/python bench/statement.py [--pending 1000000] [--credits 100000] [--baseline 1000]

It creates a throw-away test database (migrated, with the shipped Nghệ An map), a post office with a
receipt pool, its agent and manager, and ``--pending`` pending voluntary-SI terms (one made by the
services, the rest copied from it in SQL, each with its own person and calculation record). A statement
CSV of ``--credits`` credits is written: 85% the exact amount with the reference, 5% underpaid, 5%
overpaid, 3% without a reference, 2% for a term already paid. Then, one after the other:

- **baseline**: ``--baseline`` credits of another statement, each through the per-credit path
  (``statements.match_credit`` → ``record_payment``: locks, recheck, facts, attribution, receipt);
- **set-based**: the whole statement through ``payments.tasks``' job body (``statement_bulk.run_import``),
  by chunks of 5,000 credits, each one transaction.

The set-based run also prints each chunk's time and the database time per kind of statement (the
eight costliest). Each prints credits/s (wall: the database's work is most of it), the CPU of this process per credit
(``time.process_time``) and the statements per credit; last ``set_based_vs_per_credit_ratio``. Target
(issue 17): ≥ 10,000 credits/s for 100,000 credits against 1,000,000 pending terms.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

COMMUNE = "16681"  # Phường Thành Vinh


def _clone(cursor: object, table: str, columns: list[str], overrides: dict[str, str], template: int, n: int) -> int:
    """``n`` copies of row ``template`` in one ``INSERT … SELECT`` (``g`` is 1..n); returns the first id
    (one statement of one session: the ids are consecutive, checked by the caller)."""
    shown = ", ".join(overrides.get(c, c) for c in columns)
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {shown} FROM {table}, "  # type: ignore[attr-defined]
                   f"generate_series(1, %s) AS g WHERE id = %s ORDER BY g RETURNING id", [n, template])
    ids = [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]
    assert ids == list(range(ids[0], ids[0] + n)), "ids not consecutive"
    return int(ids[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--credits", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the set-based run (cumulative, top 25)")
    args = parser.parse_args()
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from ansinh.areas.models import AdministrativeUnit
    from ansinh.enrollment import services as enrolling
    from ansinh.enrollment.models import CalculationRecord, Enrollment
    from ansinh.enrollment.references import reference_for
    from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
    from ansinh.org.scope import scope_for
    from ansinh.org.services import grant_role
    from ansinh.payments import statement_bulk, statements
    from ansinh.payments.models import Payment, ReceiptPool, StatementLine
    from ansinh.registry import services as registry
    from ansinh.registry.models import Person

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    media = tempfile.mkdtemp(prefix="ansinh-bench-statement-")
    settings.MEDIA_ROOT = media
    try:
        n, total = args.pending, args.credits + args.baseline
        if total > n:
            raise SystemExit("--pending must be at least --credits + --baseline")
        today = timezone.localdate()
        commune = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
        users = get_user_model().objects
        agent_user, manager = users.create_user("bench_agent", password="x"), users.create_user("bench_post")
        grant_role(agent_user, Role.AGENT, [commune])
        post = OrgUnit.objects.create(code="BUUDIEN", name="Bưu điện", kind=OrgKind.COLLECTOR)
        post.areas.set([commune])
        grant_role(manager, Role.COLLECTOR_MANAGER, [], [post])
        ReceiptPool.objects.create(collector=post, series="BL40-2025", last_number=99_999_999)
        Agent.objects.create(code="DL1", name="Đại lý 1", collector=post, user=agent_user, active_from=date(2022, 1, 1))
        scope = scope_for(agent_user)
        data = registry.PersonData(full_name="Lê Văn Bình", date_of_birth=date(1985, 3, 2), sex="male",
                                   area_id=commune.pk, citizen_id=None)
        person = registry.create_person(agent_user, scope, data)
        template = enrolling.enroll_vsi(agent_user, scope, enrolling.quote_vsi(scope, person.pk, today, 1_500_000, 1))
        print(f"database: PostgreSQL ({test_db}); copying {n - 1:,} pending terms…", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")  # whole-table copies: JIT compiles for seconds (docs/performance.md)
            # The copies reference rows that exist (the template's, and each other's by construction): their
            # deferred foreign-key checks, a million queued trigger events a table, are skipped for the copy.
            cursor.execute("SET session_replication_role = replica")
            fields = [f.column for f in Person._meta.concrete_fields if not f.primary_key]
            first_person = _clone(cursor, Person._meta.db_table, fields, {}, person.pk, n - 1)
            fields = [f.column for f in CalculationRecord._meta.concrete_fields if not f.primary_key]
            first_calc = _clone(cursor, CalculationRecord._meta.db_table, fields, {}, template.calculation_id, n - 1)
            fields = [f.column for f in Enrollment._meta.concrete_fields if not f.primary_key]
            first_term = _clone(cursor, Enrollment._meta.db_table, fields, {
                "person_id": f"{first_person} + g - 1", "calculation_id": f"{first_calc} + g - 1",
                "plan_id": "NULL", "idempotency_key": "NULL"}, template.pk, n - 1)
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE")
        print(f"  {time.perf_counter() - began:.0f} s", flush=True)
        payable = template.payable
        ids = list(range(first_term, first_term + n - 1))
        at = timezone.now() - timedelta(hours=1)

        def write(name: str, terms: list[int]) -> Path:
            path = Path(media) / name
            with path.open("w", newline="", encoding="utf-8") as out:
                rows = csv.writer(out)
                rows.writerow(["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi có", "Nội dung"])
                for i, term in enumerate(terms):
                    kind = i % 100
                    amount = (payable - 1000 if kind < 5 else payable + 1000 if kind < 10 else payable)
                    text = "CHUYEN TIEN" if 10 <= kind < 13 else f"NOP BHXH {reference_for(term)}"
                    rows.writerow([at.strftime("%d/%m/%Y %H:%M:%S"), f"{name}-{i}", f"{amount:,}".replace(",", "."),
                                   text])
            return path

        big, small = ids[:args.credits], ids[args.credits:total]
        already = [t for i, t in enumerate(big) if 13 <= i % 100 < 15]
        Enrollment.objects.filter(pk__in=already).update(status="paid")  # paid earlier (in cash, say)
        with connection.cursor() as cursor:  # the planner knows some terms are paid, as in a live database
            cursor.execute(f"ANALYZE {Enrollment._meta.db_table}")
        manager_scope = scope_for(manager)

        spent: dict[str, list[float]] = {}

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            """Each statement's duration, by its first words (the database's side, seen from here)."""
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                kind = " ".join(sql.split()[:6])[:90]
                spent.setdefault(kind, []).append(time.perf_counter() - began)

        def run(name: str, path: Path, chunk: int, count: int) -> float:
            started = statements.start_import(manager, manager_scope, post.pk, path)
            spent.clear()
            marks = [time.perf_counter()]

            def progress(done: int, total: int) -> None:
                if chunk:
                    marks.append(time.perf_counter())
                    print(f"  chunk to {done:,}: {marks[-1] - marks[-2]:.2f} s", flush=True)

            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
                cpu, wall = time.process_time(), time.perf_counter()
                done = statement_bulk.run_import(started.pk, manager, manager_scope, progress, chunk=chunk)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if chunk:
                slowest = sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:8]
                for kind, times in slowest:
                    print(f"    {sum(times):7.2f} s  {len(times):5d}×  {kind}")
            assert done.status == "done", done.error
            print(f"{name}: {count:,} credits in {wall:.1f} s = {count / wall:,.0f} credits/s wall, "
                  f"{cpu / count * 1000:.3f} ms CPU/credit, {len(ctx.captured_queries) / count:.2f} statements/credit; "
                  f"{dict(sorted(done.counts.items()))}", flush=True)
            return count / wall

        base = run("baseline (per credit, record_payment)", write("small.csv", small), 0, len(small))
        if args.profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            profiler.enable()
        fast = run("set-based (chunks of 5,000)", write("big.csv", big), statement_bulk.CHUNK, len(big))
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        paid = Payment.objects.filter(method="bank_transfer").count()
        print(f"checked: {paid:,} transfer payments, {StatementLine.objects.count():,} statement lines")
        met = "met" if fast >= 10_000 else "NOT met"
        print(f"set_based_credits_per_second={fast:,.0f} (target >= 10,000 at 100,000 × 1,000,000: {met})")
        print(f"set_based_vs_per_credit_ratio={fast / base:.1f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
