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

  // out[k] = uniform(draw, streams[k]) for every k, the same bits, four streams at a time in
  // SSE2 registers where the machine has them (every x86-64 does).
  void uniforms(std::uint64_t draw, std::span<const std::uint64_t> streams, std::span<double> out) const;

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
