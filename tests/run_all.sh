#!/usr/bin/env bash
# Every test: install what is missing, build, run the C++ suite (ctest) and the checks on the
# shipped configs. .ci/run calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
bash "$ROOT/tests/scripts/check_configs.sh" "$BUILD_DIR/engine/deterrence"
echo "[tests] all passed"
