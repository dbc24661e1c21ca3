"""What the benchmarks share: the median of timed runs after a warm-up, and the synthetic province
(`ansinh demo synth`) in the PostgreSQL database named by DATABASE_URL, generated once and reused."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def median_ms(action: Callable[[], Any], runs: int) -> float:
    """Milliseconds, the median of ``runs`` timed runs after one warm-up (plans and caches, as for a
    page read twice)."""
    action()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def median_cpu_ms(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Milliseconds of wall time and of this process's CPU time (``time.process_time``: the server's
    Python, not the database's work nor the wait for a busy machine's cores), each the median of
    ``runs`` timed runs after one warm-up."""
    action()
    walls, cpus = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        action()
        cpus.append((time.process_time() - began_cpu) * 1000)
        walls.append((time.perf_counter() - began) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def synthetic_province(people: int) -> None:
    """Migrate the database and, when it holds no synthetic province yet, generate one of ``people``
    people (minutes on PostgreSQL). Django must be set up."""
    from django.core.management import call_command
    from django.db import connection

    from ansinh.demo.synth import synthesize
    from ansinh.registry.models import Household

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database>")
    call_command("migrate", verbosity=0)
    if not Household.objects.filter(code__startswith="SYN-").exists():
        print(f"generating a synthetic province of {people:,} people (ansinh demo synth)…", flush=True)
        began = time.perf_counter()
        made = synthesize(people, progress=lambda n: None)
        print(f"  {made} in {time.perf_counter() - began:.0f} s", flush=True)
