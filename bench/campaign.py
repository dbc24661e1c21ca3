"""Benchmark: the campaign workspace ``/chien-dich/<slug>/`` and the projector board's data
``…/ra-quan/so-lieu/`` on the seed demo (issue 14), on PostgreSQL, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \
        .venv/bin/python bench/campaign.py [--runs 7] [--show-sql]

It creates a throw-away test database (migrated, with the shipped Nghệ An map), loads the demo
(`load_demo`: the seed campaign of May 2022 — 21 sites, 474 teams, 1,606 sessions, 3,544 paid
participants), runs ANALYZE as the demo load's callers do, and logs in as the demo's province
administrator. Then, through Django's test client (the server's whole time: session, scope, the
view, the template), median of ``--runs`` after a warm-up:

- **baseline**: ``GET /healthz`` (the middleware and the test client, no page work);
- **cold**: each page right after ``cache.clear()`` (the shared figures counted again: the first
  request of a poll interval, or after a write forgot them);
- **warm**: each page again within the poll interval (the figures from the cache).

It prints, per page and state, the wall milliseconds, the CPU milliseconds of this process (the
server's Python; the database's own work is in the wall time), the SQL queries and the ratio to the baseline.
Then the workspace's shared figures alone (what a cold page counts: ``queries.workspace_figures``
after ``cache.clear()``) against the same figures counted as before the rework
(``bench/campaign_before.py``, main @ 1317ab3), both checked equal first, with ``before_vs_now_ratio``.
Targets (issue 14): <= 300 ms and <= 20 queries, cold and warm.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django

from common import median_cpu_ms, median_ms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

PAGES = {"workspace": "/chien-dich/{slug}/", "board data": "/chien-dich/{slug}/ra-quan/so-lieu/"}


def shared_figures(runs: int) -> None:
    """The workspace's shared figures counted now and as before, checked equal, then timed."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    import campaign_before
    from ansinh.campaigns import queries
    from ansinh.demo.seed_campaign import SLUG

    today = timezone.localdate()

    def now() -> dict[str, Any]:
        cache.clear()
        return queries.workspace_figures(queries.campaign(SLUG), today)

    def before() -> dict[str, Any]:
        return campaign_before.shared_figures(queries.campaign(SLUG), today)

    new, old = now(), before()
    assert new["totals"] == old["totals"], (new["totals"], old["totals"])
    assert new["funnel"] == old["funnel"], (new["funnel"], old["funnel"])
    assert [{k: v for k, v in r.items() if k != "new_participants"} for r in new["sites"]] == old["sites"]
    assert [(r.site.pk, r.new_participants) for r in new["ranking"]] == [(s.pk, n) for s, n in old["ranking"]]
    assert [(r["agent"].pk, r["new_participants"]) for r in new["agents"]] == [(a.pk, n) for a, n in old["agents"]]
    assert new["area_ids"] == old["areas"] and new["organiser_ids"] == old["organisers"]
    counts = []
    for read in (before, now):
        with CaptureQueriesContext(connection) as captured:
            read()
        counts.append(len(captured))
    slow, fast = median_ms(before, runs), median_ms(now, runs)
    print(f"shared figures (cold), equal on both sides: before {slow:.1f} ms in {counts[0]} queries, "
          f"now {fast:.1f} ms in {counts[1]} queries · before_vs_now_ratio={slow / fast:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--show-sql", action="store_true", help="print the statements of each cold page")
    parser.add_argument("--in-place", action="store_true",
                        help="use the DATABASE_URL database itself (migrated, the demo loaded if missing) "
                             "instead of a throw-away test database")
    args = parser.parse_args()
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from ansinh.demo.seed_campaign import SLUG
    from ansinh.demo.services import load_demo

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    setup_test_environment()
    if args.in_place:
        call_command("migrate", verbosity=0)
    else:
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        began = time.perf_counter()
        load_demo()  # idempotent: in place, a second run finds it loaded
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"demo loaded and analysed in {time.perf_counter() - began:.1f} s", flush=True)
        client = Client()
        client.force_login(get_user_model().objects.get(username="admin"))

        def get(url: str, cold: bool) -> None:
            if cold:
                cache.clear()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def queries(url: str, cold: bool) -> int:
            get(url, cold=False)  # the session's first read is not the page's
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            if args.show_sql and cold:
                print(f"-- {url} (cold)\n" + "\n".join(q["sql"] for q in captured.captured_queries))
            return len(captured)

        load = os.getloadavg()
        baseline = median_ms(lambda: get("/healthz", cold=False), args.runs)
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} · {subprocess.getoutput('nproc')} cores "
              f"· median of {args.runs}")
        print(f"{'page':<12} {'state':<5} {'ms':>9} {'cpu ms':>8} {'queries':>8} {'vs /healthz':>12}")
        print(f"{'/healthz':<12} {'':<5} {baseline:>9.1f} {'':>8} {queries('/healthz', False):>8} {1.0:>11.1f}×")
        for name, path in PAGES.items():
            url = path.format(slug=SLUG)
            for state, cold in (("cold", True), ("warm", False)):
                ms, cpu = median_cpu_ms(lambda url=url, cold=cold: get(url, cold), args.runs)  # type: ignore[misc]
                print(f"{name:<12} {state:<5} {ms:>9.1f} {cpu:>8.1f} {queries(url, cold):>8} "
                      f"{ms / baseline:>11.1f}×", flush=True)
        shared_figures(args.runs)
        print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if not args.in_place:
            connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
