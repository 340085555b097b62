#!/usr/bin/env bash
# Stopping an MPI run gives exit 3 on every path, and the resumed run is bit-identical:
#  1. SIGUSR1 to mpirun (forwarded to every rank) -> mpirun exits 3, checkpoint kept;
#  2. SIGTERM to jobs/slurm/mpi.sbatch (as SLURM's scancel does) -> the script exits 3;
#  3. submitted again, the script resumes and finishes a file that verifies.
# (Bit-identity of resumed MPI runs is tested in mpi_test.cpp.)
# Usage: check_mpi_signals.sh BINARY (a build with MPI)
set -euo pipefail
BIN="$(realpath "$1")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
CONFIG="$ROOT/configs/baseline.yaml"
DRAWS=400000   # about 15 s on 2 ranks: the signal lands mid-run
export MPIRUN_ARGS="--allow-run-as-root --oversubscribe" SLURM_NTASKS=2 DETERRENCE_BIN="$BIN"
wait_for_progress() {  # until the ranks are past start-up (a checkpoint folder exists)
  for _ in $(seq 1 100); do [ -d "$1.checkpoint" ] && { sleep 2; return 0; }; sleep 0.2; done
  echo "[mpi signals] FAILED: no checkpoint folder appeared"; exit 1
}
set +e
mpirun $MPIRUN_ARGS -n 2 "$BIN" run "$CONFIG" --draws $DRAWS --out a.h5 >a.log 2>&1 &
launcher=$!; wait_for_progress a.h5; kill -USR1 $launcher; wait $launcher; status=$?
[ $status -eq 3 ] || { echo "[mpi signals] FAILED: SIGUSR1 to mpirun gave exit $status"; cat a.log; exit 1; }
[ ! -e a.h5 ] && [ -d a.h5.checkpoint ] || { echo "[mpi signals] FAILED: no checkpoint, or a final file"; exit 1; }
bash "$ROOT/jobs/slurm/mpi.sbatch" "$CONFIG" b.h5 --draws $DRAWS >b.log 2>&1 &
script=$!; wait_for_progress b.h5; kill -TERM $script; wait $script; status=$?
while kill -0 $script 2>/dev/null; do wait $script; status=$?; done
[ $status -eq 3 ] || { echo "[mpi signals] FAILED: SIGTERM to mpi.sbatch gave exit $status"; cat b.log; exit 1; }
set -e
bash "$ROOT/jobs/slurm/mpi.sbatch" "$CONFIG" b.h5 --draws $DRAWS >>b.log 2>&1
[ -f b.h5 ] && [ ! -e b.h5.checkpoint ] || { echo "[mpi signals] FAILED: the resumed run did not finish"; exit 1; }
"$BIN" verify b.h5 >/dev/null
echo "[mpi signals] SIGUSR1 to mpirun and SIGTERM to mpi.sbatch both exit 3 with a checkpoint"
