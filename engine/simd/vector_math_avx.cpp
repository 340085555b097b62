// Compiled with -mavx (engine/CMakeLists.txt): called only where widest_register_bits() is 256.
#include <sleef.h>

#include "simd/vector_math_wide.h"

namespace deterrence::simd {

namespace {
template <class F>
std::size_t four_at_a_time(const double* x, double* out, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, f(_mm256_loadu_pd(x + i)));
  return i;
}
}  // namespace

std::size_t sines_avx(const double* x, double* out, std::size_t n) {
  return four_at_a_time(x, out, n, [](__m256d v) { return Sleef_cinz_sind4_u10avx(v); });
}
std::size_t exponentials_avx(const double* x, double* out, std::size_t n) {
  return four_at_a_time(x, out, n, [](__m256d v) { return Sleef_cinz_expd4_u10avx(v); });
}

}  // namespace deterrence::simd
