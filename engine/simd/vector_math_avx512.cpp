// Compiled with -mavx512f (engine/CMakeLists.txt): called only where widest_register_bits() is 512.
#include <sleef.h>

#include "simd/vector_math_wide.h"

namespace deterrence::simd {

std::size_t sines_avx512(const double* x, double* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, Sleef_cinz_sind8_u10avx512fnofma(_mm512_loadu_pd(x + i)));
  return i;
}

}  // namespace deterrence::simd
