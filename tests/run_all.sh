#!/usr/bin/env bash
# Every test: install what is missing, build, run the C++ suite (ctest, with and without MPI),
# the checks on the shipped configs, the analysis package's pytest suite and the SLURM
# integration test. .ci/run calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
bash "$ROOT/tests/scripts/check_configs.sh" "$BUILD_DIR/engine/deterrence"
bash "$ROOT/tests/scripts/check_submit_quoting.sh" "$BUILD_DIR/engine/deterrence"
bash "$ROOT/tests/scripts/check_mpi_signals.sh" "$BUILD_DIR/engine/deterrence"
# The analysis package (Debian's Python, h5py, pandas, matplotlib) against real runs.
(cd "$ROOT" && DETERRENCE_BIN="$BUILD_DIR/engine/deterrence" /usr/bin/python3 -m pytest -q -p no:cacheprovider analysis/tests)
# The same suite from a build without MPI (the MPI tests skip): the engine must not need it.
NOMPI_DIR="$BUILD_DIR-nompi"
echo "[tests] building without MPI in $NOMPI_DIR"
cmake -S "$ROOT" -B "$NOMPI_DIR" -DCMAKE_BUILD_TYPE=Release -DDETERRENCE_WITH_MPI=OFF -DDETERRENCE_BUILD_BENCH=OFF >/dev/null
cmake --build "$NOMPI_DIR" -j"$(nproc)" 2>&1 | grep -E "warning|error" || true
(cd "$NOMPI_DIR" && ctest --output-on-failure -j"$(nproc)")
# Started by mpirun, a build without MPI refuses rather than run the whole experiment per rank.
refusal="$(mpirun --allow-run-as-root --oversubscribe -n 2 "$NOMPI_DIR/engine/deterrence" run \
  "$ROOT/configs/ishigami.yaml" --draws 1000 --out /dev/null 2>&1 || true)"
if [[ "$refusal" == *"built without MPI"* ]]; then
  echo "[tests] no-MPI build refuses mpirun clearly"
else
  echo "[tests] FAILED: the no-MPI build did not refuse mpirun"; exit 1
fi
# Crafted results files against every reader, with the release build and under AddressSanitizer
# + UndefinedBehaviorSanitizer (a separate build of the command-line program).
bash "$ROOT/tests/hostile/run_corpus.sh" "$BUILD_DIR/engine/deterrence"
ASAN_DIR="$BUILD_DIR-asan"
echo "[tests] building the sanitizer build in $ASAN_DIR"
cmake -S "$ROOT" -B "$ASAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDETERRENCE_WITH_MPI=OFF -DDETERRENCE_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" >/dev/null
cmake --build "$ASAN_DIR" -j"$(nproc)" --target deterrence 2>&1 | grep -E "error" || true
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  bash "$ROOT/tests/hostile/run_corpus.sh" "$ASAN_DIR/engine/deterrence"
# A real one-node SLURM on localhost: array of shards + merge, bit-identical to one process.
bash "$ROOT/tests/slurm/slurm_integration.sh" "$BUILD_DIR"
echo "[tests] all passed"
