#!/usr/bin/python3
"""Simulation-based calibration of the game through the engine (Talts et al. 2018): each
replication calibrates on a record the model itself plays at a θ* drawn from the prior
(`deterrence calibrate --simulate-record r`), and θ*'s rank among posterior draws is recorded;
per global parameter, a χ² test of the ranks' uniformity. The binomial model runs the same path
first, as the check that the path itself is sound.

    /usr/bin/python3 bench/sbc_game.py build/engine/deterrence [--replications 100] [--draws 1000] [--inner 50]
        [--method smc|importance] [--rounds R (importance)]
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from analysis.sbc import run_sbc_engine  # noqa: E402


def report(label, result, seconds):
    table = result.table
    print(f"{label}: {seconds:.0f} s; mean ESS {result.mean_effective_sample_size:.1f}; "
          f"mean cases in the simulated record {result.mean_cases:.1f}")
    rejected = table[table["p_value"] < 0.01]
    print(f"  {len(table)} parameters; ranks uniform (p >= 0.01) for {len(table) - len(rejected)}, rejected for "
          f"{len(rejected)}")
    bonferroni = 0.01 / max(1, len(table))
    print(f"  after a Bonferroni correction for {len(table)} tests (p < {bonferroni:.2g}): "
          f"{int((table['p_value'] < bonferroni).sum())} rejected")
    for row in table.sort_values("p_value").head(8).itertuples():
        print(f"  {row.parameter:<36} χ² {row.chi2:7.1f}  p {row.p_value:.2g}  counts {row.counts}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--inner", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--method", choices=["importance", "smc"], default="smc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        binomial = os.path.join(folder, "binomial.yaml")
        with open(binomial, "w") as f:
            f.write("model: binomial\ndraws: 1000\nseed: 11\nparameters:\n  theta: {dist: uniform, min: 0, max: 1}\n"
                    "model_options:\n  observed: [SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS, "
                    "SUCCESS, FAILURE, SUCCESS]\n")
        start = time.time()
        report("binomial (10 trials), through --simulate-record",
               run_sbc_engine(args.binary, binomial, args.replications, draws=1000, inner=200, method=args.method),
               time.time() - start)
    start = time.time()
    how = f"{args.rounds} round(s)" if args.method == "importance" else "sequential Monte Carlo"
    report(f"the game on the case library ({args.draws} draws x {args.inner} inner plays, {how})",
           run_sbc_engine(args.binary, os.path.join(ROOT, "configs", "experiments", "cases.yaml"), args.replications,
                          draws=args.draws, inner=args.inner, rounds=args.rounds, method=args.method),
           time.time() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
