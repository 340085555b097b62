#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages) and builds the project into build/.
# Sourced by jobs/run_default.sh and tests/run_all.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

PACKAGES=(build-essential cmake pkg-config git time
  libtbb-dev libhdf5-dev hdf5-tools libeigen3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  librandom123-dev libsleef-dev libboost-dev libssl-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev libopenmpi-dev openmpi-bin
  python3-h5py python3-numpy python3-pandas python3-matplotlib python3-scipy python3-pytest
  python3-xarray python3-h5netcdf netcdf-bin chromium python3-jsonschema python3-yaml jupyter-nbconvert python3-ipykernel python3-nbclient python3-nbformat python3-sklearn
  clang libclang-rt-14-dev)  # clang: the sanitizer and fuzzing build of the test command

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup] installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "[setup] building in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" 2>&1 | grep -E "warning|error|Built target" || true
test -x "$BUILD_DIR/engine/deterrence"
