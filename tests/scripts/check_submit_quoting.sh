#!/usr/bin/env bash
# jobs/slurm/submit.sh passes --run-args through as words, never glob-expanded: with a file named
# like an engine option in the folder, a '*' in the run arguments reaches sbatch as a '*'.
# A stand-in sbatch on PATH records its arguments. Usage: check_submit_quoting.sh BINARY
set -euo pipefail
BIN="$(realpath "$1")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/bin" "$TMP/work"
cat > "$TMP/bin/sbatch" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$@" >> "$SBATCH_LOG"
echo "4242"
SH
chmod +x "$TMP/bin/sbatch"
touch "$TMP/work/--seed=999"
cd "$TMP/work"
SBATCH_LOG="$TMP/args" PATH="$TMP/bin:$PATH" DETERRENCE_BIN="$BIN" \
  bash "$ROOT/jobs/slurm/submit.sh" "$ROOT/configs/ishigami.yaml" --shards 2 \
  --run-args "--draws 1000 --until *" >/dev/null
if grep -qx -- "--seed=999" "$TMP/args"; then echo "[submit] FAILED: a file name became an engine option"; exit 1; fi
grep -qx -- "\*" "$TMP/args" || { echo "[submit] FAILED: the run arguments did not reach sbatch as given"; cat "$TMP/args"; exit 1; }
grep -qx -- "--draws" "$TMP/args" && grep -qx -- "1000" "$TMP/args"
echo "[submit] run arguments pass through quoted, never glob-expanded"
