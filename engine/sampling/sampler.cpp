#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sampling/normal_quantile.h"

namespace deterrence {

Sampler::Sampler(const ParameterSpace& space, std::uint64_t seed, const Design* design)
    : space_(space), rng_(seed), design_(design && design->spec().kind != DesignKind::monte_carlo ? design : nullptr) {
  const auto& parameters = space_.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    streams_.push_back(parameters[i].stream);
    const DistributionKind kind = parameters[i].distribution.kind;
    (kind == DistributionKind::normal || kind == DistributionKind::lognormal ? normal_parameters_ : other_parameters_)
        .push_back(i);
  }
}

Sampler::Scratch Sampler::make_scratch(std::size_t draws_at_once) const {
  Scratch scratch;
  if (!design_ && space_.size() < kFewParameters && draws_at_once > 1) {
    const std::size_t pairs = draws_at_once * space_.size();
    scratch.pair_draws.resize(pairs);
    scratch.pair_uniforms.resize(pairs);
    scratch.pair_streams.resize(pairs);
    for (std::size_t k = 0; k < pairs; ++k) scratch.pair_streams[k] = streams_[k % space_.size()];
  }
  scratch.uniforms.resize(space_.size());
  scratch.normals.resize(space_.largest_copula());
  scratch.gathered.resize(std::max(space_.largest_copula(), normal_parameters_.size()));
  scratch.scores.resize(normal_parameters_.size());
  return scratch;
}

void Sampler::sample(std::uint64_t draw, std::span<double> values, Scratch& scratch) const {
  if (design_) design_->uniforms(draw, scratch.uniforms);
  else draw_uniforms(draw, scratch.uniforms, rng_);
  transform(scratch.uniforms, values, scratch);
}

void Sampler::sample_draws(std::uint64_t first_draw, std::size_t count, std::span<double> rows,
                           Scratch& scratch) const {
  const std::size_t n = space_.size(), pairs = count * n;
  if (design_ || n >= kFewParameters || pairs > scratch.pair_draws.size()) {
    for (std::size_t d = 0; d < count; ++d) sample(first_draw + d, rows.subspan(d * n, n), scratch);
    return;
  }
  for (std::size_t d = 0; d < count; ++d)
    std::fill_n(scratch.pair_draws.begin() + static_cast<std::ptrdiff_t>(d * n), n, first_draw + d);
  rng_.uniforms({scratch.pair_draws.data(), pairs}, {scratch.pair_streams.data(), pairs},
                {scratch.pair_uniforms.data(), pairs});
  for (std::size_t d = 0; d < count; ++d)
    transform({scratch.pair_uniforms.data() + d * n, n}, rows.subspan(d * n, n), scratch);
}

void Sampler::draw_uniforms(std::uint64_t draw, std::span<double> uniforms, const CounterRng& rng) const {
  rng.uniforms(draw, streams_, uniforms);
}

void Sampler::transform(std::span<double> uniforms, std::span<double> values, Scratch& scratch) const {
  const auto& parameters = space_.parameters();
  for (const auto& group : space_.copulas()) {
    const std::size_t n = group.members.size();
    for (std::size_t j = 0; j < n; ++j) scratch.gathered[j] = uniforms[group.members[j]];
    standard_normal_quantiles(scratch.gathered.data(), scratch.normals.data(), n);
    // x = L z; the correlated normal score goes back to a uniform for the marginal.
    for (std::size_t r = 0; r < n; ++r) {
      double x = 0.0;
      for (std::size_t c = 0; c <= r; ++c) x += group.cholesky(r, c) * scratch.normals[c];
      double u = 0.5 * std::erfc(-x / std::numbers::sqrt2);
      // Keep u inside (0, 1) so every inverse CDF stays finite.
      u = std::min(std::max(u, 0x1.0p-60), 1.0 - 0x1.0p-53);
      uniforms[group.members[r]] = u;
    }
  }
  // Normal scores many at a time, then each marginal as Distribution::quantile computes it
  // (normal: a + b z; lognormal: e^{a + b z}).
  const std::size_t normals = normal_parameters_.size();
  for (std::size_t k = 0; k < normals; ++k) scratch.gathered[k] = uniforms[normal_parameters_[k]];
  standard_normal_quantiles(scratch.gathered.data(), scratch.scores.data(), normals);
  for (std::size_t k = 0; k < normals; ++k) {
    const std::size_t i = normal_parameters_[k];
    const Distribution& d = parameters[i].distribution;
    const double x = d.a + d.b * scratch.scores[k];
    values[i] = d.kind == DistributionKind::lognormal ? std::exp(x) : x;
  }
  for (const std::size_t i : other_parameters_) values[i] = parameters[i].distribution.quantile(uniforms[i]);
}

}  // namespace deterrence
