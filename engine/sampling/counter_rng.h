#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). A uniform is a pure function of
// (seed, draw index, stream), where a stream is the hash of a parameter's name: the same draw
// of the same parameter comes out identical whatever the thread, shard or restart, and adding
// an unrelated parameter changes nobody else's numbers.
#include <Random123/philox.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace deterrence {

// 64-bit FNV-1a of a name, mixed; collisions are checked when a parameter space is built.
std::uint64_t stream_of(std::string_view name);

class CounterRng {
 public:
  explicit CounterRng(std::uint64_t seed) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  }

  // A uniform in the open interval (0, 1) with 53 random bits.
  double uniform(std::uint64_t draw, std::uint64_t stream) const {
    const r123::Philox4x32::ctr_type counter = {
        {static_cast<std::uint32_t>(draw), static_cast<std::uint32_t>(draw >> 32),
         static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)}};
    const auto bits = r123::Philox4x32()(counter, key_);
    return to_uniform(bits[0], bits[1]);
  }

  // How many streams one Philox pass computes side by side: one at a time, or in SSE2 (every
  // x86-64), AVX2 or AVX-512 (F and DQ) registers. Integer arithmetic only, so every width gives the
  // same bits; the widest this machine runs is chosen once, at run time.
  enum class Lanes { one = 1, sse2 = 4, avx2 = 8, avx512 = 16 };
  static Lanes widest_lanes();

  // out[k] = uniform(draw, streams[k]) for every k, the same bits, as many streams at a time as
  // `lanes` (default: the widest this machine runs; a width it cannot run is not allowed).
  void uniforms(std::uint64_t draw, std::span<const std::uint64_t> streams, std::span<double> out) const {
    uniforms(draw, streams, out, widest_lanes());
  }
  void uniforms(std::uint64_t draw, std::span<const std::uint64_t> streams, std::span<double> out, Lanes lanes) const;

  // out[k] = uniform(draws[k], streams[k]): many draws of few streams (a batch of draws of a
  // model with few parameters) in the same lanes. `draws` and `streams` have out's size.
  void uniforms(std::span<const std::uint64_t> draws, std::span<const std::uint64_t> streams,
                std::span<double> out) const {
    uniforms(draws, streams, out, widest_lanes());
  }
  void uniforms(std::span<const std::uint64_t> draws, std::span<const std::uint64_t> streams, std::span<double> out,
                Lanes lanes) const;

  // 53 bits of Philox's first two words as a uniform in (0, 1).
  static double to_uniform(std::uint32_t word0, std::uint32_t word1) {
    const std::uint64_t mantissa =
        (static_cast<std::uint64_t>(word0) << 21) ^ (static_cast<std::uint64_t>(word1) >> 11);
    // The largest mantissa would round to exactly 1 (1 - 2^-54 is not a double): keep it below.
    const double u = (static_cast<double>(mantissa) + 0.5) * 0x1.0p-53;
    return u < 1.0 ? u : 0x1.fffffffffffffp-1;
  }

 private:
  r123::Philox4x32::key_type key_;
};

}  // namespace deterrence
