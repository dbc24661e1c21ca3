"""Benchmark: the due list ``/viec-can-lam/`` of an agent with 5,000 items due (issue 14), on
PostgreSQL, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \
        .venv/bin/python bench/due_list.py [--items 5000] [--runs 5]

It creates a throw-away test database (migrated, with the shipped Nghệ An map) and an agent of one
commune with ``--items`` active voluntary-SI plans whose first month is due (bulk-created). It then
times, median of ``--runs`` after a warm-up:

- **paged**: ``GET /viec-can-lam/`` through Django's test client (one page of 50 items, the pager);
- **baseline**: the page as it was before paging, every item rendered on one page
  (``enrollment.queries.due_list`` and the same template given the whole list);
- **whole list, then a page**: the paged page as it was before ``DueList`` (every item built and
  quoted by ``due_list``, then ``Paginator`` takes 50), the path this change replaced;
- **list only**: ``due_list`` alone (every item built and quoted: the XLSX download's path).

The paged page sorts plain values and builds only its 50 items (``enrollment.queries.DueList``).
It prints the medians in ms, ``unpaged_vs_paged_ratio`` and ``whole_then_page_vs_paged_ratio``.
Target (issue 14): paged <= 300 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

import django

from common import median_ms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

COMMUNE = "16681"  # Phường Thành Vinh



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from ansinh.areas.models import AdministrativeUnit
    from ansinh.enrollment.models import VsiPlan
    from ansinh.enrollment.queries import due_list
    from ansinh.lib.text import fold
    from ansinh.org.models import Role
    from ansinh.org.scope import scope_for
    from ansinh.org.services import grant_role
    from ansinh.registry.models import Person
    from ansinh.web.field_views import DUE_PAGE_SIZE

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        today = timezone.localdate()
        commune = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
        user = get_user_model().objects.create_user("bench_agent", password="x")
        grant_role(user, Role.AGENT, [commune])
        names = [f"Nguyễn Văn Nam {i}" for i in range(args.items)]
        people = Person.objects.bulk_create(
            [Person(full_name=name, folded_name=fold(name), date_of_birth=date(1985, 3, 2), sex="male",
                    area=commune) for name in names], batch_size=1000)
        first = today.replace(day=1)
        VsiPlan.objects.bulk_create([VsiPlan(person=p, income=1_500_000, term_months=1, start_month=first)
                                     for p in people], batch_size=1000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        scope = scope_for(user)
        count = len(due_list(scope, today))
        print(f"database: PostgreSQL ({test_db}); {count:,} items due for one agent", flush=True)
        if count < args.items:
            raise SystemExit(f"expected {args.items:,} items due, got {count:,}")

        client = Client()
        client.force_login(user)
        request = RequestFactory().get("/viec-can-lam/")
        request.user = user

        def paged() -> None:
            response = client.get("/viec-can-lam/")
            assert response.status_code == 200 and "Sau →" in response.content.decode()

        def unpaged() -> None:
            items = due_list(scope_for(user), timezone.localdate())
            render_to_string("web/due.html", {"items": items, "days": 30, "error": ""}, request=request)

        def whole_then_page() -> None:
            items = due_list(scope_for(user), timezone.localdate())
            page = Paginator(items, DUE_PAGE_SIZE).get_page(1)
            render_to_string("web/due.html", {"items": page.object_list, "page": page, "days": 30, "error": ""},
                             request=request)

        def list_only() -> None:
            due_list(scope, timezone.localdate())

        paged_ms = median_ms(paged, args.runs)
        unpaged_ms = median_ms(unpaged, args.runs)
        whole_ms = median_ms(whole_then_page, args.runs)
        list_ms = median_ms(list_only, args.runs)
        met = "met" if paged_ms <= 300 else "NOT met"
        print(f"paged_ms={paged_ms:.0f} (GET /viec-can-lam/, 50 per page; target <= 300: {met})")
        print(f"unpaged_ms={unpaged_ms:.0f} (every item on one page, as before)")
        print(f"whole_then_page_ms={whole_ms:.0f} (due_list, then Paginator: the paged page before DueList)")
        print(f"due_list_only_ms={list_ms:.0f} (every item built and quoted: the XLSX path)")
        print(f"unpaged_vs_paged_ratio={unpaged_ms / paged_ms:.1f}")
        print(f"whole_then_page_vs_paged_ratio={whole_ms / paged_ms:.1f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
