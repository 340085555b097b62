#!/usr/bin/env bash
# Runs the crafted-file corpus (make_hostile_files.py) against every reader: summary, merge,
# merge --copy, --resume (the file as a checkpoint segment) and the Python reader. Each must
# refuse with a message (exit 1 or 2; a Python ValueError), never crash (no signal, no abort),
# and never merge a damaged file. Usage: run_corpus.sh BINARY
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/game.yaml" <<YAML
extends: $ROOT/configs/baseline.yaml
draws: 1024
records: {outcomes: true, parameters: false}
YAML
"$BIN" run "$TMP/game.yaml" --shard 1/2 --out "$TMP/shard1.h5" --quiet || exit 1
"$BIN" run "$TMP/game.yaml" --shard 2/2 --out "$TMP/shard2.h5" --quiet || exit 1
/usr/bin/python3 "$ROOT/tests/hostile/make_hostile_files.py" "$TMP/shard1.h5" "$TMP/corpus" >/dev/null || exit 1
failures=0
# Files whose damage lies in objects a command does not read may pass that command (exit 0):
harmless_summary=" huge_dataset sum_exact_float attr_chunk_first_array attr_chunk_first_float attr_chunk_first_negative attr_chunk_first_string "
fail() { echo "[hostile] FAILED: $*"; failures=$((failures + 1)); }
check() {  # name, what, exit code, allowed-zero
  local name="$1" what="$2" code="$3" zero_ok="$4"
  if ((code >= 128)); then fail "$what on $name crashed (exit $code)"; fi
  if grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$TMP/err"; then fail "$what on $name: sanitizer report: $(grep -m1 -E "Sanitizer|runtime error" "$TMP/err")"; fi
  if ((code == 0)) && [[ "$zero_ok" != yes ]]; then fail "$what accepted $name"; fi
}
count=0
for file in "$TMP"/corpus/*.h5; do
  name="$(basename "$file" .h5)"
  count=$((count + 1))
  "$BIN" summary "$file" >/dev/null 2>"$TMP/err"; code=$?
  check "$name" summary "$code" "$([[ "$harmless_summary" == *" $name "* ]] && echo yes || echo no)"
  "$BIN" merge --quiet --force --out "$TMP/merged.h5" "$file" "$TMP/shard2.h5" >/dev/null 2>"$TMP/err"; code=$?
  check "$name" merge "$code" "$([[ $name == huge_dataset ]] && echo yes || echo no)"
  "$BIN" merge --quiet --force --copy --out "$TMP/merged.h5" "$file" "$TMP/shard2.h5" >/dev/null 2>"$TMP/err"; code=$?
  check "$name" "merge --copy" "$code" "$([[ $name == huge_dataset ]] && echo yes || echo no)"
  # The file as the checkpoint segment of an interrupted run: --resume must refuse it, or set it
  # aside and recompute its chunks (healing) — then the result must verify.
  rm -rf "$TMP/resumed.h5" "$TMP/resumed.h5.checkpoint" "$TMP"/resumed.h5.set-aside-*
  mkdir -p "$TMP/resumed.h5.checkpoint"
  cp "$file" "$TMP/resumed.h5.checkpoint/segment-000000000000.h5"
  "$BIN" run "$TMP/game.yaml" --resume --out "$TMP/resumed.h5" >/dev/null 2>"$TMP/err"; code=$?
  healed=no
  if ((code == 0)) && grep -q "^set aside" "$TMP/err" && "$BIN" verify "$TMP/resumed.h5" >/dev/null 2>&1; then healed=yes; fi
  check "$name" "run --resume" "$code" "$([[ $name == huge_dataset || $healed == yes ]] && echo yes || echo no)"
  /usr/bin/python3 - "$file" "$ROOT" >/dev/null 2>"$TMP/err" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from analysis import open_results
try:
    r = open_results(sys.argv[1])
    r.outcome_shares()
except ValueError:
    sys.exit(2)
PY
  code=$?
  zero="no"; [[ $name == attr_chunk_* || $name == attr_first_draw_* || $name == attr_total_draws_* ]] && zero="yes"
  check "$name" "python reader" "$code" "$zero"
  if ((code == 1)); then fail "python reader raised an unexpected error on $name: $(tail -1 "$TMP/err")"; fi
done
if ((failures)); then echo "[hostile] $failures failure(s) over $count crafted files"; exit 1; fi
echo "[hostile] $count crafted files: every reader refused each clearly, none crashed"
