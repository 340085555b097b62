"""Exit 0 when a results file agrees statistically with a frozen one written by another engine version.

Usage: /usr/bin/python3 close_results.py NEW.h5 FROZEN.h5 [--alpha A] [--paired-share P]

Engine versions may change the last bits of results (README "Reproducibility"); a frozen file then
checks a new engine statistically instead of bit for bit:
- every element of every output under /outputs with a mean: the two means within their Monte Carlo
  interval, |m1 - m2| <= z * sqrt(v1/n1 + v2/n2) with z the two-sided normal quantile of A / (number
  of elements) (Bonferroni over all elements; where both variances are 0 the means must be equal to
  1e-12 of their scale);
- the per-draw records both files hold: for each policy and outcome, the per-draw share of episodes
  ending in that outcome, by a two-sample Kolmogorov-Smirnov test at A / (number of tests);
- and where both runs have the same seed and draws (the same uniforms: only the arithmetic after
  them changed), paired: at most a share P (--paired-share, default 1e-4) of the recorded outcomes
  may differ. A change of the last bits moves an outcome only where a draw sits on an edge; a
  change of the model moves many (a resolve 10% higher moves 0.36% of the version-1 baseline's).
Prints the worst element and test; exit 1 naming what failed, 2 for unusable files."""
import sys

import h5py
import numpy as np
from scipy import stats


def output_means(f):
    found = {}
    for name, group in f["outputs"].items():
        if isinstance(group, h5py.Group) and {"mean", "variance", "count"} <= set(group.keys()):
            found[name] = (group["mean"][()], group["variance"][()], group["count"][()])
    return found


def outcome_shares(f):
    """Per-draw share of each outcome per policy [draw, policy, outcome] from /records/outcome."""
    if "records" not in f or "outcome" not in f["records"]:
        return None
    codes = f["records/outcome"][()]  # draw x policy x episode
    outcomes = f["dims/outcome"].shape[0]
    return np.stack([(codes == o).mean(axis=2) for o in range(outcomes)], axis=2)


def main(new_path, frozen_path, alpha, paired_share):
    failures = []
    with h5py.File(new_path, "r") as new, h5py.File(frozen_path, "r") as frozen:
        a, b = output_means(new), output_means(frozen)
        if not a or set(a) != set(b):
            print(f"outputs differ: {sorted(set(a) ^ set(b))}" if a else "no outputs with means", file=sys.stderr)
            return 2
        elements = sum(np.size(m) for m, _, _ in a.values())
        z = stats.norm.isf(alpha / elements / 2)
        worst = (0.0, "")
        for name in sorted(a):
            (m1, v1, n1), (m2, v2, n2) = a[name], b[name]
            if np.shape(m1) != np.shape(m2):
                failures.append(f"{name}: shapes {np.shape(m1)} and {np.shape(m2)}")
                continue
            se = np.sqrt(v1 / np.maximum(n1, 1) + v2 / np.maximum(n2, 1))
            diff = np.abs(m1 - m2)
            exact = se == 0
            scale = np.maximum(1.0, np.maximum(np.abs(m1), np.abs(m2)))
            bad_exact = exact & ~(diff <= 1e-12 * scale) & ~(np.isnan(m1) & np.isnan(m2))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(exact, 0.0, diff / se)
            bad = bad_exact | (~exact & ~(ratio <= z))
            if np.any(bad):
                where = np.argwhere(bad)[0]
                failures.append(f"{name}{list(where)}: means {np.asarray(m1)[tuple(where)]!r} and "
                                f"{np.asarray(m2)[tuple(where)]!r} ({np.sum(bad)} elements outside z = {z:.2f})")
            if np.size(ratio) and np.nanmax(ratio) > worst[0]:
                worst = (float(np.nanmax(ratio)), name)
        print(f"[close] {elements} output elements, Bonferroni z = {z:.2f}; largest |difference|/se "
              f"{worst[0]:.3f} ({worst[1] or 'none'})")
        sa, sb = outcome_shares(new), outcome_shares(frozen)
        if (sa is None) != (sb is None):
            failures.append("only one file holds /records/outcome")
        elif sa is not None:
            if sa.shape[1:] != sb.shape[1:]:
                failures.append(f"records of shapes {sa.shape} and {sb.shape}")
            else:
                tests = [(p, o) for p in range(sa.shape[1]) for o in range(sa.shape[2])
                         if np.ptp(np.concatenate([sa[:, p, o], sb[:, p, o]])) > 0]
                smallest = (2.0, None)
                for p, o in tests:
                    pvalue = stats.ks_2samp(sa[:, p, o], sb[:, p, o], method="asymp").pvalue
                    smallest = min(smallest, (pvalue, (p, o)), key=lambda t: t[0])
                    if pvalue < alpha / len(tests):
                        failures.append(f"records: policy {p}, outcome {o}: KS p = {pvalue:.3g}")
                print(f"[close] {len(tests)} KS tests on per-draw outcome shares ({sa.shape[0]} and "
                      f"{sb.shape[0]} draws); smallest p {smallest[0]:.3g} at (policy, outcome) {smallest[1]}")
            paired = (new.attrs["seed"] == frozen.attrs["seed"] and sa.shape == sb.shape and
                      np.array_equal(new["records/draw"][()], frozen["records/draw"][()]))
            if paired:
                moved = float(np.mean(new["records/outcome"][()] != frozen["records/outcome"][()]))
                print(f"[close] paired (same seed and draws): {moved:.3g} of the recorded outcomes differ "
                      f"(at most {paired_share:g})")
                if moved > paired_share:
                    failures.append(f"records: {moved:.3g} of the paired outcomes differ (more than {paired_share:g})")
    for failure in failures:
        print(f"not close: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {"--alpha": 1e-3, "--paired-share": 1e-4}
    for key in options:
        if key in args:
            i = args.index(key)
            options[key] = float(args[i + 1])
            del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(args[0], args[1], options["--alpha"], options["--paired-share"]))
