#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time, as an OSS-Fuzz job does: seeds from the checked-in
# corpus (tests/fuzz/corpus/<target>/, read-only here: new inputs go to a scratch folder), under
# AddressSanitizer + UndefinedBehaviorSanitizer with leak detection. Any crash, leak, timeout or
# sanitizer report fails, printing the input; add it to the corpus as a regression test once fixed.
# The libFuzzer seed is fixed (FUZZ_SEED, default 20261130) so that a red run reproduces; set
# another to explore further.
# Usage: run_fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
BUILD="$(realpath "$1")"
SECONDS_PER_TARGET="${2:-60}"
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
status=0
for target in fuzz_config fuzz_results; do
  corpus="${target#fuzz_}"
  mkdir -p "$TMP/new-$corpus" "$TMP/artifacts-$corpus"
  echo "[fuzz] $target for ${SECONDS_PER_TARGET} s on tests/fuzz/corpus/$corpus"
  if "$BUILD/tests/fuzz/$target" -seed="${FUZZ_SEED:-20261130}" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 \
       -print_final_stats=1 -artifact_prefix="$TMP/artifacts-$corpus/" \
       "$TMP/new-$corpus" "$ROOT/tests/fuzz/corpus/$corpus" >"$TMP/$target.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$TMP/$target.log" | tr '\n' ' '
    grep -E "^#[0-9]+ +DONE" "$TMP/$target.log" | tail -1 || true
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
