#!/usr/bin/env bash
# Runs the crafted calibration files (make_hostile_calibrations.py) against every reader of a
# calibration: `run --posterior`, `compare` (beside the good file), `summary` and `cases
# --posterior`. Each must refuse with a message (exit 1 or 2), never crash or trip a sanitizer,
# and never write its output. Usage: run_calibration_corpus.sh BINARY
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp "$ROOT/tests/hostile/binomial.yaml" "$TMP/binomial.yaml"
"$BIN" calibrate --method importance "$TMP/binomial.yaml" --draws 256 --inner 20 --quiet --out "$TMP/good.h5" || exit 1
"$BIN" calibrate --method importance "$TMP/binomial.yaml" --draws 256 --inner 20 --rounds 2 --quiet --out "$TMP/good2.h5" || exit 1
/usr/bin/python3 "$ROOT/tests/hostile/make_hostile_calibrations.py" "$TMP/good.h5" "$TMP/corpus" >/dev/null || exit 1
failures=0
fail() { echo "[hostile calibrations] FAILED: $*"; failures=$((failures + 1)); }
check() {  # name, what, exit code, output that must not exist
  local name="$1" what="$2" code="$3" out="$4"
  if ((code >= 128)); then fail "$what on $name crashed (exit $code)"; fi
  if grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$TMP/err"; then
    fail "$what on $name: sanitizer report: $(grep -m1 -E "Sanitizer|runtime error" "$TMP/err")"
  fi
  if ((code == 0)); then fail "$what accepted $name"; fi
  if ((code != 0)) && ! grep -q "error" "$TMP/err"; then fail "$what refused $name without saying why"; fi
  if [[ -n "$out" && -e "$out" ]]; then fail "$what wrote $out from $name"; fi
}
count=0
for file in "$TMP"/corpus/*.h5; do
  name="$(basename "$file" .h5)"
  count=$((count + 1))
  rm -f "$TMP/post.h5" "$TMP/cmp.h5"
  "$BIN" run "$TMP/binomial.yaml" --posterior "$file" --quiet --out "$TMP/post.h5" >/dev/null 2>"$TMP/err"; code=$?
  # A damage `run --posterior` does not read (the case scores) may pass it.
  if [[ $name == loo_short || $name == pareto_k_strings || $name == case_missing || $name == attr_ess_string ]]; then
    if ((code >= 128)); then fail "run --posterior on $name crashed (exit $code)"; fi
  else
    check "$name" "run --posterior" "$code" "$TMP/post.h5"
  fi
  "$BIN" compare "$TMP/good2.h5" "$file" --quiet --out "$TMP/cmp.h5" >/dev/null 2>"$TMP/err"; code=$?
  if [[ $name == weight_* || $name == theta_* || $name == prior_* || $name == parameter_* || $name == attr_pareto_k_array ]]; then
    if ((code >= 128)); then fail "compare on $name crashed (exit $code)"; fi  # compare reads the case scores
  else
    check "$name" compare "$code" "$TMP/cmp.h5"
  fi
  "$BIN" summary "$file" >/dev/null 2>"$TMP/err"; code=$?
  if ((code >= 128)); then fail "summary on $name crashed (exit $code)"; fi
  if grep -qE "AddressSanitizer|runtime error:" "$TMP/err"; then fail "summary on $name: sanitizer report"; fi
done
if ((failures)); then echo "[hostile calibrations] $failures failure(s) over $count crafted files"; exit 1; fi
echo "[hostile calibrations] $count crafted calibration files: run --posterior, compare and summary refused each clearly, none crashed"
