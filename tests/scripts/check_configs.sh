#!/usr/bin/env bash
# Every shipped config validates, and a short run of each writes a file whose summary prints.
set -euo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for config in "$ROOT"/configs/*.yaml; do
  "$BIN" validate "$config"
  name="$(basename "$config" .yaml)"
  "$BIN" run "$config" --draws 2000 --out "$TMP/$name.h5" --quiet
  "$BIN" summary "$TMP/$name.h5" > "$TMP/$name.txt"
  test -s "$TMP/$name.txt"
done
# Every experiment (sweeps included) validates at every point and runs briefly; the cases score.
for config in "$ROOT"/configs/experiments/*.yaml; do
  "$BIN" validate "$config" >/dev/null
done
for config in "$ROOT"/configs/experiments/*.yaml; do
  name="$(basename "$config" .yaml)"
  "$BIN" run "$config" --draws 300 --out "$TMP/exp-$name.h5" --quiet
  "$BIN" summary "$TMP/exp-$name.h5" > "$TMP/exp-$name.txt"
  test -s "$TMP/exp-$name.txt"
done
"$BIN" cases "$ROOT/configs/experiments/cases.yaml" --draws 500 > "$TMP/cases.txt"
grep -q "cases, .* scored: mean log score" "$TMP/cases.txt"
# The shipped library calibrates (a small run: the figures need far more draws; README "Calibration").
"$BIN" calibrate --method importance "$ROOT/configs/experiments/cases.yaml" --draws 64 --inner 8 --rounds 2 --hold-out-from 2019 --quiet \
  --out "$TMP/calibration.h5"
"$BIN" summary "$TMP/calibration.h5" | grep -q "leave-one-out (PSIS): elpd"
# Versions 2 and 3 switched off are version 1 bit for bit: the frozen version-1 baseline
# (tests/fixtures/v1_baseline) gives the outputs the version-1 engine wrote, both with the new
# keys absent and with forced_share, done_deed, loss_misperception and version 4's override_cost,
# threat_review, selectivity and threat_warning declared as 0.
V1="$ROOT/tests/fixtures/v1_baseline"
"$BIN" run "$V1/baseline.yaml" --out "$TMP/v1-absent.h5" --quiet
/usr/bin/python3 "$ROOT/tests/scripts/same_results.py" "$TMP/v1-absent.h5" "$V1/expected_v1.h5" --groups /outputs,/dims --without-scales
mkdir -p "$TMP/v1zero/data"
cp "$V1"/data/*.yaml "$TMP/v1zero/data/"
sed -e 's/^\(    obfuscation: .*\)$/\1\n    forced_share: 0\n    done_deed: 0/' "$V1/data/issues.yaml" > "$TMP/v1zero/data/issues.yaml"
sed -e 's/^\(  misperception: .*\)$/\1\n  loss_misperception: {dist: constant, value: 0, group: perception}\n  override_cost: {dist: constant, value: 0}\n  threat_review: {dist: constant, value: 0}\n  selectivity: {dist: constant, value: 0}\n  threat_warning: {dist: constant, value: 0}/' "$V1/baseline.yaml" > "$TMP/v1zero/baseline.yaml"
test "$(grep -c 'forced_share: 0' "$TMP/v1zero/data/issues.yaml")" -eq 5
for key in loss_misperception override_cost threat_review selectivity threat_warning; do grep -q "^  $key:" "$TMP/v1zero/baseline.yaml"; done
"$BIN" run "$TMP/v1zero/baseline.yaml" --out "$TMP/v1-zero.h5" --quiet
/usr/bin/python3 "$ROOT/tests/scripts/same_results.py" "$TMP/v1-zero.h5" "$V1/expected_v1.h5" --groups /outputs,/dims --without-scales
echo "[configs] versions 2, 3 and 4 at zero reproduce version 1's outputs bit for bit"
# Engines 0.5.0 and 0.6.0 changed the last bits (SLEEF's exp; copula betas by score): the file engine 0.4 wrote
# (expected_v1_engine_0.4.h5, the frozen outputs plus per-draw outcome records) checks it
# statistically — every output within its Monte Carlo interval, KS tests on per-draw outcome
# shares, and at most 1e-4 of the paired outcomes moved — and a changed model must fail the check.
sed -e 's/^  outcomes: false .*/  outcomes: true/' "$V1/baseline.yaml" > "$TMP/v1zero/records.yaml"
"$BIN" run "$TMP/v1zero/records.yaml" --out "$TMP/v1-records.h5" --quiet
/usr/bin/python3 "$ROOT/tests/scripts/close_results.py" "$TMP/v1-records.h5" "$V1/expected_v1_engine_0.4.h5"
sed -e 's/resolve: *{dist: lognormal, median: 1.0,/resolve: {dist: lognormal, median: 1.1,/' "$TMP/v1zero/records.yaml" > "$TMP/v1zero/shifted.yaml"
grep -q "median: 1.1" "$TMP/v1zero/shifted.yaml"
"$BIN" run "$TMP/v1zero/shifted.yaml" --out "$TMP/v1-shifted.h5" --quiet
status=0; /usr/bin/python3 "$ROOT/tests/scripts/close_results.py" "$TMP/v1-shifted.h5" "$V1/expected_v1_engine_0.4.h5" > /dev/null 2>&1 || status=$?
test "$status" -eq 1
echo "[configs] engine 0.4's version-1 baseline is statistically the same in this engine; a resolve 10% higher is not"
# The experiments are overrides of the baseline (extends:): each gives the same bits as its
# resolved form (`deterrence show`), written out as a standalone config beside the baseline.
mkdir -p "$TMP/resolved"
cp -r "$ROOT/configs/data" "$TMP/resolved/"
for name in assurance bloc_size double_penalty head_to_head resolve rules_vs_discretion; do
  "$BIN" show "$ROOT/configs/experiments/$name.yaml" > "$TMP/resolved/$name.yaml"
  ! grep -q "^extends:" "$TMP/resolved/$name.yaml" || sed -i '/^extends:/d' "$TMP/resolved/$name.yaml"
  "$BIN" run "$TMP/resolved/$name.yaml" --draws 300 --out "$TMP/resolved-$name.h5" --quiet
  /usr/bin/python3 "$ROOT/tests/scripts/same_results.py" "$TMP/exp-$name.h5" "$TMP/resolved-$name.h5"
done
echo "[configs] every experiment equals its resolved form bit for bit"
# A bad config is refused with exit code 2 and a message naming the file and line.
printf 'model: ishigami\ndraws: 10\nseed: 1\nparamters: {}\n' > "$TMP/typo.yaml"
set +e
"$BIN" validate "$TMP/typo.yaml" 2> "$TMP/typo.err"
code=$?
set -e
test "$code" -eq 2
grep -q "typo.yaml:4:1: paramters: found unknown key 'paramters'" "$TMP/typo.err"
echo "[configs] all shipped configs and experiments validate and run; the cases score"
# The case library's data set (configs/data/case_targets) adds targets after the default 21
# countries: the shipped library plays on it exactly as on the default data set.
printf 'extends: %s\nmodel_options:\n  countries: %s\n  salience: %s\n' "$ROOT/configs/experiments/cases.yaml" \
  "$ROOT/configs/data/case_targets/countries.yaml" "$ROOT/configs/data/case_targets/salience.yaml" > "$TMP/wide_cases.yaml"
"$BIN" cases "$ROOT/configs/experiments/cases.yaml" --draws 500 --csv > "$TMP/narrow.csv"
"$BIN" cases "$TMP/wide_cases.yaml" --draws 500 --csv > "$TMP/wide.csv"
cmp "$TMP/narrow.csv" "$TMP/wide.csv"
"$BIN" validate "$ROOT/configs/experiments/mechanisms/library54/version4.yaml" | grep -q "790 output values"
echo "[configs] the case targets' data set plays the shipped library as the default data set does"
