"""Benchmark: the payment path (issue 14), on PostgreSQL, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \
        .venv/bin/python bench/payments.py [--payments 300]

It creates a throw-away test database (migrated, with the shipped Nghệ An map), a collector with a
receipt pool, an agent, a campaign running today over the agent's commune (so every payment is also
attributed), and 3 × N pending voluntary-SI terms. Then, one after the other, on this process:

- **baseline**: a bare ``Payment.objects.create`` of N rows (no checks, no receipt, no listeners);
- **service**: ``payments.services.record_payment`` for N terms (locks, recheck, facts, attribution, receipt);
- **API**: ``POST /api/payments`` through Django's test client for N terms (session, scope, JSON, the service).

For each it prints the SQL statements per payment, the CPU of this process per payment
(``time.process_time``: Python and the driver, not the database server's), payments/s per core
(1 ÷ CPU per payment) and the wall time; last ``service_vs_bare_insert_ratio`` (CPU per payment of
the service ÷ the bare insert's). Targets (issue 14): <= 8 statements and <= 10 ms of CPU per payment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

COMMUNE = "16681"  # Phường Thành Vinh
NAMES = ["Lê Văn Bình", "Trần Văn Dũng", "Phạm Văn Hùng", "Hoàng Văn Nam", "Nguyễn Văn Sơn", "Đỗ Văn Long"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one service payment")
    parser.add_argument("--profile", action="store_true", help="cProfile the service path (top 30)")
    parser.add_argument("--sort", default="tottime", help="the profile's order: tottime (own time) or cumulative")
    args = parser.parse_args()
    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from ansinh.areas.models import AdministrativeUnit
    from ansinh.campaigns.models import (
        AdvisoryTeam,
        Attribution,
        Campaign,
        CampaignStatus,
        EventSite,
        LaunchEvent,
        TeamMember,
    )
    from ansinh.enrollment import services as enrolling
    from ansinh.enrollment.models import Enrollment
    from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
    from ansinh.org.scope import scope_for
    from ansinh.org.services import grant_role
    from ansinh.payments import services as paying
    from ansinh.payments.models import Payment, ReceiptPool
    from ansinh.registry import services as registry

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        n = args.payments
        today = timezone.localdate()
        commune = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
        user = get_user_model().objects.create_user("bench_agent", password="x")
        grant_role(user, Role.AGENT, [commune])
        post = OrgUnit.objects.create(code="BUUDIEN", name="Bưu điện", kind=OrgKind.COLLECTOR)
        post.areas.set([commune])
        ReceiptPool.objects.create(collector=post, series="BL40-2025", last_number=9_999_999)
        agent = Agent.objects.create(code="DL1", name="Đại lý 1", collector=post, user=user,
                                     active_from=date(2022, 1, 1))
        campaign = Campaign.objects.create(slug="bench", name="Tháng vận động", starts_on=today - timedelta(days=2),
                                           ends_on=today + timedelta(days=28), status=CampaignStatus.ACTIVE,
                                           ranking_rule="absolute")
        campaign.areas.set([commune])
        event = LaunchEvent.objects.create(campaign=campaign, name="Lễ ra quân", starts_at=timezone.now())
        site = EventSite.objects.create(event=event, area=commune, venue="Điểm cầu", ready_at=timezone.now())
        TeamMember.objects.create(team=AdvisoryTeam.objects.create(campaign=campaign, name="Tổ 1", site=site),
                                  user=user, kind="agent")
        scope = scope_for(user)
        print(f"database: PostgreSQL ({test_db}); {n:,} payments per path; setting up {3 * n:,} pending terms…",
              flush=True)
        pending: list[Enrollment] = []
        for i in range(3 * n):
            data = registry.PersonData(full_name=f"{NAMES[i % len(NAMES)]} {i}", date_of_birth=date(1985, 3, 2),
                                       sex="male", area_id=commune.pk, citizen_id=f"040085{i:06d}")
            household = registry.create_household(user, scope, data, today, confirm_probable_duplicate=True)
            offer = enrolling.quote_vsi(scope, household.head_id, today, 1_500_000, 1)  # type: ignore[arg-type]
            pending.append(enrolling.enroll_vsi(user, scope, offer))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        bare, service, api = pending[:n], pending[n:2 * n], pending[2 * n:]

        def measure(name: str, work: Callable[[Enrollment, int], object], terms: list[Enrollment]) -> float:
            work(terms[0], 0)  # warm-up (connection, caches, compiled SQL)
            with CaptureQueriesContext(connection) as ctx:
                cpu, wall = time.process_time(), time.perf_counter()
                for i, term in enumerate(terms[1:], start=1):
                    work(term, i)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if args.show_sql:
                per_payment = len(ctx.captured_queries) // (len(terms) - 1)
                for query in ctx.captured_queries[:per_payment]:
                    print("   ", query["sql"][:160].replace("\n", " "))
            count = len(terms) - 1
            per = cpu / count
            print(f"{name}: {len(ctx.captured_queries) / count:.1f} statements/payment, "
                  f"{per * 1000:.2f} ms CPU/payment, "
                  f"{1 / per:,.0f} payments/s per core, {count / wall:,.0f} payments/s wall", flush=True)
            return per

        def bare_insert(term: Enrollment, i: int) -> None:
            Payment.objects.create(enrollment=term, amount=term.payable, method="cash", agent=agent, collector=post,
                                   recorded_by=user, paid_at=timezone.now(), idempotency_key=f"bare-{i}")

        def through_service(term: Enrollment, i: int) -> None:
            paying.record_payment(user, scope, term.pk, amount=term.payable, method="cash",
                                  idempotency_key=f"service-{i}")

        client = Client()
        client.force_login(user)

        def through_api(term: Enrollment, i: int) -> None:
            response = client.post("/api/payments", json.dumps({"enrollment_id": term.pk, "amount": term.payable}),
                                   content_type="application/json", headers={"Idempotency-Key": f"api-{i}"})
            if response.status_code != 201:
                raise SystemExit(f"API refused a payment: {response.status_code} {response.content[:300]!r}")

        base = measure("baseline (bare Payment insert)", bare_insert, bare)
        if args.profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            profiler.enable()
        per_service = measure("service (record_payment)", through_service, service)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)
        per_api = measure("API (POST /api/payments, test client)", through_api, api)
        linked = Attribution.objects.filter(campaign=campaign).count()
        print(f"checked: {linked:,} attributions for {2 * n:,} recorded payments")
        met = "met" if per_service <= 0.010 else "NOT met"
        print(f"service_ms_per_payment={per_service * 1000:.2f} (target <= 10: {met})")
        print(f"api_ms_per_payment={per_api * 1000:.2f}")
        print(f"service_vs_bare_insert_ratio={per_service / base:.1f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
