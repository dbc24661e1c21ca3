"""Runs in bench/.peers-venv: computes the benchmark rows with OpenFisca and times it.

Usage: python run.py INPUT.npz OUTPUT.npz — prints {"seconds": ...} (simulation building and
calculation, per payment month as OpenFisca computes one period at a time; loading the tax-benefit
system is done once before the clock starts).
"""

import json
import sys
import time

import numpy as np
from openfisca_core.simulations import SimulationBuilder

from openfisca_ansinh import AnsinhTaxBenefitSystem


def compute(system, months, inputs, outputs):
    """Per distinct month: one simulation over that month's rows; results in row order."""
    results = {name: np.zeros(len(months), dtype=np.int64) for name in outputs}
    for month in np.unique(months):
        rows = np.flatnonzero(months == month)
        period = str(month)
        simulation = SimulationBuilder().build_default_simulation(system, len(rows))
        for name, column in inputs.items():
            simulation.set_input(name, period, column[rows])
        for name in outputs:
            results[name][rows] = simulation.calculate(name, period)
    return results


def main(source, target):
    data = np.load(source)
    system = AnsinhTaxBenefitSystem()
    start = time.perf_counter()
    vsi = compute(
        system,
        data["vsi_month"],
        {"vsi_income": data["vsi_income"], "vsi_months": data["vsi_months"], "vsi_groups": data["vsi_groups"],
         "vsi_supported_months_used": data["vsi_used"]},
        ("vsi_gross", "vsi_state_support", "vsi_payable"),
    )
    hi = compute(system, data["hi_month"], {"hi_rank": data["hi_rank"], "hi_months": data["hi_months"]},
                 ("hi_amount",))
    seconds = time.perf_counter() - start
    np.savez(target, **vsi, **hi)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
