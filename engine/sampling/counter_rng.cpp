#include "sampling/counter_rng.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace deterrence {

std::uint64_t stream_of(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  // splitmix64 finaliser: spreads similar names (salience.A.x, salience.B.x) far apart.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

#if defined(__SSE2__)
namespace {

// The 32-bit products hi and lo of four lanes times a constant m (Philox's mulhilo on four
// counters): SSE2 multiplies lanes 0 and 2, then 1 and 3, into 64-bit products; the halves are
// gathered back into lane order.
void multiply_high_low(__m128i value, __m128i m, __m128i& high, __m128i& low) {
  const __m128i even = _mm_mul_epu32(value, m);                     // lanes 0, 2: lo, hi, lo, hi
  const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(value, 32), m);  // lanes 1, 3
  high = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(3, 1, 3, 1)),
                            _mm_shuffle_epi32(odd, _MM_SHUFFLE(3, 1, 3, 1)));
  low = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm_shuffle_epi32(odd, _MM_SHUFFLE(2, 0, 2, 0)));
}

}  // namespace
#endif

void CounterRng::uniforms(std::uint64_t draw, std::span<const std::uint64_t> streams, std::span<double> out) const {
  std::size_t i = 0;
#if defined(__SSE2__)
  // Philox4x32-10 as Random123 computes it (Salmon et al. 2011): ten rounds, the key bumped by
  // the Weyl constants between rounds; the draw fills counter words 0–1, the stream words 2–3.
  const auto word = [](std::uint32_t v) { return _mm_set1_epi32(static_cast<int>(v)); };
  // Random123's own constants: the multipliers and the Weyl key increments.
  const __m128i m0 = word(PHILOX_M4x32_0), m1 = word(PHILOX_M4x32_1), w0 = word(PHILOX_W32_0), w1 = word(PHILOX_W32_1);
  const __m128i draw_low = word(static_cast<std::uint32_t>(draw)), draw_high = word(static_cast<std::uint32_t>(draw >> 32));
  alignas(16) std::uint32_t lanes[2][4];
  for (; i + 4 <= streams.size(); i += 4) {
    const auto stream_word = [&](int shift) {
      return _mm_setr_epi32(static_cast<int>(static_cast<std::uint32_t>(streams[i] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(streams[i + 1] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(streams[i + 2] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(streams[i + 3] >> shift)));
    };
    __m128i c0 = draw_low, c1 = draw_high, c2 = stream_word(0), c3 = stream_word(32);
    __m128i k0 = word(key_[0]), k1 = word(key_[1]);
    for (int round = 0; round < 10; ++round) {
      __m128i high0, low0, high1, low1;
      multiply_high_low(c0, m0, high0, low0);
      multiply_high_low(c2, m1, high1, low1);
      c0 = _mm_xor_si128(_mm_xor_si128(high1, c1), k0);
      c1 = low1;
      c2 = _mm_xor_si128(_mm_xor_si128(high0, c3), k1);
      c3 = low0;
      k0 = _mm_add_epi32(k0, w0);
      k1 = _mm_add_epi32(k1, w1);
    }
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes[0]), c0);
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes[1]), c1);
    for (int l = 0; l < 4; ++l) out[i + static_cast<std::size_t>(l)] = to_uniform(lanes[0][l], lanes[1][l]);
  }
#endif
  for (; i < streams.size(); ++i) out[i] = uniform(draw, streams[i]);
}

}  // namespace deterrence
