#include "sampling/design.h"

#include <boost/random/sobol.hpp>
#include <fmt/format.h>

#include <bit>
#include <stdexcept>

namespace deterrence {

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t kLhsKey = 0x4C48532D4B455931ULL, kSobolKey = 0x534F424F4C2D5343ULL;

}  // namespace

std::string DesignSpec::name() const {
  switch (kind) {
    case DesignKind::monte_carlo: return "monte_carlo";
    case DesignKind::latin_hypercube: return "latin_hypercube";
    case DesignKind::sobol: return "sobol";
  }
  return "?";
}

std::string DesignSpec::error_estimate() const {
  switch (kind) {
    case DesignKind::monte_carlo: return "yes: independent draws, the 95% half-widths apply";
    case DesignKind::latin_hypercube: return "conservative: the independent-draw half-widths overstate the error";
    case DesignKind::sobol:
      return replicates > 1 ? "across replicates only: see /design (the per-draw half-widths do not apply)"
                            : "no: one scrambled sequence gives no error estimate (use replicates)";
  }
  return "?";
}

Design::Design(const DesignSpec& spec, const ParameterSpace& space, std::uint64_t seed, std::uint64_t draws)
    : spec_(spec), space_(space), rng_(seed), seed_(seed), draws_(draws) {
  if (spec.kind == DesignKind::latin_hypercube) {
    const unsigned bits = std::max(2u, static_cast<unsigned>(std::bit_width(draws - 1)));
    half_bits_ = (bits + 1) / 2;
    points_ = draws;
  }
  if (spec.kind != DesignKind::sobol) return;
  const std::size_t d = space.size();
  using Tables = boost::random::detail::qrng_tables::sobol;
  if (d > Tables::max_dimension)
    throw std::invalid_argument(fmt::format("a Sobol' design has at most {} dimensions; this model has {} parameters",
                                            static_cast<unsigned>(Tables::max_dimension), d));
  if (spec.replicates == 0 || draws % spec.replicates != 0)
    throw std::invalid_argument(fmt::format("a Sobol' design needs draws ({}) to be a multiple of its replicates ({})",
                                            draws, spec.replicates));
  points_ = draws / spec.replicates;
  if (points_ > (1ULL << 32)) throw std::invalid_argument("a Sobol' design has at most 2^32 points per replicate");
  const boost::random::qrng_detail::sobol_lattice<std::uint32_t, 32, Tables> lattice(d);
  directions_.assign(lattice.iter_at(0), lattice.iter_at(32 * d));
  // Matoušek's random linear scramble (lower-triangular in digit order, unit diagonal) and a
  // digital shift, per replicate and dimension, from the scramble seed.
  scrambles_.resize(spec.replicates * d * 33);
  for (std::uint64_t r = 0; r < spec.replicates; ++r)
    for (std::size_t j = 0; j < d; ++j) {
      std::uint32_t* s = scrambles_.data() + (r * d + j) * 33;
      std::uint64_t state = mix(spec.scramble_seed.value_or(seed) ^ mix(r * 0x100000001B3ULL + j) ^ kSobolKey);
      for (unsigned i = 0; i < 32; ++i) {
        state = mix(state);
        const std::uint32_t digit = 1u << (31 - i);
        const std::uint32_t higher = ~((digit << 1) - 1u) & (i == 0 ? 0u : 0xFFFFFFFFu);
        s[i] = digit | (static_cast<std::uint32_t>(state) & higher);
      }
      s[32] = static_cast<std::uint32_t>(mix(state));
    }
}

std::uint64_t Design::permute(std::uint64_t k, std::uint64_t key) const {
  // A 4-round Feistel network on 2·half_bits bits, cycle-walked into [0, draws).
  const std::uint64_t mask = (1ULL << half_bits_) - 1;
  std::uint64_t x = k;
  do {
    std::uint64_t left = x >> half_bits_, right = x & mask;
    for (std::uint64_t round = 0; round < 4; ++round) {
      const std::uint64_t next = left ^ (mix(right ^ key ^ (round << 58)) & mask);
      left = right;
      right = next;
    }
    x = (left << half_bits_) | right;
  } while (x >= draws_);
  return x;
}

void Design::uniforms(std::uint64_t draw, std::span<double> out) const {
  const auto& parameters = space_.parameters();
  switch (spec_.kind) {
    case DesignKind::monte_carlo:
      for (std::size_t i = 0; i < parameters.size(); ++i) out[i] = rng_.uniform(draw, parameters[i].stream);
      return;
    case DesignKind::latin_hypercube:
      for (std::size_t i = 0; i < parameters.size(); ++i) {
        const std::uint64_t stratum = permute(draw, mix(seed_ ^ parameters[i].stream ^ kLhsKey));
        out[i] = (static_cast<double>(stratum) + rng_.uniform(draw, parameters[i].stream)) / static_cast<double>(draws_);
      }
      return;
    case DesignKind::sobol: {
      const std::size_t d = parameters.size();
      const std::uint64_t replicate = draw / points_, point = draw % points_;
      const std::uint64_t gray = point ^ (point >> 1);
      for (std::size_t j = 0; j < d; ++j) {
        std::uint32_t x = 0;
        for (std::uint64_t g = gray, bit = 0; g != 0; g >>= 1, ++bit)
          if (g & 1) x ^= directions_[bit * d + j];
        const std::uint32_t* s = scrambles_.data() + (replicate * d + j) * 33;
        std::uint32_t y = 0;
        for (unsigned i = 0; i < 32; ++i) y |= static_cast<std::uint32_t>(std::popcount(s[i] & x) & 1) << (31 - i);
        y ^= s[32];
        // The 32 scrambled digits, filled below 2^-32 by the draw's own uniform: in (0, 1).
        out[j] = (static_cast<double>(y) + rng_.uniform(draw, parameters[j].stream)) * 0x1.0p-32;
      }
      return;
    }
  }
}

}  // namespace deterrence
