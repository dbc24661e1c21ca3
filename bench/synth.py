"""Benchmark: `ansinh demo synth` (the PostgreSQL path, demo/synth_sql.py) into a fresh test database,
with this transaction's settings (synth_sql.SETTINGS: JIT off, work_mem) or, with ``--server-defaults``,
only maintenance_work_mem as before issue 14's last round.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \\
        .venv/bin/python bench/synth.py [--people 68000] [--server-defaults]

Prints the wall time, the CPU seconds of python and of the postgres backend (the server runs on this
machine: /proc/<pid>/stat) and each statement's time (synth_sql logs them), then ``synth_seconds=``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=68_000)
    parser.add_argument("--server-defaults", action="store_true",
                        help="JIT and work_mem as the server sets them (the settings before this bench)")
    parser.add_argument("--quiet", action="store_true", help="not each statement's time")
    args = parser.parse_args()
    django.setup()
    logging.basicConfig(format="  %(message)s")
    if not args.quiet:
        logging.getLogger("ansinh.demo.synth_sql").setLevel(logging.INFO)

    from django.db import connection
    from django.test.utils import setup_test_environment

    from ansinh.demo import synth_sql
    from ansinh.demo.synth import synthesize
    from ansinh.registry import bulk
    from import_people import _backend_cpu_seconds

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    if args.server_defaults:
        synth_sql.SETTINGS = ("SET LOCAL maintenance_work_mem = '256MB'",)
        bulk.JIT = True  # the facts refresh too
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        start, cpu_start, server_start = time.perf_counter(), time.process_time(), _backend_cpu_seconds(backend)
        made = synthesize(args.people, progress=lambda n: None)
        seconds = time.perf_counter() - start
        python_cpu, server_cpu = time.process_time() - cpu_start, _backend_cpu_seconds(backend) - server_start
        print(f"settings: {'; '.join(synth_sql.SETTINGS)}")
        print(f"synth {args.people:,} people: {made.households:,} households, {made.payments:,} payments, "
              f"{made.facts:,} facts in {seconds:.1f} s; CPU python {python_cpu:.1f} s, "
              f"postgres backend {server_cpu:.1f} s")
        print(f"synth_seconds={seconds:.1f}")
        print(f"synth_cpu_s={python_cpu + server_cpu:.1f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
