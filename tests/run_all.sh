#!/usr/bin/env bash
# Every test: install what is missing, build, run the C++ suite (ctest; again in a sanitizer
# build without MPI), the checks on the shipped configs, the analysis package's pytest suite, the
# crafted-file corpus, two fuzz targets and the SLURM integration test. .ci/run calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Each stage's start, with the time so far: where a long run spends it.
stage() { echo "[tests] $* (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }
# The three crafted-file corpora against BINARY, side by side: each works in its own temporary
# folder, and most of their time is the engine's start-up, one process at a time. Fails if any does.
corpora() {
  local pids=() status=0 script
  for script in run_corpus.sh run_calibration_corpus.sh run_metadata_corpus.sh; do
    bash "$ROOT/tests/hostile/$script" "$1" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  return "$status"
}
stage "set-up and build"
source "$ROOT/jobs/lib/setup.sh"
cd "$BUILD_DIR"
stage "unit suite"
ctest --output-on-failure -j"$(nproc)"
stage "configs, job scripts and MPI signals"
bash "$ROOT/tests/scripts/check_configs.sh" "$BUILD_DIR/engine/deterrence"
bash "$ROOT/tests/scripts/check_submit_quoting.sh" "$BUILD_DIR/engine/deterrence"
bash "$ROOT/tests/scripts/check_mpi_signals.sh" "$BUILD_DIR/engine/deterrence"
# The analysis package (Debian's Python, h5py, pandas, matplotlib) against real runs.
stage "analysis package (pytest)"
(cd "$ROOT" && DETERRENCE_BIN="$BUILD_DIR/engine/deterrence" /usr/bin/python3 -m pytest -q -p no:cacheprovider analysis/tests)
# Crafted results files against every reader (tests/hostile/), with the release build.
stage "crafted files"
corpora "$BUILD_DIR/engine/deterrence"
# The sanitizer build, as OSS-Fuzz builds: clang, AddressSanitizer + UndefinedBehaviorSanitizer
# (+ LeakSanitizer), coverage for libFuzzer, and no MPI (so it also shows the engine does not
# need MPI). The whole unit suite runs in it, then the crafted corpus, then each fuzz target for
# a fixed time from its checked-in seed corpus. Any sanitizer report fails the test command.
SAN_DIR="$BUILD_DIR-sanitizers"
stage "sanitizer build"
echo "[tests] building the sanitizer build (clang, ASan+UBSan, libFuzzer, no MPI) in $SAN_DIR"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$SAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDETERRENCE_WITH_MPI=OFF \
  -DDETERRENCE_BUILD_BENCH=OFF -DDETERRENCE_BUILD_FUZZERS=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_C_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$SAN_DIR" -j"$(nproc)" 2>&1 | grep -E "warning|error" || true
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
stage "unit suite under the sanitizers"
(cd "$SAN_DIR" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$(nproc)")
# Started by mpirun, a build without MPI refuses rather than run the whole experiment per rank.
refusal="$(mpirun --allow-run-as-root --oversubscribe -n 2 "$SAN_DIR/engine/deterrence" run \
  "$ROOT/configs/ishigami.yaml" --draws 1000 --out /dev/null 2>&1 || true)"
if [[ "$refusal" == *"built without MPI"* ]]; then
  echo "[tests] no-MPI build refuses mpirun clearly"
else
  echo "[tests] FAILED: the no-MPI build did not refuse mpirun"; exit 1
fi
stage "crafted files under the sanitizers"
(export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 && corpora "$SAN_DIR/engine/deterrence")
stage "fuzzing"
bash "$ROOT/tests/fuzz/run_fuzzers.sh" "$SAN_DIR" 20000 1000
stage "SLURM integration"
# A real one-node SLURM on localhost: array of shards + merge, bit-identical to one process.
bash "$ROOT/tests/slurm/slurm_integration.sh" "$BUILD_DIR"
stage "all passed"
