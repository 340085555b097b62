#!/usr/bin/env bash
# Runs each libFuzzer target on a fixed number of inputs, as an OSS-Fuzz job does: seeds from the
# checked-in corpus (tests/fuzz/corpus/<target>/, read-only here: new inputs go to a scratch
# folder), under AddressSanitizer + UndefinedBehaviorSanitizer with leak detection. Any crash,
# leak, timeout or sanitizer report fails, printing the input; add it to the corpus as a
# regression test once fixed.
# The libFuzzer seed (FUZZ_SEED, default 20261130) and the number of inputs are fixed, not the
# time, so a machine's speed does not decide how far a run explores (with a time budget the
# project's CI once found an input that the same commit's run here had not reached). Runs then
# explore nearly the same inputs (a little coverage still differs between runs, even without
# address randomisation: README, "Faults"). Set FUZZ_SEED and the counts higher to explore further.
# Usage: run_fuzzers.sh BUILD_DIR [CONFIG_INPUTS [RESULTS_INPUTS]]
set -euo pipefail
BUILD="$(realpath "$1")"
CONFIG_INPUTS="${2:-20000}"
RESULTS_INPUTS="${3:-1000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
BIN="$BUILD/engine/deterrence"
# Valid results files for fuzz_results to edit: a run, a shard, a run with historical cases and
# per-draw records, a sensitivity file.
mkdir -p "$TMP/files"
cat > "$TMP/cases.yaml" <<YAML
extends: $ROOT/configs/experiments/cases.yaml
draws: 256
chunk_size: 64
records: {outcomes: true, parameters: true}
YAML
export ASAN_OPTIONS="detect_leaks=0"  # the set-up runs; the fuzzers below detect leaks
"$BIN" run "$ROOT/configs/ishigami.yaml" --draws 2048 --out "$TMP/files/ishigami.h5" --quiet
"$BIN" run "$ROOT/configs/ishigami.yaml" --draws 8192 --shard 1/2 --out "$TMP/files/shard.h5" --quiet
"$BIN" run "$TMP/cases.yaml" --out "$TMP/files/cases.h5" --quiet
"$BIN" sensitivity "$ROOT/configs/ishigami.yaml" --rows 64 --out "$TMP/files/sensitivity.h5" --quiet
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export DETERRENCE_CONFIGS="$ROOT/configs" DETERRENCE_FUZZ_FILES="$TMP/files"
# Without address-space randomisation (setarch -R) where the kernel allows it: fewer paths
# that depend on where memory lies, so runs of the same build explore (nearly) the same inputs.
NO_ASLR=""
if setarch "$(uname -m)" -R true 2>/dev/null; then NO_ASLR="setarch $(uname -m) -R"; fi
status=0
for target in fuzz_config fuzz_results; do
  corpus="${target#fuzz_}"
  inputs="$CONFIG_INPUTS"
  [[ $target == fuzz_results ]] && inputs="$RESULTS_INPUTS"
  mkdir -p "$TMP/new-$corpus" "$TMP/artifacts-$corpus"
  echo "[fuzz] $target on $inputs inputs from tests/fuzz/corpus/$corpus (seed ${FUZZ_SEED:-20261130})"
  # -max_total_time only guards against a hang of the whole job; -timeout is per input.
  if $NO_ASLR "$BUILD/tests/fuzz/$target" -seed="${FUZZ_SEED:-20261130}" -runs="$inputs" -max_total_time=1200 -timeout=20 -rss_limit_mb=4096 \
       -print_final_stats=1 -artifact_prefix="$TMP/artifacts-$corpus/" \
       "$TMP/new-$corpus" "$ROOT/tests/fuzz/corpus/$corpus" >"$TMP/$target.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$TMP/$target.log" | tr '\n' ' '
    echo
    grep -E "^Done [0-9]+ runs" "$TMP/$target.log" | tail -1 || true
    grep -E "^#[0-9]+" "$TMP/$target.log" | tail -1 || true
    echo "[fuzz] $target: no finding"
  else
    echo "[fuzz] FAILED: $target found an input that crashes, leaks or trips a sanitizer:"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$TMP/$target.log" | head -20
    for artifact in "$TMP/artifacts-$corpus"/*; do
      [ -f "$artifact" ] || continue
      echo "--- $artifact (base64) ---"; base64 -w 100 "$artifact" | head -40
    done
    status=1
  fi
done
exit $status
