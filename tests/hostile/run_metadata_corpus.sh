#!/usr/bin/env bash
# Crafted files whose damage lies outside the statistics (make_metadata_files.py): every reader
# that prints or merges them must refuse, naming the file and what is wrong — verify, summary
# (which verifies first) and merge — with the expected message; never crash. Usage: BINARY
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/ish_rec.yaml" <<YAML
extends: $ROOT/configs/ishigami.yaml
draws: 100
chunk_size: 50
records: {parameters: true}
YAML
"$BIN" run "$TMP/ish_rec.yaml" --shard 1/2 --out "$TMP/shard1.h5" --quiet || exit 1
"$BIN" run "$TMP/ish_rec.yaml" --shard 2/2 --out "$TMP/shard2.h5" --quiet || exit 1
"$BIN" verify "$TMP/shard1.h5" > /dev/null || { echo "[metadata] FAILED: the good shard does not verify"; exit 1; }
/usr/bin/python3 "$ROOT/tests/hostile/make_metadata_files.py" "$TMP/shard1.h5" "$TMP/corpus" > "$TMP/expected" || exit 1
failures=0
fail() { echo "[metadata] FAILED: $*"; failures=$((failures + 1)); }
while IFS=$'\t' read -r name expected; do
  file="$TMP/corpus/$name.h5"
  for what in verify summary merge; do
    case $what in
      verify) "$BIN" verify "$file" > /dev/null 2> "$TMP/err"; code=$? ;;
      summary) "$BIN" summary "$file" > /dev/null 2> "$TMP/err"; code=$? ;;
      merge) "$BIN" merge --quiet --force --out "$TMP/merged.h5" "$file" "$TMP/shard2.h5" > /dev/null 2> "$TMP/err"; code=$? ;;
    esac
    if ((code >= 128)); then fail "$what crashed on $name (exit $code)"; continue; fi
    if grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$TMP/err"; then fail "$what on $name: sanitizer report"; fi
    if ((code == 0)); then fail "$what accepted $name"; continue; fi
    if ! grep -q "$name.h5" "$TMP/err"; then fail "$what on $name does not name the file: $(head -c 300 "$TMP/err")"; fi
    # verify and summary must say what is wrong; merge may refuse on an earlier check, but never
    # without naming the file (above) or with an internal error.
    if [[ $what != merge ]] && ! grep -qF -- "$expected" "$TMP/err"; then
      fail "$what on $name: expected '$expected', got: $(head -c 300 "$TMP/err")"
    fi
    if grep -q "max_size\|std::" "$TMP/err"; then fail "$what on $name: an internal error: $(head -c 300 "$TMP/err")"; fi
  done
done < "$TMP/expected"
# A calibration's figures (/calibration: evidence, weights, stages) under objects_sha256: verify,
# summary, compare and run --posterior refuse an edited one, naming the file and the object.
cp "$ROOT/tests/hostile/binomial.yaml" "$TMP/binomial.yaml"
"$BIN" calibrate "$TMP/binomial.yaml" --draws 200 --inner 20 --quiet --out "$TMP/cal.h5" || exit 1
"$BIN" calibrate "$TMP/binomial.yaml" --draws 200 --inner 20 --quiet --cess 0.6 --out "$TMP/cal2.h5" || exit 1
"$BIN" verify "$TMP/cal.h5" > /dev/null || { echo "[metadata] FAILED: the good calibration does not verify"; exit 1; }
/usr/bin/python3 "$ROOT/tests/hostile/make_metadata_files.py" --calibration "$TMP/cal.h5" "$TMP/corpus" > "$TMP/expected_cal" || exit 1
while IFS=$'\t' read -r name expected; do
  file="$TMP/corpus/$name.h5"
  for what in verify summary compare posterior; do
    rm -f "$TMP/out.h5"
    case $what in
      verify) "$BIN" verify "$file" > /dev/null 2> "$TMP/err"; code=$? ;;
      summary) "$BIN" summary "$file" > /dev/null 2> "$TMP/err"; code=$? ;;
      compare) "$BIN" compare "$TMP/cal2.h5" "$file" --quiet --out "$TMP/out.h5" > /dev/null 2> "$TMP/err"; code=$? ;;
      posterior) "$BIN" run "$TMP/binomial.yaml" --posterior "$file" --quiet --out "$TMP/out.h5" > /dev/null 2> "$TMP/err"; code=$? ;;
    esac
    if ((code >= 128)); then fail "$what crashed on $name (exit $code)"; continue; fi
    if grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$TMP/err"; then fail "$what on $name: sanitizer report"; fi
    if ((code == 0)); then fail "$what accepted $name"; continue; fi
    if [[ -e "$TMP/out.h5" ]]; then fail "$what wrote its output from $name"; fi
    if ! grep -q "$name.h5" "$TMP/err"; then fail "$what on $name does not name the file: $(head -c 300 "$TMP/err")"; fi
    if ! grep -qF -- "$expected" "$TMP/err"; then fail "$what on $name: expected '$expected', got: $(head -c 300 "$TMP/err")"; fi
  done
done < "$TMP/expected_cal"
cat "$TMP/expected_cal" >> "$TMP/expected"
count=$(wc -l < "$TMP/expected")
if ((failures)); then echo "[metadata] $failures failure(s) over $count crafted files"; exit 1; fi
echo "[metadata] $count crafted files: verify, summary and merge (results), compare and run --posterior (calibrations) refused each, naming the file and the problem"
