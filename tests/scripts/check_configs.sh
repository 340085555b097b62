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
# A bad config is refused with exit code 2 and a message naming the file and line.
printf 'model: ishigami\ndraws: 10\nseed: 1\nparamters: {}\n' > "$TMP/typo.yaml"
set +e
"$BIN" validate "$TMP/typo.yaml" 2> "$TMP/typo.err"
code=$?
set -e
test "$code" -eq 2
grep -q "typo.yaml:4:1: paramters: found unknown key 'paramters'" "$TMP/typo.err"
echo "[configs] all shipped configs validate and run"
