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
    std::vector<double> correlated;        // a copula row's x = L z, one per draw
    // sample_draws with few parameters: each (draw, parameter) pair's draw and stream.
    std::vector<std::uint64_t> pair_draws, pair_streams;
    std::size_t draws_at_once = 1;
  };
  // `draws_at_once`: the most draws sample_draws is asked for at a time.
  Scratch make_scratch(std::size_t draws_at_once = 1) const;

  // Writes space.size() values into `values`.
  void sample(std::uint64_t draw, std::span<double> values, Scratch& scratch) const;

  // Draws first_draw, first_draw + 1, ... into consecutive rows of space.size() values (`rows`
  // holds `count` rows): the same bits as sample() on each. With few parameters the draws'
  // uniforms come from the same Philox lanes (a draw alone would fill few of them); each
  // marginal is then applied to all the draws in turn, and normal scores computed all together.
  void sample_draws(std::uint64_t first_draw, std::size_t count, std::span<double> rows, Scratch& scratch) const;
  // Below this many parameters sample_draws computes a block's uniforms together.
  static constexpr std::size_t kFewParameters = 16;

  // The two halves of sample(), for designs that mix inputs (Saltelli): a draw's independent
  // uniforms (one per parameter, before any copula) from `rng`, and the copulas and marginals
  // applied to such uniforms (which it overwrites).
  void draw_uniforms(std::uint64_t draw, std::span<double> uniforms, const CounterRng& rng) const;
  void transform(std::span<double> uniforms, std::span<double> values, Scratch& scratch) const;
  const CounterRng& rng() const { return rng_; }

  const ParameterSpace& space() const { return space_; }

 private:
  // transform() on `count` rows of uniforms and values.
  void transform_rows(std::size_t count, std::span<double> uniforms, std::span<double> values, Scratch& scratch) const;

  const ParameterSpace& space_;
  CounterRng rng_;
  const Design* design_ = nullptr;
  std::vector<std::uint64_t> streams_;  // each parameter's stream, side by side for CounterRng::uniforms
  // Normal and lognormal parameters (their quantiles many at a time), and all the others.
  std::vector<std::size_t> normal_parameters_, other_parameters_;
  // Copula members whose value comes from their correlated score (Distribution::has_score_table).
  std::vector<bool> scored_;
};

}  // namespace deterrence
