"""Benchmark: `ansinh import people` (bulk, fully validated) against the plain one-object-at-a-time
path (the registry services called per row, as a form would), on PostgreSQL, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=bench \
        .venv/bin/python bench/import_people.py [--rows 100000] [--loop-rows 3000]

It creates a throw-away test database (migrated, with the shipped Nghệ An map), generates
households of 1–6 members across Nghệ An's 130 communes with valid citizen IDs, and prints rows/s
for both paths, the peak memory (max RSS) the bulk import added, and, last,
``bulk_vs_loop_ratio=<number>``. Targets (issue 14): >= 10,000 rows/s, <= 300 MB for 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import logging
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Tâm"]
HEADER = ["Chủ hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Quan hệ với chủ hộ", "Điện thoại",
          "Mã xã", "Địa chỉ"]


def generate(path: Path, rows: int, communes: list[str], start_serial: int, seed: int = 20220508) -> int:
    """Write ``rows`` rows (whole households); returns the next unused citizen-ID serial."""
    rng = random.Random(seed + start_serial)
    serial = start_serial
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        written, previous_head = 0, ""
        while written < rows:
            commune = rng.choice(communes)
            size = min(rng.randint(1, 6), rows - written)
            head = previous_head
            while head == previous_head:  # two adjacent households with one head name would read as one
                head = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            previous_head = head
            for i in range(size):
                sex = rng.choice(["Nam", "Nữ"])
                name = head if i == 0 else f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
                century = (born.year // 100 - 19) * 2 + (1 if sex == "Nữ" else 0)
                province = ("040", "042", "038", "001")[serial // 1_000_000]  # six digits of serial per province
                cid = f"{province}{century}{born.year % 100:02d}{serial % 1_000_000:06d}" if rng.random() < 0.9 else ""
                serial += 1
                relation = "Chủ hộ" if i == 0 else rng.choice(["Vợ", "Con", "Con", "Bố", "Mẹ", "Cháu"])
                phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.5 else ""
                out.writerow([head, name, born.strftime("%d/%m/%Y"), sex, cid, relation, phone, commune,
                              f"Xóm {rng.randint(1, 20)}"])
                written += 1
    return serial


def _peak_rss_kib() -> int:
    """The process's peak resident memory (VmHWM), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _backend_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one PostgreSQL backend (the server runs on this machine), from
    /proc/<pid>/stat; 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reset_peak_rss() -> int:
    """Reset the peak to the current resident memory (Linux: clear_refs 5) and return it, in KiB, so
    the peak after a step is what that step added."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _peak_rss_kib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--loop-rows", type=int, default=3_000)
    parser.add_argument("--previous-rows", type=int, default=0,
                        help="also import this many rows by the previous bulk path (all rows held in memory, "
                             "registry.imports._import_in_memory), first, into the same database")
    parser.add_argument("--rebuild-above", type=int, default=None,
                        help="registry.staging.REBUILD_ABOVE for this run: secondary indexes dropped and rebuilt "
                             "above this many new rows (0: always; a huge number: never)")
    args = parser.parse_args()
    django.setup()
    logging.basicConfig(format="  %(message)s s")
    logging.getLogger("ansinh.registry.staging").setLevel(logging.DEBUG)  # each step's time

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import setup_test_environment

    from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
    from ansinh.org.models import Role
    from ansinh.org.scope import scope_for
    from ansinh.org.services import grant_role
    from ansinh.registry import bulk, services, staging
    from ansinh.registry.imports import ImportReport, _import_in_memory, _validate_row, import_people, read_rows
    from ansinh.registry.models import Person, Relationship

    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        on = date(2025, 8, 1)
        admin = get_user_model().objects.create_user("bench_admin", password="x")
        grant_role(admin, Role.PROVINCE_ADMIN, [AdministrativeUnit.objects.get(code="40")])
        scope = scope_for(admin)
        communes = list(AdministrativeUnit.objects.filter(scope.areas_q("pk"), level__in=COMMUNE_LEVELS,
                                                          valid_to__isnull=True).values_list("code", flat=True))
        with tempfile.TemporaryDirectory() as tmp:
            bulk_file, loop_file = Path(tmp) / "bulk.csv", Path(tmp) / "loop.csv"
            previous_file = Path(tmp) / "previous.csv"
            next_serial = generate(bulk_file, args.rows, communes, 0)
            next_serial = generate(loop_file, args.loop_rows, communes, next_serial)
            generate(previous_file, args.previous_rows, communes, next_serial)
            print(f"database: PostgreSQL ({test_db}); rows: {args.rows:,} bulk, {args.loop_rows:,} loop, "
                  f"{args.previous_rows:,} previous bulk path")
            previous_rate = None
            if args.previous_rows:
                rss_before = _reset_peak_rss()
                start = time.perf_counter()
                held = ImportReport()
                _import_in_memory(read_rows(previous_file), admin, scope, on, False, False, None, held)
                bulk.analyze((Person,))
                previous_seconds = time.perf_counter() - start
                previous_rate = args.previous_rows / previous_seconds
                previous_mb = (_peak_rss_kib() - rss_before) / 1024
                assert held.written and not held.problems, held.problems[:3]
                print(f"previous bulk path (rows in memory, COPY per table): {previous_seconds:.1f} s, "
                      f"{previous_rate:,.0f} rows/s, peak memory added {previous_mb:,.0f} MB")

            if args.rebuild_above is not None:
                staging.REBUILD_ABOVE = args.rebuild_above
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            rss_before = _reset_peak_rss()
            start, cpu_start, server_start = time.perf_counter(), time.process_time(), _backend_cpu_seconds(backend)
            report = import_people(bulk_file, admin, scope, on)
            bulk_seconds = time.perf_counter() - start
            python_cpu = time.process_time() - cpu_start
            server_cpu = _backend_cpu_seconds(backend) - server_start
            peak_mb = (_peak_rss_kib() - rss_before) / 1024
            if report.problems:
                raise SystemExit(f"bulk import refused rows: {report.problems[:3]}")
            bulk_rate = args.rows / bulk_seconds
            print(f"bulk import: {bulk_seconds:.1f} s, {bulk_rate:,.0f} rows/s "
                  f"({report.people_created:,} people, {report.households_created:,} households, "
                  f"{report.memberships_created:,} memberships; target >= 10,000)")
            print(f"CPU: python {python_cpu:.1f} s, postgres backend {server_cpu:.1f} s, together "
                  f"{python_cpu + server_cpu:.1f} s = {args.rows / (python_cpu + server_cpu):,.0f} rows per CPU second")
            print(f"process peak RSS (VmHWM) after it: {_peak_rss_kib() / 1024:,.0f} MB")
            print(f"bulk import peak memory added: {peak_mb:,.0f} MB "
                  f"({peak_mb * 1024 * 1024 / args.rows:,.0f} bytes/row; target <= 300 MB for 1,000,000 rows)")

            raw = read_rows(loop_file)
            communes_by_code = dict(AdministrativeUnit.objects.filter(level__in=COMMUNE_LEVELS, valid_to__isnull=True)
                                    .values_list("code", "pk"))
            start = time.perf_counter()
            household_of: dict[tuple[int, str], int] = {}
            for number, cells in enumerate(raw, start=2):
                row = _validate_row(number, cells, communes_by_code, on)
                assert not isinstance(row, Exception) and hasattr(row, "full_name"), row
                data = services.PersonData(full_name=row.full_name, date_of_birth=row.date_of_birth, sex=row.sex,
                                           area_id=row.area_id, citizen_id=row.citizen_id, phone=row.phone,
                                           address_detail=row.address)
                key = (row.area_id, row.head)
                if row.relationship == Relationship.HEAD:
                    household_of[key] = services.create_household(admin, scope, data, on,
                                                                  confirm_probable_duplicate=True).pk
                else:
                    services.add_member(admin, scope, household_of[key], row.relationship, on, new_person=data,
                                        confirm_probable_duplicate=True)
            loop_seconds = time.perf_counter() - start
            loop_rate = args.loop_rows / loop_seconds if args.loop_rows else 0.0
            print(f"one-object-at-a-time loop (registry services per row): {loop_seconds:.1f} s, "
                  f"{loop_rate:,.0f} rows/s")
            print(f"people in database: {Person.objects.count():,}")
            print(f"bulk_rows_per_s={bulk_rate:.0f}")
            print(f"bulk_peak_mb={peak_mb:.0f}")
            print(f"loop_rows_per_s={loop_rate:.0f}")
            print(f"bulk_cpu_s={python_cpu + server_cpu:.1f}")
            if loop_rate:
                print(f"bulk_vs_loop_ratio={bulk_rate / loop_rate:.1f}")
            if previous_rate:
                print(f"bulk_vs_previous_bulk_ratio={bulk_rate / previous_rate:.2f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
