#!/usr/bin/env bash
# Whole-run throughput and peak memory: a config at 1 and 2 threads (and two sizes), as
#   bench/run_scaling.sh [CONFIG] [DRAWS...]
# Defaults: configs/ishigami.yaml at 1e6 and 1e7 draws. Peak memory is GNU time's maximum
# resident set size. Prints one line per run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${BIN:-$ROOT/build/engine/deterrence}"
CONFIG="${1:-$ROOT/configs/ishigami.yaml}"
shift || true
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(1000000 10000000)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
printf '%-16s %10s %8s %10s %14s %12s\n' config draws threads seconds draws/s peak_MiB
for draws in "${SIZES[@]}"; do
  for threads in 1 2; do
    /usr/bin/time -f '%e %M' -o "$TMP/time" "$BIN" run "$CONFIG" --draws "$draws" --threads "$threads" \
      --out "$TMP/out.h5" --force --quiet
    read -r seconds kib < "$TMP/time"
    awk -v c="$(basename "$CONFIG" .yaml)" -v d="$draws" -v t="$threads" -v s="$seconds" -v k="$kib" \
      'BEGIN { printf "%-16s %10d %8d %10.2f %14.0f %12.1f\n", c, d, t, s, (s > 0 ? d / s : 0), k / 1024 }'
  done
done
