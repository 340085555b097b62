#include "simd/hermite.h"

#include "simd/registers.h"

namespace deterrence::simd {

void hermite_values(const HermiteGrid& grid, const double* t, double* out, std::size_t n) {
  std::size_t done = 0;
#if defined(__x86_64__)
  // Eight lanes hold int32 positions: a grid of more knots (none the engine builds) goes one at a time.
  if (grid.count >= 2 && grid.count < (std::size_t{1} << 30) && widest_register_bits() >= 512)
    done = hermite_values_avx512(grid, t, out, n);
#endif
  for (; done < n; ++done) out[done] = hermite_value(grid, t[done]);
}

}  // namespace deterrence::simd
