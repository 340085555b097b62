#include "sampling/resampled_parameters.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace deterrence {

ResampledParameters::ResampledParameters(std::vector<std::size_t> columns, std::vector<double> values,
                                         std::span<const double> weights)
    : columns_(std::move(columns)), values_(std::move(values)), stream_(stream_of("posterior.row")) {
  if (columns_.empty() || weights.empty() || values_.size() != weights.size() * columns_.size())
    throw std::invalid_argument("resampled parameters: the table's shape does not match its weights");
  double total = 0, squares = 0;
  for (const double w : weights) {
    if (!(w >= 0) || !std::isfinite(w)) throw std::invalid_argument("resampled parameters: a weight is negative or not finite");
    total += w;
    squares += w * w;
  }
  if (!(total > 0)) throw std::invalid_argument("resampled parameters: every weight is zero");
  cumulative_.resize(weights.size());
  double running = 0;
  for (std::size_t j = 0; j < weights.size(); ++j) {
    running += weights[j] / total;
    cumulative_[j] = running;
  }
  // Rounding may leave the last prefix sum a hair below 1: every u < 1 must find a row, and the
  // row it finds must have weight (rows of zero weight after the last weighted one stay unpicked).
  std::size_t last = weights.size() - 1;
  while (weights[last] == 0) --last;
  std::fill(cumulative_.begin() + static_cast<std::ptrdiff_t>(last), cumulative_.end(), 1.0);
  ess_ = total * total / squares;
}

std::size_t ResampledParameters::pick(double u) const {
  // The first row whose prefix sum exceeds u: a zero-weight row is never picked.
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

void ResampledParameters::apply(std::uint64_t draw, std::span<double> parameters, const CounterRng& rng) const {
  const std::size_t row = pick(rng.uniform(draw, stream_));
  const std::size_t width = columns_.size();
  for (std::size_t c = 0; c < width; ++c) parameters[columns_[c]] = values_[row * width + c];
}

}  // namespace deterrence
