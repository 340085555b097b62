#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sampling/copula_rows.h"
#include "sampling/normal_quantile.h"
#include "simd/vector_math.h"

namespace deterrence {

Sampler::Sampler(const ParameterSpace& space, std::uint64_t seed, const Design* design)
    : space_(space), rng_(seed), design_(design && design->spec().kind != DesignKind::monte_carlo ? design : nullptr) {
  const auto& parameters = space_.parameters();
  scored_.assign(parameters.size(), false);
  for (const auto& group : space_.copulas())
    for (const std::size_t i : group.members) scored_[i] = parameters[i].distribution.has_score_table();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    streams_.push_back(parameters[i].stream);
    const DistributionKind kind = parameters[i].distribution.kind;
    if (kind == DistributionKind::normal || kind == DistributionKind::lognormal) normal_parameters_.push_back(i);
    else if (!scored_[i]) other_parameters_.push_back(i);
  }
}

Sampler::Scratch Sampler::make_scratch(std::size_t draws_at_once) const {
  Scratch scratch;
  const std::size_t n = space_.size(), at_once = std::max<std::size_t>(1, draws_at_once);
  scratch.draws_at_once = at_once;
  scratch.uniforms.resize(at_once * n);
  scratch.normals.resize(at_once * space_.largest_copula());
  scratch.correlated.resize(at_once);
  scratch.gathered.resize(at_once * std::max(space_.largest_copula(), normal_parameters_.size()));
  scratch.scores.resize(at_once * normal_parameters_.size());
  if (!design_ && n < kFewParameters && at_once > 1) {
    scratch.pair_draws.resize(at_once * n);
    scratch.pair_streams.resize(at_once * n);
    for (std::size_t k = 0; k < at_once * n; ++k) scratch.pair_streams[k] = streams_[k % n];
  }
  return scratch;
}

void Sampler::sample(std::uint64_t draw, std::span<double> values, Scratch& scratch) const {
  sample_draws(draw, 1, values, scratch);
}

void Sampler::sample_draws(std::uint64_t first_draw, std::size_t count, std::span<double> rows,
                           Scratch& scratch) const {
  const std::size_t n = space_.size();
  if (count > scratch.draws_at_once) {  // more than the scratch holds: in turns
    for (std::size_t d = 0; d < count; d += scratch.draws_at_once) {
      const std::size_t part = std::min(scratch.draws_at_once, count - d);
      sample_draws(first_draw + d, part, rows.subspan(d * n, part * n), scratch);
    }
    return;
  }
  const std::span<double> uniforms(scratch.uniforms.data(), count * n);
  if (!design_ && n < kFewParameters && count > 1) {
    for (std::size_t d = 0; d < count; ++d)
      std::fill_n(scratch.pair_draws.begin() + static_cast<std::ptrdiff_t>(d * n), n, first_draw + d);
    rng_.uniforms({scratch.pair_draws.data(), count * n}, {scratch.pair_streams.data(), count * n}, uniforms);
  } else {
    for (std::size_t d = 0; d < count; ++d) {
      const std::span<double> row = uniforms.subspan(d * n, n);
      if (design_) design_->uniforms(first_draw + d, row);
      else rng_.uniforms(first_draw + d, streams_, row);
    }
  }
  transform_rows(count, uniforms, rows, scratch);
}

void Sampler::draw_uniforms(std::uint64_t draw, std::span<double> uniforms, const CounterRng& rng) const {
  rng.uniforms(draw, streams_, uniforms);
}

void Sampler::transform(std::span<double> uniforms, std::span<double> values, Scratch& scratch) const {
  transform_rows(1, uniforms, values, scratch);
}

void Sampler::transform_rows(std::size_t count, std::span<double> uniforms, std::span<double> values,
                             Scratch& scratch) const {
  const auto& parameters = space_.parameters();
  const std::size_t n = space_.size();
  // Each copula group on all the draws together, draws side by side ([member][draw]): normal
  // scores many at a time, then x = L z for each draw in the same order as one draw alone (the
  // inner loop over draws vectorises, each draw's sum still added term by term). A member with a
  // table by score takes its value from the correlated score (engine 0.6.0); any other's score
  // goes back to a uniform for its marginal.
  for (const auto& group : space_.copulas()) {
    const std::size_t m = group.members.size();
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t d = 0; d < count; ++d) scratch.gathered[j * count + d] = uniforms[d * n + group.members[j]];
    standard_normal_quantiles(scratch.gathered.data(), scratch.normals.data(), m * count);
    double* x = scratch.correlated.data();
    for (std::size_t r = 0; r < m; ++r) {
      correlated_row(group.cholesky.data(), m, r, scratch.normals.data(), count, x);
      const std::size_t i = group.members[r];
      if (scored_[i]) parameters[i].distribution.quantiles_of_scores(x, values.data() + i, count, n, scratch.gathered.data());
      else
        for (std::size_t d = 0; d < count; ++d) uniforms[d * n + i] = copula_uniform(x[d]);
    }
  }
  // Normal scores of every draw many at a time, then each marginal as Distribution::quantile
  // computes it (normal: a + b z; lognormal: e^{a + b z}).
  const std::size_t normals = normal_parameters_.size();
  for (std::size_t d = 0; d < count; ++d)
    for (std::size_t k = 0; k < normals; ++k) scratch.gathered[d * normals + k] = uniforms[d * n + normal_parameters_[k]];
  standard_normal_quantiles(scratch.gathered.data(), scratch.scores.data(), count * normals);
  // (The lognormals' e^ all at once: SLEEF's deterministic exponential, engine 0.5.0.)
  double* log_values = scratch.correlated.data();
  for (std::size_t k = 0; k < normals; ++k) {
    const std::size_t i = normal_parameters_[k];
    const Distribution& dist = parameters[i].distribution;
    for (std::size_t d = 0; d < count; ++d) log_values[d] = dist.a + dist.b * scratch.scores[d * normals + k];
    if (dist.kind == DistributionKind::lognormal) simd::exponentials(log_values, log_values, count);
    for (std::size_t d = 0; d < count; ++d) values[d * n + i] = log_values[d];
  }
  // Every other marginal on all the draws in turn, their tables' lines asked for first.
  for (const std::size_t i : other_parameters_) parameters[i].distribution.prefetch(uniforms.data() + i, count, n);
  for (const std::size_t i : other_parameters_)
    parameters[i].distribution.quantiles(uniforms.data() + i, values.data() + i, count, n);
}

}  // namespace deterrence
