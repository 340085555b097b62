#pragma once
// Some parameters of every draw taken from a weighted table of rows instead of their priors:
// draw k picks row j with probability w_j, from its own counter-based stream, and the picked
// row's values replace those columns. This is how a run plays on a posterior (sampling-
// importance-resampling of a calibration's weighted draws). Like every random number, the pick
// is a pure function of (seed, draw), so resampled runs stay bit-identical for any thread count,
// shard split or resume.
#include <cstdint>
#include <span>
#include <vector>

#include "sampling/counter_rng.h"

namespace deterrence {

class ResampledParameters {
 public:
  // `columns`: the parameter indices replaced; `values`: rows x columns.size(), row-major;
  // `weights`: one per row, non-negative, not all zero (throws std::invalid_argument otherwise).
  ResampledParameters(std::vector<std::size_t> columns, std::vector<double> values, std::span<const double> weights);

  // Overwrites the columns of `parameters` (one draw's values) with those of the row draw picks.
  // Allocation-free: it runs once per draw on every thread.
  void apply(std::uint64_t draw, std::span<double> parameters, const CounterRng& rng) const;
  // The row a uniform u in (0, 1) picks (inverse CDF of the weights).
  std::size_t pick(double u) const;

  std::size_t rows() const { return cumulative_.size(); }
  const std::vector<std::size_t>& columns() const { return columns_; }
  // Kish's effective sample size of the weights, (Σw)² / Σw².
  double effective_sample_size() const { return ess_; }

 private:
  std::vector<std::size_t> columns_;
  std::vector<double> values_;
  std::vector<double> cumulative_;  // prefix sums of the normalised weights; the last is 1
  double ess_ = 0;
  std::uint64_t stream_ = 0;
};

}  // namespace deterrence
