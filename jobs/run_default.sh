#!/usr/bin/env bash
# The main job: install what is missing, build, run the default experiment (the policy
# comparison of configs/baseline.yaml), print its summary and write its report
# (results/baseline-report/index.html). Extra arguments go to
# `deterrence run` (e.g. --draws 1000000 --threads 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib/setup.sh"
mkdir -p "$ROOT/results"
"$BUILD_DIR/engine/deterrence" run "$ROOT/configs/baseline.yaml" --out "$ROOT/results/baseline.h5" --force "$@"
"$BUILD_DIR/engine/deterrence" summary "$ROOT/results/baseline.h5"
# Figures, tables and an index.html to open in a browser.
(cd "$ROOT" && /usr/bin/python3 -m analysis report results/baseline.h5 --out results/baseline-report)
