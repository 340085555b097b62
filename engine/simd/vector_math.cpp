#include "simd/vector_math.h"

#include <sleef.h>

#include "simd/registers.h"
#include "simd/vector_math_wide.h"

namespace deterrence::simd {

double sine(double x) { return Sleef_cinz_sind1_u10purec(x); }

void sines(const double* x, double* out, std::size_t n) {
  std::size_t done = 0;
#if defined(__x86_64__)
  // The widest registers first (their own translation units, compiled for them), then SSE2 pairs,
  // which every x86-64 has; the last odd value one at a time. Same bits every way.
  const int bits = widest_register_bits();
  if (bits >= 512)
    done = sines_avx512(x, out, n);
  else if (bits >= 256)
    done = sines_avx(x, out, n);
  for (; done + 2 <= n; done += 2) _mm_storeu_pd(out + done, Sleef_cinz_sind2_u10sse2(_mm_loadu_pd(x + done)));
#endif
  for (; done < n; ++done) out[done] = Sleef_cinz_sind1_u10purec(x[done]);
}

}  // namespace deterrence::simd
