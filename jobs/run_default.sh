#!/usr/bin/env bash
# The main job: install what is missing, build, run the default experiment (the policy
# comparison of configs/baseline.yaml) and print its summary. Extra arguments go to
# `deterrence run` (e.g. --draws 1000000 --threads 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib/setup.sh"
mkdir -p "$ROOT/results"
"$BUILD_DIR/engine/deterrence" run "$ROOT/configs/baseline.yaml" --out "$ROOT/results/baseline.h5" --force "$@"
"$BUILD_DIR/engine/deterrence" summary "$ROOT/results/baseline.h5"
