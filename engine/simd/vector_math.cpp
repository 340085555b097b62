#include "simd/vector_math.h"

#include <sleef.h>

#include "simd/registers.h"
#include "simd/vector_math_wide.h"

namespace deterrence::simd {

namespace {

using Wide = std::size_t (*)(const double*, double*, std::size_t);

// The widest registers first (their own translation units, compiled for them), then SSE2 pairs,
// which every x86-64 has; the last odd value one at a time. Same bits every way.
template <class Pair, class One>
void many(const double* x, double* out, std::size_t n, Wide avx512, Wide avx, Pair pair, One one) {
  std::size_t done = 0;
#if defined(__x86_64__)
  const int bits = widest_register_bits();
  if (bits >= 512)
    done = avx512(x, out, n);
  else if (bits >= 256)
    done = avx(x, out, n);
  for (; done + 2 <= n; done += 2) _mm_storeu_pd(out + done, pair(_mm_loadu_pd(x + done)));
#else
  (void)avx512, (void)avx, (void)pair;
#endif
  for (; done < n; ++done) out[done] = one(x[done]);
}

}  // namespace

double sine(double x) { return Sleef_cinz_sind1_u10purec(x); }
double exponential(double x) { return Sleef_cinz_expd1_u10purec(x); }

void sines(const double* x, double* out, std::size_t n) {
  many(x, out, n, sines_avx512, sines_avx, [](__m128d v) { return Sleef_cinz_sind2_u10sse2(v); }, sine);
}
void exponentials(const double* x, double* out, std::size_t n) {
  many(x, out, n, exponentials_avx512, exponentials_avx, [](__m128d v) { return Sleef_cinz_expd2_u10sse2(v); },
       exponential);
}

}  // namespace deterrence::simd
