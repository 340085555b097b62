// Compiled with -mavx512f (engine/CMakeLists.txt): called only where widest_register_bits() is 512.
#include <immintrin.h>

#include "simd/hermite.h"

namespace deterrence::simd {

// hermite_value's steps lane by lane: the position, its whole part k (truncated, at most
// count − 2), the fraction f, the four knot numbers gathered, then the same sum in the same order.
std::size_t hermite_values_avx512(const HermiteGrid& grid, const double* t, double* out, std::size_t n) {
  const __m512d first = _mm512_set1_pd(grid.first), step = _mm512_set1_pd(grid.step);
  const __m512d zero = _mm512_setzero_pd(), last = _mm512_set1_pd(static_cast<double>(grid.count - 1));
  const __m256i top = _mm256_set1_epi32(static_cast<int>(grid.count - 2));
  const __m512d two = _mm512_set1_pd(2.0), three = _mm512_set1_pd(3.0), one = _mm512_set1_pd(1.0),
                minus_two = _mm512_set1_pd(-2.0), nan = _mm512_set1_pd(std::numeric_limits<double>::quiet_NaN());
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d position = _mm512_div_pd(_mm512_sub_pd(_mm512_loadu_pd(t + i), first), step);
    // Ordered comparisons: false for NaN, as hermite_value's !(position >= 0).
    const __mmask8 inside = _mm512_cmp_pd_mask(position, zero, _CMP_GE_OQ) & _mm512_cmp_pd_mask(position, last, _CMP_LE_OQ);
    const __m512d safe = _mm512_mask_blend_pd(inside, zero, position);  // outside lanes read knot 0
    const __m256i k = _mm256_min_epi32(_mm512_cvttpd_epi32(safe), top);
    const __m512d f = _mm512_sub_pd(safe, _mm512_cvtepi32_pd(k));
    const __m512d f2 = _mm512_mul_pd(f, f), f3 = _mm512_mul_pd(f2, f);
    const __m256i index = _mm256_add_epi32(k, k);  // 2k: the knot's value
    const __m512d v0 = _mm512_i32gather_pd(index, grid.knots, 8), s0 = _mm512_i32gather_pd(index, grid.knots + 1, 8),
                  v1 = _mm512_i32gather_pd(index, grid.knots + 2, 8), s1 = _mm512_i32gather_pd(index, grid.knots + 3, 8);
    // (2f³ − 3f² + 1)·v0 + (f³ − 2f² + f)·step·s0 + (−2f³ + 3f²)·v1 + (f³ − f²)·step·s1, left to right.
    const __m512d h00 = _mm512_add_pd(_mm512_sub_pd(_mm512_mul_pd(two, f3), _mm512_mul_pd(three, f2)), one);
    const __m512d h10 = _mm512_add_pd(_mm512_sub_pd(f3, _mm512_mul_pd(two, f2)), f);
    const __m512d h01 = _mm512_add_pd(_mm512_mul_pd(minus_two, f3), _mm512_mul_pd(three, f2));
    const __m512d h11 = _mm512_sub_pd(f3, f2);
    __m512d sum = _mm512_mul_pd(h00, v0);
    sum = _mm512_add_pd(sum, _mm512_mul_pd(_mm512_mul_pd(h10, step), s0));
    sum = _mm512_add_pd(sum, _mm512_mul_pd(h01, v1));
    sum = _mm512_add_pd(sum, _mm512_mul_pd(_mm512_mul_pd(h11, step), s1));
    _mm512_storeu_pd(out + i, _mm512_mask_blend_pd(inside, nan, sum));
  }
  return i;
}

}  // namespace deterrence::simd
