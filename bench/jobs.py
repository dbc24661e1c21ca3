"""The job queue's throughput on one worker: jobs that do nothing enqueued, then claimed and run by the worker's
loop (ansinh.jobs.worker.drain: claim in an exclusive transaction, lease, heartbeat thread, result), as
jobs per second, beside the baseline of enqueueing them (one insert each), measured in the same run.

    DATABASE_URL=... python bench/jobs.py [N]     (default: a fresh SQLite file under /tmp)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def noop() -> None:
    return None


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench-jobs.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django_tasks import task

    from ansinh.jobs import worker

    noop = globals()["noop"] = task()(globals()["noop"])  # the worker imports it by its path, __main__.noop
    call_command("migrate", verbosity=0)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    began = time.perf_counter()
    for _ in range(N):
        noop.enqueue()
    enqueue_s = time.perf_counter() - began
    began = time.perf_counter()
    ran = worker.drain("bench", limit=N)
    run_s = time.perf_counter() - began
    assert ran == N, ran
    print(f"{N} jobs on {django.db.connection.vendor}: enqueue {N / enqueue_s:,.0f}/s, "
          f"worker {N / run_s:,.0f}/s, ratio worker/enqueue {enqueue_s / run_s:.2f}  ({load})")


if __name__ == "__main__":
    main()
