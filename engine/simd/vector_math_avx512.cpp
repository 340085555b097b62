// Compiled with -mavx512f (engine/CMakeLists.txt): called only where widest_register_bits() is 512.
#include <sleef.h>

#include "simd/vector_math_wide.h"

namespace deterrence::simd {

namespace {
template <class F>
std::size_t eight_at_a_time(const double* x, double* out, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, f(_mm512_loadu_pd(x + i)));
  return i;
}
}  // namespace

std::size_t sines_avx512(const double* x, double* out, std::size_t n) {
  return eight_at_a_time(x, out, n, [](__m512d v) { return Sleef_cinz_sind8_u10avx512fnofma(v); });
}
std::size_t exponentials_avx512(const double* x, double* out, std::size_t n) {
  return eight_at_a_time(x, out, n, [](__m512d v) { return Sleef_cinz_expd8_u10avx512fnofma(v); });
}

}  // namespace deterrence::simd
