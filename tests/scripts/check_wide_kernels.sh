#!/usr/bin/env bash
# The wide kernels (episode lanes, normal quantiles, Philox) must compile to whole-register
# operations for AVX2 and AVX-512: GCC says "will be expanded piecewise" where it splits a vector
# operation into lanes (-Wvector-operation-performance). GCC 12 did so for 52 operations of the
# 8-lane game kernel until it was compiled under its target pragma (episode_lanes_kernel.inc),
# at a cost of a quarter of a baseline draw. The two-lane (SSE2) kernels may split: SSE2 has no
# 64-bit integer compare.
# Usage: check_wide_kernels.sh CXX SOURCE_DIR BUILD_DIR
set -euo pipefail
CXX="$1"; SRC="$2"; BUILD="$3"
failed=0
for source in engine/models/coercion/episode_lanes.cpp engine/sampling/normal_quantile.cpp engine/sampling/counter_rng.cpp; do
  # GCC names a diagnostic's function (and what it was inlined into) once, then omits the names
  # for the next diagnostics in the same place: a warning counts when the last names given
  # include an AVX2 or AVX-512 entry.
  split=$("$CXX" -O3 -DNDEBUG -ffp-contract=off -std=c++20 -I"$SRC/engine" -I"$BUILD/engine/generated" \
      -Wno-psabi -Wvector-operation-performance -c "$SRC/$source" -o /dev/null 2>&1 |
    awk '/^In (member )?function/ { wide = 0 }
         /^In (member )?function|inlined from/ { if ($0 ~ /_avx512|_avx2/) wide = 1 }
         /warning: vector (operation|condition) will be expanded piecewise/ { if (wide) n++ }
         END { print n + 0 }')
  echo "[wide kernels] $source: $split operations split into lanes in the AVX2/AVX-512 entries"
  [[ "$split" == 0 ]] || failed=1
done
exit "$failed"
