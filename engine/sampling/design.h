#pragma once
// Sampling designs: where the independent uniforms of draw k come from (before copulas and
// marginals). Each is a pure function of (seed, draw, parameter), so designs run in parallel,
// in chunks and across threads like plain Monte Carlo.
//   monte_carlo      independent uniforms (counter-based Philox)
//   latin_hypercube  one point per 1/N stratum of every parameter: u = (π_p(k) + U) / N with a
//                    keyed pseudo-random permutation π_p of the N draws (no tables: O(1) memory)
//   sobol            randomized quasi-Monte Carlo: Sobol' points (Joe–Kuo direction numbers)
//                    with a random linear matrix scramble and digital shift per replicate; R
//                    independent replicates of N = draws / R points give an error estimate
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sampling/counter_rng.h"
#include "sampling/parameter_space.h"

namespace deterrence {

enum class DesignKind { monte_carlo, latin_hypercube, sobol };

struct DesignSpec {
  DesignKind kind = DesignKind::monte_carlo;
  std::uint64_t replicates = 1;     // sobol: independent scrambles
  std::optional<std::uint64_t> scramble_seed;  // sobol: seeds the scrambles (default: the run's seed)
  std::string name() const;
  // Whether the statistics' usual 95% half-widths are a valid error estimate for this design
  // (QuantLib's flag): plain Monte Carlo yes; Latin hypercube conservative; Sobol' only across
  // replicates.
  std::string error_estimate() const;
};

class Design {
 public:
  // `draws`: the run's number of draws (N for the hypercube; R x N for Sobol').
  // Throws std::invalid_argument for a design that does not fit (too many parameters for the
  // Sobol' tables, draws not a multiple of the replicates).
  Design(const DesignSpec& spec, const ParameterSpace& space, std::uint64_t seed, std::uint64_t draws);
  void uniforms(std::uint64_t draw, std::span<double> out) const;
  const DesignSpec& spec() const { return spec_; }
  std::uint64_t points_per_replicate() const { return points_; }

 private:
  std::uint64_t permute(std::uint64_t k, std::uint64_t key) const;  // keyed bijection on [0, draws)
  DesignSpec spec_;
  const ParameterSpace& space_;
  CounterRng rng_;
  std::uint64_t seed_, draws_, points_ = 0;
  unsigned half_bits_ = 1;
  std::vector<std::uint32_t> directions_;  // sobol: [bit][dimension], MSB-aligned
  std::vector<std::uint32_t> scrambles_;   // sobol: [replicate][dimension][33]: 32 row masks + shift
};

}  // namespace deterrence
