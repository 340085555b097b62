#pragma once
// Turns a draw index into the values of every parameter. Plain Monte Carlo: each parameter's
// uniform comes from its own counter-based stream; copula groups then correlate the uniforms
// through normal scores before each marginal's inverse CDF is applied.
#include <cstdint>
#include <span>
#include <vector>

#include "sampling/counter_rng.h"
#include "sampling/design.h"
#include "sampling/parameter_space.h"

namespace deterrence {

class Sampler {
 public:
  // With a design, the uniforms of each draw come from it (Latin hypercube, Sobol'); without,
  // plain Monte Carlo.
  Sampler(const ParameterSpace& space, std::uint64_t seed, const Design* design = nullptr);

  // Scratch a worker owns, sized once so sampling a draw allocates nothing.
  struct Scratch {
    std::vector<double> uniforms, normals;
    std::vector<double> gathered, scores;  // uniforms gathered for standard_normal_quantiles, and their scores
  };
  Scratch make_scratch() const;

  // Writes space.size() values into `values`.
  void sample(std::uint64_t draw, std::span<double> values, Scratch& scratch) const;

  // The two halves of sample(), for designs that mix inputs (Saltelli): a draw's independent
  // uniforms (one per parameter, before any copula) from `rng`, and the copulas and marginals
  // applied to such uniforms (which it overwrites).
  void draw_uniforms(std::uint64_t draw, std::span<double> uniforms, const CounterRng& rng) const;
  void transform(std::span<double> uniforms, std::span<double> values, Scratch& scratch) const;
  const CounterRng& rng() const { return rng_; }

  const ParameterSpace& space() const { return space_; }

 private:
  const ParameterSpace& space_;
  CounterRng rng_;
  const Design* design_ = nullptr;
  std::vector<std::uint64_t> streams_;  // each parameter's stream, side by side for CounterRng::uniforms
  // Normal and lognormal parameters (their quantiles many at a time), and all the others.
  std::vector<std::size_t> normal_parameters_, other_parameters_;
};

}  // namespace deterrence
