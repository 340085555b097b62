#!/usr/bin/env bash
# Submits a sharded experiment to SLURM: an array job with one shard per task, and a merge job
# that starts only when every task has succeeded (afterok) and is cancelled if one fails.
#
#   jobs/slurm/submit.sh CONFIG --shards N [--out FILE] [--copy] [--run-args "ARGS"] [-- SBATCH OPTIONS...]
#
# Writes FILE (default: <config name>.h5 in the working folder); shard files and per-task logs
# go to FILE.slurm/. Prints the two job ids. Example:
#   jobs/slurm/submit.sh configs/baseline.yaml --shards 16 --run-args "--draws 100000000" -- --partition=long --time=2:00:00
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
config="$1"; shift
shards="" out="" copy="" run_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    --copy) copy="--copy"; shift ;;
    --run-args) run_args="${2:-}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) break ;;  # the rest are sbatch options
  esac
done
[ -f "$config" ] || { echo "error: no config file '$config'" >&2; exit 2; }
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "error: --shards N (a positive number) is required" >&2; exit 2; }
export DETERRENCE_BIN="${DETERRENCE_BIN:-$ROOT/build/engine/deterrence}"
[ -x "$DETERRENCE_BIN" ] || { echo "error: no engine at $DETERRENCE_BIN; build it first (bash jobs/lib/setup.sh)" >&2; exit 2; }
command -v sbatch >/dev/null || { echo "error: sbatch not found: is this a SLURM login node?" >&2; exit 2; }

config="$(realpath "$config")"
[ -n "$out" ] || out="$(basename "${config%.*}").h5"
out="$(realpath -m "$out")"
work="$out.slurm"
# Validate now, not in N failed tasks: the config, and the shard count against its chunks.
"$DETERRENCE_BIN" validate "$config" >/dev/null
mkdir -p "$work/shards" "$work/logs"

# run_args are words for `deterrence run`, split on blanks but never glob-expanded (a file named
# like an option in this folder must not become one).
read -r -a run_words <<< "$run_args"
array_id=$(sbatch --parsable --array="1-$shards" --job-name=deterrence-shards \
  --output="$work/logs/shard-%a.out" "$@" \
  "$HERE/shard.sbatch" "$config" "$work" "$shards" ${run_words[@]+"${run_words[@]}"})
array_id="${array_id%%;*}"
merge_id=$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  --job-name=deterrence-merge --output="$work/logs/merge.out" "$@" \
  "$HERE/merge.sbatch" "$work" "$shards" "$out" ${copy:+"$copy"})
merge_id="${merge_id%%;*}"
echo "submitted shards: job $array_id (array 1-$shards), merge: job $merge_id"
echo "logs: $work/logs/   result: $out"
echo "$array_id $merge_id" > "$work/jobs"
