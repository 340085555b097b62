// Compiled with -mavx512f (engine/CMakeLists.txt): called only where widest_register_bits() is 512.
#include <immintrin.h>

#include "simd/hermite.h"

namespace deterrence::simd {

// hermite_value's steps lane by lane: the position, its whole part k (truncated, at most
// count − 2), the fraction f, the four knot numbers loaded, then the same sum in the same order.
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
    const __m256i k = _mm256_min_epi32(_mm512_maskz_cvttpd_epi32(0xFF, safe), top);
    const __m512d f = _mm512_sub_pd(safe, _mm512_maskz_cvtepi32_pd(0xFF, k));
    const __m512d f2 = _mm512_mul_pd(f, f), f3 = _mm512_mul_pd(f2, f);
    // Each lane's four numbers (value, slope of knot k, then of knot k + 1) are side by side: one
    // 256-bit load per lane, two lanes to a register, then transposed into one register each,
    // where four gathers took twice as long on an AMD EPYC (README "Engine 0.6.0"). The masked
    // forms throughout: the plain ones start from an undefined register, which GCC 12 warns of.
    alignas(32) int at[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(at), _mm256_add_epi32(k, k));  // 2k: the knot's value
    const double* q = grid.knots;
    const auto pair = [q](int first, int second) {
      return _mm512_mask_broadcast_f64x4(_mm512_maskz_broadcast_f64x4(0x0F, _mm256_loadu_pd(q + first)), 0xF0,
                                         _mm256_loadu_pd(q + second));
    };
    const __m512d lanes01 = pair(at[0], at[1]), lanes23 = pair(at[2], at[3]), lanes45 = pair(at[4], at[5]),
                  lanes67 = pair(at[6], at[7]);
    // [a0 b0 c0 d0 a1 b1 c1 d1] for lanes 0–3 (and 4–7): the first two numbers, then the last two.
    const __m512i firsts = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0), lasts = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    const __m512d low_first = _mm512_permutex2var_pd(lanes01, firsts, lanes23),
                  low_last = _mm512_permutex2var_pd(lanes01, lasts, lanes23),
                  high_first = _mm512_permutex2var_pd(lanes45, firsts, lanes67),
                  high_last = _mm512_permutex2var_pd(lanes45, lasts, lanes67);
    const __m512i evens = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0), odds = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
    const __m512d v0 = _mm512_permutex2var_pd(low_first, evens, high_first),
                  s0 = _mm512_permutex2var_pd(low_first, odds, high_first),
                  v1 = _mm512_permutex2var_pd(low_last, evens, high_last),
                  s1 = _mm512_permutex2var_pd(low_last, odds, high_last);
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
