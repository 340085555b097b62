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
for config in "$ROOT"/configs/experiments/*.yaml "$ROOT"/configs/experiments/cases/*.yaml; do
  "$BIN" validate "$config" >/dev/null
done
for config in "$ROOT"/configs/experiments/*.yaml; do
  name="$(basename "$config" .yaml)"
  "$BIN" run "$config" --draws 300 --out "$TMP/exp-$name.h5" --quiet
  "$BIN" summary "$TMP/exp-$name.h5" > "$TMP/exp-$name.txt"
  test -s "$TMP/exp-$name.txt"
done
"$BIN" cases "$ROOT/configs/experiments/cases" --draws 500 > "$TMP/cases.txt"
grep -q "mean over 5 cases" "$TMP/cases.txt"
# A bad config is refused with exit code 2 and a message naming the file and line.
printf 'model: ishigami\ndraws: 10\nseed: 1\nparamters: {}\n' > "$TMP/typo.yaml"
set +e
"$BIN" validate "$TMP/typo.yaml" 2> "$TMP/typo.err"
code=$?
set -e
test "$code" -eq 2
grep -q "typo.yaml:4:1: paramters: found unknown key 'paramters'" "$TMP/typo.err"
echo "[configs] all shipped configs and experiments validate and run; the cases score"
