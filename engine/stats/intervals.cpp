#include "stats/intervals.h"

#include <cmath>

namespace deterrence {

std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials, double z) {
  if (trials == 0) return {std::nan(""), std::nan("")};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
  const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double mean_half_width(double variance, std::uint64_t count, double z) {
  if (count < 2 || std::isnan(variance)) return std::nan("");
  return z * std::sqrt(variance / static_cast<double>(count));
}

}  // namespace deterrence
