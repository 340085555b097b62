#!/usr/bin/env bash
# Every test: install what is missing, build, run the C++ suite (ctest), the checks on the
# shipped configs and the SLURM integration test. .ci/run calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
bash "$ROOT/tests/scripts/check_configs.sh" "$BUILD_DIR/engine/deterrence"
# A real one-node SLURM on localhost: array of shards + merge, bit-identical to one process.
bash "$ROOT/tests/slurm/slurm_integration.sh" "$BUILD_DIR"
echo "[tests] all passed"
