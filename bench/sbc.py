#!/usr/bin/python3
"""Simulation-based calibration of `deterrence calibrate` (Talts et al. 2018) on the binomial test
model: R replications, ranks of θ* among 99 posterior draws, a χ² test of their uniformity over 10
bins; then the same with records simulated from θ*² (a misspecified model the test must reject).

    /usr/bin/python3 bench/sbc.py build/engine/deterrence [--replications 200]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from analysis.sbc import run_sbc  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--inner", type=int, default=200)
    args = parser.parse_args()
    verdicts = []
    for misspecified in (False, True):
        start = time.time()
        result = run_sbc(args.binary, replications=args.replications, draws=args.draws, inner=args.inner,
                         misspecified=misspecified)
        label = "records simulated from θ*² (misspecified)" if misspecified else "records simulated from θ*"
        print(f"{label}: {args.replications} replications x {args.draws} draws x {args.inner} inner plays, "
              f"{time.time() - start:.0f} s; mean ESS {result.mean_effective_sample_size:.0f}")
        print(f"  rank counts in {result.bins} bins: {' '.join(str(c) for c in result.counts)}")
        print(f"  χ² = {result.chi2:.1f} on {result.bins - 1} df, p = {result.p_value:.3g}")
        verdicts.append(result.p_value)
    ok = verdicts[0] >= 0.01 and verdicts[1] < 0.01
    print("uniform for the right model, rejected for the wrong one" if ok else "UNEXPECTED: see the p-values above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
