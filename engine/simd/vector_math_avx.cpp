// Compiled with -mavx (engine/CMakeLists.txt): called only where widest_register_bits() is 256.
#include <sleef.h>

#include "simd/vector_math_wide.h"

namespace deterrence::simd {

std::size_t sines_avx(const double* x, double* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, Sleef_cinz_sind4_u10avx(_mm256_loadu_pd(x + i)));
  return i;
}

}  // namespace deterrence::simd
