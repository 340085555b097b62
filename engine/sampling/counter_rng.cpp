#include "sampling/counter_rng.h"

#include "simd/registers.h"

#if defined(__x86_64__)
#include <immintrin.h>
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

#if defined(__x86_64__)
namespace {

// Philox4x32-10 as Random123 computes it (Salmon et al. 2011), on as many counters as a register
// holds: ten rounds, the key bumped by the Weyl constants between rounds; the draw fills counter
// words 0–1, the stream words 2–3. Random123's own constants: the multipliers and the Weyl key
// increments. Each width below is the same algorithm; `mul_epu32` multiplies the even 32-bit
// lanes into 64-bit products, so the odd lanes are shifted down and the halves gathered back
// into lane order (shuffles and unpacks act within each 128-bit block, as in SSE2).

void multiply_high_low(__m128i value, __m128i m, __m128i& high, __m128i& low) {
  const __m128i even = _mm_mul_epu32(value, m);                     // lanes 0, 2: lo, hi, lo, hi
  const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(value, 32), m);  // lanes 1, 3
  high = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(3, 1, 3, 1)),
                            _mm_shuffle_epi32(odd, _MM_SHUFFLE(3, 1, 3, 1)));
  low = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm_shuffle_epi32(odd, _MM_SHUFFLE(2, 0, 2, 0)));
}

// Each kernel takes `draws` as one draw for every stream (kDrawPerStream false: draws[0]) or one
// draw per stream (true: draws[k] with streams[k]); the rounds are the same.
template <bool kDrawPerStream>
std::size_t uniforms_sse2(const r123::Philox4x32::key_type& key, const std::uint64_t* draws,
                          std::span<const std::uint64_t> streams, std::span<double> out, std::size_t i) {
  const auto word = [](std::uint32_t v) { return _mm_set1_epi32(static_cast<int>(v)); };
  const __m128i m0 = word(PHILOX_M4x32_0), m1 = word(PHILOX_M4x32_1), w0 = word(PHILOX_W32_0), w1 = word(PHILOX_W32_1);
  // One draw for every lane; with a draw per lane there may be none at all, so no draws[0].
  const std::uint64_t draw = kDrawPerStream ? 0 : draws[0];
  const __m128i draw_low = word(static_cast<std::uint32_t>(draw));
  const __m128i draw_high = word(static_cast<std::uint32_t>(draw >> 32));
  alignas(16) std::uint32_t lanes[2][4];
  for (; i + 4 <= streams.size(); i += 4) {
    const auto words = [&](const std::uint64_t* of, int shift) {
      return _mm_setr_epi32(static_cast<int>(static_cast<std::uint32_t>(of[i] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(of[i + 1] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(of[i + 2] >> shift)),
                            static_cast<int>(static_cast<std::uint32_t>(of[i + 3] >> shift)));
    };
    __m128i c0 = draw_low, c1 = draw_high, c2 = words(streams.data(), 0), c3 = words(streams.data(), 32);
    if constexpr (kDrawPerStream) {
      c0 = words(draws, 0);
      c1 = words(draws, 32);
    }
    __m128i k0 = word(key[0]), k1 = word(key[1]);
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
    for (int l = 0; l < 4; ++l) out[i + static_cast<std::size_t>(l)] = CounterRng::to_uniform(lanes[0][l], lanes[1][l]);
  }
  return i;
}

__attribute__((target("avx2"))) void multiply_high_low(__m256i value, __m256i m, __m256i& high, __m256i& low) {
  const __m256i even = _mm256_mul_epu32(value, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(value, 32), m);
  high = _mm256_unpacklo_epi32(_mm256_shuffle_epi32(even, _MM_SHUFFLE(3, 1, 3, 1)),
                               _mm256_shuffle_epi32(odd, _MM_SHUFFLE(3, 1, 3, 1)));
  low = _mm256_unpacklo_epi32(_mm256_shuffle_epi32(even, _MM_SHUFFLE(2, 0, 2, 0)),
                              _mm256_shuffle_epi32(odd, _MM_SHUFFLE(2, 0, 2, 0)));
}

// Eight 64-bit numbers' low and high words: four per load, their halves sorted apart.
__attribute__((target("avx2"), always_inline)) inline void split_words(const std::uint64_t* of, __m256i& low,
                                                                      __m256i& high) {
  const __m256i halves = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256i first = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(of)), halves);
  const __m256i second =
      _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(of + 4)), halves);
  low = _mm256_permute2x128_si256(first, second, 0x20);
  high = _mm256_permute2x128_si256(first, second, 0x31);
}

template <bool kDrawPerStream>
__attribute__((target("avx2"))) std::size_t uniforms_avx2(const r123::Philox4x32::key_type& key,
                                                          const std::uint64_t* draws,
                                                          std::span<const std::uint64_t> streams,
                                                          std::span<double> out, std::size_t i) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(PHILOX_M4x32_0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(PHILOX_M4x32_1));
  const __m256i w0 = _mm256_set1_epi32(static_cast<int>(PHILOX_W32_0));
  const __m256i w1 = _mm256_set1_epi32(static_cast<int>(PHILOX_W32_1));
  const std::uint64_t draw = kDrawPerStream ? 0 : draws[0];
  const __m256i draw_low = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(draw)));
  const __m256i draw_high = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(draw >> 32)));
  alignas(32) std::uint32_t lanes[2][8];
  for (; i + 8 <= streams.size(); i += 8) {
    __m256i c0 = draw_low, c1 = draw_high, c2, c3;
    split_words(streams.data() + i, c2, c3);
    if constexpr (kDrawPerStream) split_words(draws + i, c0, c1);
    __m256i k0 = _mm256_set1_epi32(static_cast<int>(key[0])), k1 = _mm256_set1_epi32(static_cast<int>(key[1]));
    for (int round = 0; round < 10; ++round) {
      __m256i high0, low0, high1, low1;
      multiply_high_low(c0, m0, high0, low0);
      multiply_high_low(c2, m1, high1, low1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(high1, c1), k0);
      c1 = low1;
      c2 = _mm256_xor_si256(_mm256_xor_si256(high0, c3), k1);
      c3 = low0;
      k0 = _mm256_add_epi32(k0, w0);
      k1 = _mm256_add_epi32(k1, w1);
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[0]), c0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[1]), c1);
    for (int l = 0; l < 8; ++l) out[i + static_cast<std::size_t>(l)] = CounterRng::to_uniform(lanes[0][l], lanes[1][l]);
  }
  return i;
}

// GCC 12's AVX-512 headers start some intrinsics from an "undefined" register and warn about it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// AVX-512 holds eight blocks a register in 64-bit lanes, each 32-bit word in a lane's low half.
// The high halves are never read: mul_epu32 multiplies only the low halves, into the whole 64-bit
// product (high word above, low word below, with no shuffles), and the uniform is built from low
// halves. A round is two multiplies, two shifts and two three-way XORs (vpternlogq).
constexpr int kRounds = 10;

// Eight blocks' rounds from their counters' draw (c0: low word below) and stream (c2) words, and
// their uniforms into out[0 .. 7].
__attribute__((target("avx512f,avx512dq"), always_inline)) inline void uniforms_of_eight(
    const std::uint32_t* key0, const std::uint32_t* key1, __m512i c0, __m512i c2, double* out) {
  constexpr int kXor3 = 0x96;  // vpternlogq's truth table for a ^ b ^ c
  const __m512i m0 = _mm512_set1_epi64(PHILOX_M4x32_0), m1 = _mm512_set1_epi64(PHILOX_M4x32_1);
  __m512i c1 = _mm512_srli_epi64(c0, 32), c3 = _mm512_srli_epi64(c2, 32);
  for (int r = 0; r < kRounds; ++r) {
    const __m512i product0 = _mm512_mul_epu32(c0, m0), product2 = _mm512_mul_epu32(c2, m1);
    c0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(product2, 32), c1, _mm512_set1_epi64(key0[r]), kXor3);
    c1 = product2;
    c2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(product0, 32), c3, _mm512_set1_epi64(key1[r]), kXor3);
    c3 = product0;
  }
  // to_uniform on eight lanes: the 53-bit mantissa converts to double exactly, and min() keeps
  // the top value below 1 as to_uniform's test does.
  const __m512i low_word = _mm512_set1_epi64(0xffffffffLL);
  const __m512i mantissa = _mm512_xor_si512(_mm512_slli_epi64(_mm512_and_si512(c0, low_word), 21),
                                            _mm512_srli_epi64(_mm512_and_si512(c1, low_word), 11));
  const __m512d u = _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi64_pd(mantissa), _mm512_set1_pd(0.5)),
                                  _mm512_set1_pd(0x1.0p-53));
  _mm512_storeu_pd(out, _mm512_min_pd(u, _mm512_set1_pd(0x1.fffffffffffffp-1)));
}

template <bool kDrawPerStream>
__attribute__((target("avx512f,avx512dq"))) std::size_t uniforms_avx512(const r123::Philox4x32::key_type& key,
                                                               const std::uint64_t* draws,
                                                               std::span<const std::uint64_t> streams,
                                                               std::span<double> out, std::size_t i) {
  std::uint32_t key0[kRounds], key1[kRounds];
  key0[0] = key[0];
  key1[0] = key[1];
  for (int r = 1; r < kRounds; ++r) {
    key0[r] = key0[r - 1] + PHILOX_W32_0;
    key1[r] = key1[r - 1] + PHILOX_W32_1;
  }
  const __m512i one_draw = _mm512_set1_epi64(static_cast<long long>(kDrawPerStream ? 0 : draws[0]));
  // Sixteen a pass (Lanes::avx512): two independent sets of rounds for the core to overlap;
  // counter words are the draw's low and high words, then the stream's.
  for (; i + 16 <= streams.size(); i += 16) {
    uniforms_of_eight(key0, key1, kDrawPerStream ? _mm512_loadu_si512(draws + i) : one_draw,
                      _mm512_loadu_si512(streams.data() + i), out.data() + i);
    uniforms_of_eight(key0, key1, kDrawPerStream ? _mm512_loadu_si512(draws + i + 8) : one_draw,
                      _mm512_loadu_si512(streams.data() + i + 8), out.data() + i + 8);
  }
  return i;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace
#endif

CounterRng::Lanes CounterRng::widest_lanes() {
#if defined(__x86_64__)
  const int bits = simd::widest_register_bits();
  return bits == 512 ? Lanes::avx512 : bits == 256 ? Lanes::avx2 : Lanes::sse2;
#else
  return Lanes::one;
#endif
}

namespace {

// The widest pass first, then narrower ones for what is left; returns how many were done.
template <bool kDrawPerStream>
std::size_t uniforms_in_lanes([[maybe_unused]] const r123::Philox4x32::key_type& key,
                              [[maybe_unused]] const std::uint64_t* draws,
                              [[maybe_unused]] std::span<const std::uint64_t> streams,
                              [[maybe_unused]] std::span<double> out, [[maybe_unused]] CounterRng::Lanes lanes) {
  std::size_t i = 0;
#if defined(__x86_64__)
  using Lanes = CounterRng::Lanes;
  if (lanes == Lanes::avx512) i = uniforms_avx512<kDrawPerStream>(key, draws, streams, out, i);
  if (lanes == Lanes::avx512 || lanes == Lanes::avx2) i = uniforms_avx2<kDrawPerStream>(key, draws, streams, out, i);
  if (lanes != Lanes::one) i = uniforms_sse2<kDrawPerStream>(key, draws, streams, out, i);
#endif
  return i;
}

}  // namespace

void CounterRng::uniforms(std::uint64_t draw, std::span<const std::uint64_t> streams, std::span<double> out,
                          Lanes lanes) const {
  std::size_t i = uniforms_in_lanes<false>(key_, &draw, streams, out, lanes);
  for (; i < streams.size(); ++i) out[i] = uniform(draw, streams[i]);
}

void CounterRng::uniforms(std::span<const std::uint64_t> draws, std::span<const std::uint64_t> streams,
                          std::span<double> out, Lanes lanes) const {
  std::size_t i = uniforms_in_lanes<true>(key_, draws.data(), streams, out, lanes);
  for (; i < streams.size(); ++i) out[i] = uniform(draws[i], streams[i]);
}

}  // namespace deterrence
