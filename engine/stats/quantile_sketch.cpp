#include "stats/quantile_sketch.h"

#include <algorithm>
#include <cmath>

namespace deterrence::sketch {

namespace {
const double kGamma = (1.0 + kRelativeAccuracy) / (1.0 - kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
const int kPerSign = static_cast<int>(std::ceil(std::log(kLargest / kSmallest) / kLogGamma));
}  // namespace

int buckets_per_sign() { return kPerSign; }
std::size_t size() { return 2 * static_cast<std::size_t>(kPerSign) + 1; }

std::size_t bucket_of(double x) {
  const double magnitude = std::abs(x);
  if (!(magnitude >= kSmallest)) return static_cast<std::size_t>(kPerSign);
  int k = static_cast<int>(std::ceil(std::log(magnitude / kSmallest) / kLogGamma));
  k = std::clamp(k, 1, kPerSign);
  return static_cast<std::size_t>(x > 0 ? kPerSign + k : kPerSign - k);
}

double value_of(std::size_t bucket) {
  const int k = static_cast<int>(bucket) - kPerSign;
  if (k == 0) return 0.0;
  const double magnitude = kSmallest * 2.0 * std::pow(kGamma, std::abs(k)) / (kGamma + 1.0);
  return k > 0 ? magnitude : -magnitude;
}

double quantile(std::span<const std::uint64_t> counts, std::uint64_t total, double q, double min,
                double max) {
  if (total == 0) return std::nan("");
  const auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(total - 1)));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    seen += counts[b];
    if (seen > rank) return std::clamp(value_of(b), min, max);
  }
  return max;
}

}  // namespace deterrence::sketch
