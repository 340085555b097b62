#pragma once
// Confidence intervals reported with every statistic.
#include <cstdint>
#include <utility>

namespace deterrence {

constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for a share of `successes` in `trials` (95% by default).
std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials,
                                          double z = kZ95);

// Half-width of the normal-approximation interval of a mean.
double mean_half_width(double variance, std::uint64_t count, double z = kZ95);

}  // namespace deterrence
