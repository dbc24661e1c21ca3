"""Benchmark: the province's what-if (reports/whatif.py, issue 18) over the synthetic province on PostgreSQL:
every paid term of the whole period priced twice by the vectorised rules, streamed from the database in
chunks; against the scalar rules (vsi.quote / household_hi.quote) on a sample, whose time per row is
extrapolated to all rows, and whose totals must equal the what-if's on the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench SECRET_KEY=bench \\
        .venv/bin/python bench/whatif.py [--people 340000] [--sample 20000] [--chunk 50000]

The whole months are read from the pre-aggregate (``reports.models.WhatIfCell``); ``--from-terms`` also
groups every term from scratch and checks the same figures. The synthetic province is generated on first
use (``--people``; 3,400,000 for Nghệ An's size, minutes to generate) and reused. The scenario:
NQ 07/2025/NQ-HĐND's near-poor top-up raised from 25 % to 40 %. Prints seconds, peak RSS, the rows, the
totals, then ``whatif_seconds=``, ``whatif_peak_rss_mb=`` and ``whatif_vs_scalar_ratio=``. Targets
(issue 18): the whole province ≤ 10 s, ≤ 1 GB.

``--everyone-joined --vsi-min-age N [--on YYYY-MM-DD]`` also prices the coverage-gap population of that day
as if everyone joined for 12 months (``reports.whatif_gap``, the page's second mode) and prints its seconds,
peak RSS and people per second (``everyone_joined_seconds=``, ``everyone_joined_people_per_s=``); the issue
sets no target for it.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")

SCENARIO = """description: Phương án — hỗ trợ thêm hộ cận nghèo 40%
unit: rate
values:
  2025-07-01:
    value: {poor: 0.30, near_poor: 0.40, other: 0.05}
    reference: {title: "Phương án sửa Nghị quyết 07/2025/NQ-HĐND (bench)"}
  2031-01-01:
    value: null
    reference: {title: "Nghị quyết 07/2025/NQ-HĐND tỉnh Nghệ An: hết thời gian áp dụng 31/12/2030"}
"""
START, END = date(2016, 1, 1), date(2030, 12, 31)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scalar_sample(limit: int) -> tuple[float, int, dict[str, int], list[int], list[int]]:
    """The scalar rules on the first ``limit`` VSI terms and ``limit`` card lines (by id): seconds of the
    pricing alone, the rows, the state and provincial sums, and the ids priced (for the what-if's own sums)."""
    from ansinh.areas.queries import province_codes
    from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
    from ansinh.rules import household_hi, vsi

    paid = Enrollment.objects.filter(status=EnrollmentStatus.PAID, quoted_on__gte=START, quoted_on__lte=END)
    terms = list(paid.filter(scheme=Scheme.VSI, method="regular").order_by("pk")[:limit]
                 .values_list("pk", "area_id", "quoted_on", "income", "months", "supported_months", "support_groups"))
    lines = list(HiCardLine.objects.filter(enrollment__in=paid.filter(scheme=Scheme.HOUSEHOLD_HI)).order_by("pk")
                 [:limit].values_list("pk", "enrollment__area_id", "enrollment__quoted_on", "rank",
                                      "enrollment__months", "group"))
    provinces = province_codes({t[1] for t in terms} | {line[1] for line in lines})
    sums = {"state": 0, "local": 0}
    began = time.perf_counter()
    for _pk, area, on, income, months, supported, groups in terms:
        used = 0 if supported >= months else 120 - supported
        q = vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=months, groups=frozenset(groups),
                                        supported_months_used=used, province=provinces[area]))
        sums["state"] += q.state_support
        sums["local"] += q.local_support
    for _pk, area, on, rank, months, group in lines:
        h = household_hi.quote(household_hi.HiQuoteInput(on=on, members=(household_hi.HiMember(group=group),),
                                                         months=months, already_joined=max(rank - 1, 0),
                                                         province=provinces[area]))
        sums["state"] += h.members[0].state_support
        sums["local"] += h.members[0].local_support
    seconds = time.perf_counter() - began
    return seconds, len(terms) + len(lines), sums, [t[0] for t in terms], [line[0] for line in lines]


def batch_sample(vsi_ids: list[int], hi_ids: list[int]) -> dict[str, int]:
    """The what-if's pricing (reports.whatif.price_vsi / price_hi) on the sample's rows."""
    import numpy as np
    from django.db import connection

    from ansinh.enrollment.models import Enrollment
    from ansinh.reports import whatif
    from ansinh.rules.params import default_parameters

    params = default_parameters()
    units = whatif._Units.read()
    sums = {"state": 0, "local": 0}
    month = whatif.by_month((params, params))
    for sql, table, ids in ((whatif._vsi_sql(month), Enrollment._meta.db_table, vsi_ids),
                            (whatif._hi_sql(month), "l", hi_ids)):
        if not ids:
            continue
        column = "id" if table != "l" else "l.id"
        with connection.cursor() as cursor:
            kind = "vsi" if table != "l" else "household_hi"
            only = sql.replace(" GROUP BY", f" AND {column} = ANY(%s) GROUP BY")
            cursor.execute(only, [kind, "paid", START, END, ids])
            rows = np.array(cursor.fetchall(), dtype=np.int64)
        _key, province = units.of(rows[:, 0])
        priced = (whatif.price_vsi(rows, province, (params, params), 120, month) if table != "l"
                  else whatif.price_hi(rows, province, (params, params), month))
        sums["state"] += int((priced.state[0] * rows[:, -1]).sum())
        sums["local"] += int((priced.local[0] * rows[:, -1]).sum())
    return sums


def everyone_joined(on: date, scenario: object, vsi_min_age: int) -> None:
    from ansinh.reports import whatif_gap

    print(f"load average {os.getloadavg()[0]:.2f} before the everyone-joined run")
    began, cpu = time.perf_counter(), time.process_time()
    found = whatif_gap.everyone_joined(on, scenario, vsi_min_age=vsi_min_age)  # type: ignore[arg-type]
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    total = found.total()
    print(f"everyone joined on {on:%d/%m/%Y}: {total.people:,} rows (VSI from {vsi_min_age} + household HI) in "
          f"{seconds:.2f} s wall, {cpu_seconds:.2f} s python CPU, peak RSS {peak_rss_mb():.0f} MB; NSNN "
          f"{total.state_before:,} → {total.state_after:,}; NSĐP {total.local_before:,} → {total.local_after:,}; "
          f"participants {total.payable_before:,} → {total.payable_after:,}; {total.refused:,} refused")
    print(f"everyone_joined_seconds={seconds:.2f}")
    print(f"everyone_joined_people_per_s={total.people / seconds:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=340_000, help="size of the synthetic province (first run)")
    parser.add_argument("--sample", type=int, default=20_000, help="rows of each kind through the scalar rules")
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--from-terms", action="store_true",
                        help="also group every term from scratch (no pre-aggregate) and check the same figures")
    parser.add_argument("--everyone-joined", action="store_true",
                        help="also price the day's coverage gap as if everyone joined (needs --vsi-min-age)")
    parser.add_argument("--vsi-min-age", type=int, help="minimum VSI age, as the law in force states it")
    parser.add_argument("--on", type=date.fromisoformat, default=date(2025, 12, 31), help="the gap's day")
    args = parser.parse_args()
    if args.everyone_joined and args.vsi_min_age is None:
        parser.error("--everyone-joined needs --vsi-min-age (no parameter file states the age)")
    django.setup()
    from ansinh.reports import whatif
    from ansinh.rules.params import default_parameters, overlaid
    from common import synthetic_province

    synthetic_province(args.people)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "local_support").mkdir()
        (Path(tmp) / "local_support" / "40.yaml").write_text(SCENARIO, encoding="utf-8")
        scenario = overlaid(default_parameters(), Path(tmp))
    rss_before = peak_rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    found = whatif.what_if(START, END, scenario, chunk=args.chunk)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    total = found.total()
    rows = total.people
    print(f"what-if {START:%d/%m/%Y}–{END:%d/%m/%Y}: {rows:,} rows (VSI terms + HI card lines) in "
          f"{len(found.rows):,} unit × year rows, {seconds:.2f} s wall, {cpu_seconds:.2f} s python CPU, "
          f"chunk {args.chunk:,}")
    print(f"peak RSS {peak_rss_mb():.0f} MB (before the run {rss_before:.0f} MB; target ≤ 1024 MB)")
    print(f"NSNN {total.state_before:,} → {total.state_after:,}; NSĐP {total.local_before:,} → {total.local_after:,} "
          f"(+{total.local_change:,}); {total.affected:,} rows changed, {total.refused:,} refused, "
          f"{found.not_priced:,} advance/catch-up terms not priced")

    if args.from_terms:
        began = time.perf_counter()
        scratch = whatif.what_if(START, END, scenario, chunk=args.chunk, cells=False)
        print(f"from the terms (no pre-aggregate): {time.perf_counter() - began:.2f} s wall; same figures: "
              f"{scratch.as_dict() == found.as_dict()}")
        if scratch.as_dict() != found.as_dict():
            raise SystemExit("MISMATCH: the pre-aggregate's what-if differs from the terms'")
    if args.everyone_joined:
        everyone_joined(args.on, scenario, args.vsi_min_age)
    scalar_seconds, sampled, scalar_sums, vsi_ids, hi_ids = scalar_sample(args.sample)
    batch_sums = batch_sample(vsi_ids, hi_ids)
    if scalar_sums != batch_sums:
        raise SystemExit(f"MISMATCH on the sample: scalar {scalar_sums} != what-if {batch_sums}")
    print(f"sample: {sampled:,} rows through the scalar rules in {scalar_seconds:.2f} s; same totals as the "
          f"what-if's pricing ({scalar_sums})")
    if not sampled:
        print("no scalar sample (--sample 0): no ratio")
        return
    extrapolated = 2 * scalar_seconds * rows / sampled  # both sides, as the what-if prices them
    print(f"scalar rules for both sides of all {rows:,} rows, extrapolated: {extrapolated:.1f} s (pricing only, "
          "no database read)")
    print(f"whatif_seconds={seconds:.2f}")
    print(f"whatif_peak_rss_mb={peak_rss_mb():.0f}")
    print(f"whatif_vs_scalar_ratio={extrapolated / seconds:.1f}")


if __name__ == "__main__":
    main()
