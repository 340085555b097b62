#pragma once
// Cubic Hermite interpolation on a uniform grid, one value or many at a time. The many-at-a-time
// form reads eight values' knots in AVX-512 registers where the machine has them and gives the
// bits of the one-at-a-time form (the same operations in the same order, no fused multiply-add),
// so a table read either way gives every draw the same value.
#include <algorithm>
#include <cstddef>
#include <limits>

namespace deterrence::simd {

// Knots at first + k·step for k < count, each knot's value and slope side by side:
// value k at knots[2k], slope k at knots[2k + 1].
struct HermiteGrid {
  double first = 0, step = 0;
  const double* knots = nullptr;
  std::size_t count = 0;
};

// The interpolant at t, or NaN outside [first, first + (count − 1)·step] (and for NaN t, or
// fewer than two knots). Inline: tables are read on the hot path.
inline double hermite_value(const HermiteGrid& grid, double t) {
  const double position = (t - grid.first) / grid.step;
  const std::size_t count = grid.count;
  if (!(position >= 0.0) || !(position <= static_cast<double>(count - 1)) || count < 2)
    return std::numeric_limits<double>::quiet_NaN();
  const std::size_t k = std::min(static_cast<std::size_t>(position), count - 2);
  const double f = position - static_cast<double>(k), f2 = f * f, f3 = f2 * f;
  const double* q = grid.knots + 2 * k;  // value, slope of knot k, then of knot k + 1
  const double step = grid.step;
  return (2 * f3 - 3 * f2 + 1) * q[0] + (f3 - 2 * f2 + f) * step * q[1] + (-2 * f3 + 3 * f2) * q[2] +
         (f3 - f2) * step * q[3];
}

// out[i] = hermite_value(grid, t[i]) for i < n, the same bits (out may be t). Allocates nothing.
void hermite_values(const HermiteGrid& grid, const double* t, double* out, std::size_t n);

// The AVX-512 part (its own file, compiled for it; called only where the machine has it): the
// first values eight at a time, returning how many it did.
std::size_t hermite_values_avx512(const HermiteGrid& grid, const double* t, double* out, std::size_t n);

}  // namespace deterrence::simd
