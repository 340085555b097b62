#!/usr/bin/env bash
# Variance reduction of the sampling designs against plain Monte Carlo at the same number of
# evaluations: runs a config under each design for several seeds and prints the variance of
# chosen means across seeds (and its ratio to Monte Carlo's).
#   bench/design_variance.sh [CONFIG] [DRAWS] [SEEDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${DETERRENCE_BIN:-$ROOT/build/engine/deterrence}"
CONFIG="$(realpath "${1:-$ROOT/configs/baseline.yaml}")"
DRAWS="${2:-4096}"
SEEDS="${3:-12}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for design in monte_carlo latin_hypercube "sobol, replicates: 8"; do
  tag="${design%%,*}"
  for seed in $(seq 1 "$SEEDS"); do
    # The config with its design replaced; data paths resolve from the config's own folder.
    sed -e '/^design:/d' "$CONFIG" > "$(dirname "$CONFIG")/.design-bench.yaml"
    printf 'design: {kind: %s}\n' "$design" >> "$(dirname "$CONFIG")/.design-bench.yaml"
    sed -i -e "s/^chunk_size: .*/chunk_size: 256/" -e "s/^draws: .*/draws: $DRAWS/" "$(dirname "$CONFIG")/.design-bench.yaml"
    "$BIN" run "$(dirname "$CONFIG")/.design-bench.yaml" --draws "$DRAWS" --seed "$seed" --quiet --force \
      --out "$TMP/$tag-$seed.h5"
  done
done
rm -f "$(dirname "$CONFIG")/.design-bench.yaml"
/usr/bin/python3 - "$TMP" "$SEEDS" "$DRAWS" <<'PY'
import sys, h5py, numpy as np
folder, seeds, draws = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def means(tag):
    rows = []
    for s in range(1, seeds + 1):
        with h5py.File(f"{folder}/{tag}-{s}.h5", "r") as f:
            out = {}
            for name, g in f["outputs"].items():
                if "mean" in g and g["mean"].size <= 64:
                    out[name] = np.atleast_1d(g["mean"][()]).ravel()
            rows.append(out)
    return rows
designs = ["monte_carlo", "latin_hypercube", "sobol"]
data = {d: means(d) for d in designs}
print(f"variance of the estimated means over {seeds} seeds, {draws} evaluations each (ratio to Monte Carlo)")
for name in sorted(data["monte_carlo"][0]):
    v = {d: np.var(np.array([r[name] for r in data[d]]), axis=0, ddof=1) for d in designs}
    ok = v["monte_carlo"] > 0
    if not ok.any():
        continue
    ratio = {d: np.median(v["monte_carlo"][ok] / np.maximum(v[d][ok], 1e-300)) for d in designs[1:]}
    print(f"  {name:<28} MC {np.median(v['monte_carlo'][ok]):.3g}   LHS x{ratio['latin_hypercube']:.2f}   Sobol' x{ratio['sobol']:.2f}   (median over {ok.sum()} elements)")
PY
