"""Benchmark: the vectorised rules (ansinh.rules.batch) against the scalar rules in a loop, and
against the same two formulas in OpenFisca, on the same rows, checking that all give the same đồng.

    .venv/bin/python bench/rules_batch.py [--rows 1000000] [--scalar-rows N] [--no-openfisca]

Rows: regular VSI quotes across 2025 (both sides of 01/07/2025, mostly in Nghệ An, whose top-up
NQ 07/2025/NQ-HĐND starts that day; some in a province with no top-up file) and household-HI member rows
across 2024–2026 (both sides of two base-salary changes; some members of poor and near-poor
households). Prints each time and, last,
``vectorized_vs_scalar_ratio=<number>``. Targets (issue #2): ratio >= 50; both batches together
under 1 s. ``--scalar-rows`` times the scalar loop on the first N rows of each kind and scales the
time to all rows (said so in the output); by default every row goes through the loop.
OpenFisca (AGPL) runs in its own virtualenv, bench/.peers-venv, made here on first use.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ansinh.rules import batch, household_hi, vsi

ROOT = Path(__file__).resolve().parent
PEER = ROOT / "peers" / "openfisca"
PEER_VENV = ROOT / ".peers-venv"


def make_rows(n: int, seed: int = 20220508) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    vsi_on = np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    hi_on = np.datetime64("2024-01-01") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    return {
        "vsi_on": vsi_on,
        "vsi_income": 1_500_000 + 50_000 * rng.integers(0, 907, n),  # floor .. 46,800,000 ceiling
        "vsi_months": rng.choice(np.array([1, 3, 6, 12]), n),
        "vsi_groups": rng.integers(0, batch.MASKS, n),
        "vsi_used": rng.integers(0, 131, n),
        "vsi_province": rng.choice(np.array([40, 40, 40, 0, 1]), n),  # mostly Nghệ An (its top-up from 07/2025)
        "hi_on": hi_on,
        "hi_rank": rng.integers(1, 8, n),
        "hi_months": rng.choice(np.array([3, 6, 12]), n),
        "hi_group": rng.choice(np.array([0, 0, 0, 0, 0, 0, 1, 2, 2, 3]), n),  # household, poor, near-poor, 100%
        "hi_province": rng.choice(np.array([40, 40, 0, 1]), n),  # Nghệ An's HI top-up: unpublished from 2026
    }


def vectorized(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    v = batch.vsi_regular(rows["vsi_on"], rows["vsi_income"], rows["vsi_months"], rows["vsi_groups"], rows["vsi_used"],
                          province=rows["vsi_province"])
    h = batch.household_hi_members(rows["hi_on"], rows["hi_rank"], rows["hi_months"], group=rows["hi_group"],
                                   province=rows["hi_province"])
    if v.error.any() or h.error.any():
        raise SystemExit("benchmark rows must all be valid")
    return {"vsi_gross": v.gross, "vsi_state_support": v.state_support, "vsi_local_support": v.local_support,
            "vsi_payable": v.payable, "hi_local_support": h.local_support, "hi_amount": h.amount}


def scalar(rows: dict[str, np.ndarray], count: int) -> dict[str, np.ndarray]:
    """The scalar rules called once per row, as a caller without the batch path would."""
    names = [name for name, bit in batch.GROUP_BITS.items()]
    bits = list(batch.GROUP_BITS.values())
    vsi_out = np.zeros((4, count), dtype=np.int64)
    vsi_cols = zip(rows["vsi_on"][:count].astype(object), *(rows[k][:count].tolist() for k in
                   ("vsi_income", "vsi_months", "vsi_groups", "vsi_used", "vsi_province")), strict=True)
    for i, (on, income, months, mask, used, province) in enumerate(vsi_cols):
        groups = frozenset(name for name, bit in zip(names, bits, strict=True) if mask & bit)
        q = vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=months, groups=groups,
                                        supported_months_used=used, province=f"{province:02d}" if province else None))
        vsi_out[:, i] = (q.gross, q.state_support, q.local_support, q.payable)
    hi_out = np.zeros((2, count), dtype=np.int64)
    hi_cols = zip(rows["hi_on"][:count].astype(object), *(rows[k][:count].tolist() for k in
                  ("hi_rank", "hi_months", "hi_group", "hi_province")), strict=True)
    for i, (on, rank, months, group, province) in enumerate(hi_cols):
        member = (household_hi.HiMember(group=batch.HI_GROUPS[group]),)
        q = household_hi.quote(household_hi.HiQuoteInput(on=on, members=member, months=months, already_joined=rank - 1,
                                                         province=f"{province:02d}" if province else None))
        hi_out[:, i] = (q.members[0].local_support, q.members[0].amount)
    return {"vsi_gross": vsi_out[0], "vsi_state_support": vsi_out[1], "vsi_local_support": vsi_out[2],
            "vsi_payable": vsi_out[3], "hi_local_support": hi_out[0], "hi_amount": hi_out[1]}


def ensure_peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print("creating bench/.peers-venv with openfisca-core (first run only)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(PEER)], check=True)
    return python


def openfisca(rows: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    python = ensure_peer_venv()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(
            source,
            vsi_month=rows["vsi_on"].astype("datetime64[M]").astype(str),
            vsi_income=rows["vsi_income"], vsi_months=rows["vsi_months"], vsi_groups=rows["vsi_groups"],
            vsi_used=rows["vsi_used"],
            hi_month=rows["hi_on"].astype("datetime64[M]").astype(str),
            hi_rank=rows["hi_rank"], hi_months=rows["hi_months"],
        )
        done = subprocess.run([str(python), str(PEER / "run.py"), str(source), str(target)],
                              check=True, capture_output=True, text=True)
        with np.load(target) as out:
            results = {name: out[name] for name in out.files}
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"]), results


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], count: int | None = None) -> bool:
    return all(np.array_equal(a[k][:count], b[k][:count]) for k in a)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scalar-rows", type=int, default=None)
    parser.add_argument("--no-openfisca", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rows = make_rows(args.rows)
    print(f"rows: {args.rows:,} VSI (2025) + {args.rows:,} household-HI members (2024-2026)")

    vectorized(rows)  # warm-up: parameter files, NumPy
    times: list[float] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        fast = vectorized(rows)
        times.append(time.perf_counter() - start)
    vec = statistics.median(times)
    print(f"vectorized: {vec:.3f} s for both batches (median of {args.repeat}; target < 1 s)")

    count = min(args.scalar_rows or args.rows, args.rows)
    start = time.perf_counter()
    slow = scalar(rows, count)
    scalar_seconds = (time.perf_counter() - start) * args.rows / count
    how = "every row" if count == args.rows else f"first {count:,} rows of each, scaled to {args.rows:,}"
    print(f"scalar loop: {scalar_seconds:.1f} s ({how})")
    if not same(slow, fast, count):
        raise SystemExit("MISMATCH: vectorized and scalar results differ")
    print(f"results: vectorized == scalar on {2 * count:,} rows")

    if not args.no_openfisca:
        seconds, peer = openfisca(rows)
        # The OpenFisca peer models no provincial top-up and no HI state groups: compare it on the
        # VSI amounts before the top-up and on the household members' rows.
        household = rows["hi_group"] == 0
        before_top_up = {k: v for k, v in fast.items() if k not in ("vsi_local_support", "hi_amount",
                                                                     "hi_local_support")}
        before_top_up["vsi_payable"] = fast["vsi_payable"] + fast["vsi_local_support"]
        peer_vsi = {k: peer[k] for k in before_top_up}
        hi_before_top_up = fast["hi_amount"] + fast["hi_local_support"]
        if not same(before_top_up, peer_vsi) or not np.array_equal(hi_before_top_up[household],
                                                                    peer["hi_amount"][household]):
            raise SystemExit("MISMATCH: vectorized and OpenFisca results differ")
        print(f"openfisca: {seconds:.3f} s (simulations built and calculated per month)")
        print(f"results: vectorized == openfisca on {2 * args.rows:,} rows")
        print(f"vectorized_vs_openfisca_ratio={seconds / vec:.1f}")
    print(f"vectorized_vs_scalar_ratio={scalar_seconds / vec:.1f}")


if __name__ == "__main__":
    main()
