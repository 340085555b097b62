#!/usr/bin/env bash
# Nested models (by default version 2 and the three version-3 mechanism configs; MODELS="both
# override_cost threat_review selectivity version4 threat_warning" for version 4's, docs/model.md §12) calibrated by
# sequential Monte Carlo at the default 2 000 particles x 100 inner plays: under the config's seed
# in full (held out from 2019, exact leave-one-out refits), and under two more seeds for the
# spread of the evidence (the posterior and evidence only: --refit-above 1e9, no hold-out); then
# the config-seed calibrations compared.
# Prints each run's wall time and the figures the README quotes.
# Usage: bench/smc_mechanisms.sh BUILD/engine/deterrence OUT_DIR [PARTICLES]
# SEEDS="config" (default "config 1 2") runs the config-seed calibrations only; MODELS picks the
# models (the first is the reference of the comparison); LIBRARY=library54 takes each model's
# config from configs/experiments/mechanisms/library54/ (the 54-case library).
set -euo pipefail
BIN="$1"; OUT="$2"; N="${3:-2000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$OUT"
declare -A CONFIG=([v2]=configs/experiments/cases.yaml [loss_surprise]=configs/experiments/mechanisms/loss_surprise.yaml
                   [done_deeds]=configs/experiments/mechanisms/done_deeds.yaml [both]=configs/experiments/mechanisms/both.yaml
                   [override_cost]=configs/experiments/mechanisms/override_cost.yaml
                   [threat_review]=configs/experiments/mechanisms/threat_review.yaml
                   [selectivity]=configs/experiments/mechanisms/selectivity.yaml
                   [version4]=configs/experiments/mechanisms/version4.yaml
                   [threat_warning]=configs/experiments/mechanisms/threat_warning.yaml)
MODELS=(${MODELS:-v2 loss_surprise done_deeds both})
if [ -n "${LIBRARY:-}" ]; then
  for m in "${MODELS[@]}"; do CONFIG[$m]="configs/experiments/mechanisms/$LIBRARY/$m.yaml"; done
fi
for m in "${MODELS[@]}"; do
  for seed in ${SEEDS:-config 1 2}; do
    extra=(--hold-out-from 2019); name="$m"
    if [ "$seed" != config ]; then extra=(--seed "$seed" --refit-above 1e9); name="$m.seed$seed"; fi
    start=$(date +%s)
    "$BIN" calibrate "$ROOT/${CONFIG[$m]}" --draws "$N" "${extra[@]}" --force --quiet --out "$OUT/$name.h5"
    end=$(date +%s)
    /usr/bin/python3 - "$OUT/$name.h5" "$((end - start))" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1]); g = f["calibration"]
method = np.array([m.decode() if isinstance(m, bytes) else m for m in g["loo_method"][()]])
k = g["pareto_k_loo"][()]
unreliable = int(np.sum((method == "psis") & ~(k <= 0.7)))
rep = g["smc/replicate_log_likelihood"][()]
print(f"{sys.argv[1]}: {float(sys.argv[2]):.0f} s; stages {len(g['round_effective_sample_size'])}; "
      f"final ESS {g['round_effective_sample_size'][-1]:.0f}; distinct {g.attrs['distinct_draws']:.0f}; "
      f"ln p(record) {g.attrs['log_evidence']:.2f}; sd of ln L-hat at the posterior mean {np.std(rep, ddof=1):.2f}; "
      f"refits {int(g.attrs['loo_refits'])}; PSIS estimates with k > 0.7: {unreliable}; "
      f"elpd {g.attrs['elpd_loo']:.2f} ({g.attrs['elpd_loo_se']:.2f}); held-out log "
      f"{g.attrs['mean_held_log_score'] if g.attrs['held_out_cases'] else float('nan'):.3f}")
PY
  done
done
files=()
for m in "${MODELS[@]}"; do files+=("$OUT/$m.h5"); done
"$BIN" compare "${files[@]}" --force --out "$OUT/comparison.h5"
