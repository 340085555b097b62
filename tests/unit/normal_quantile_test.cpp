// AS 241 against Boost.Math's inverse complementary error function (the engine's normal quantile
// before it, Φ⁻¹(p) = −√2·erfc⁻¹(2p)): the same values to within a few ulps over (0, 1), the
// far tails included, and the edges handled.
#include <gtest/gtest.h>

#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <vector>

#include "sampling/counter_rng.h"
#include "sampling/normal_quantile.h"

namespace deterrence {
namespace {

double reference(double p) { return -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * p); }

// |a − b| in units of the spacing of doubles at b.
double ulps(double a, double b) {
  const double spacing = std::nextafter(std::abs(b), std::numeric_limits<double>::infinity()) - std::abs(b);
  return std::abs(a - b) / spacing;
}

TEST(NormalQuantile, AgreesWithTheInverseErrorFunctionToAFewUlps) {
  const CounterRng rng(2026);
  double worst = 0;
  for (std::uint64_t k = 0; k < 1'000'000; ++k) {
    const double p = rng.uniform(k, 1);
    worst = std::max(worst, ulps(standard_normal_quantile(p), reference(p)));
  }
  // Far tails: p = 10^-j down to the smallest normal doubles, and 1 − 10^-j.
  for (int j = 1; j <= 307; ++j) {
    const double p = std::pow(10.0, -j);
    worst = std::max(worst, ulps(standard_normal_quantile(p), reference(p)));
    if (j <= 15) worst = std::max(worst, ulps(standard_normal_quantile(1.0 - p), reference(1.0 - p)));
  }
  EXPECT_LE(worst, 8.0);
  RecordProperty("worst_ulps", std::to_string(worst));
}

TEST(NormalQuantile, IsOddAboutOneHalfAndMonotone) {
  EXPECT_EQ(standard_normal_quantile(0.5), 0.0);
  double previous = -std::numeric_limits<double>::infinity();
  for (int k = 1; k < 20000; ++k) {
    const double p = k / 20000.0;
    const double z = standard_normal_quantile(p);
    EXPECT_GT(z, previous) << p;
    previous = z;
    // 1 − p is exact for p ≥ 0.5 (both sides are then computed from the same tail).
    if (p >= 0.5) {
      EXPECT_EQ(standard_normal_quantile(1.0 - p), -z) << p;
    }
  }
  // Values from an independent implementation (SciPy's ndtri, Cephes).
  EXPECT_NEAR(standard_normal_quantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(standard_normal_quantile(0.3), -0.5244005127080409, 1e-15);
  EXPECT_NEAR(standard_normal_quantile(1e-10), -6.361340902404056, 1e-14);
  EXPECT_NEAR(standard_normal_quantile(0x1.0p-60), -8.77332116902755, 1e-13);  // the sampler's smallest uniform
  EXPECT_NEAR(standard_normal_quantile(1e-300), -37.0470962993612, 1e-12);
}

TEST(NormalQuantile, EdgesAreInfiniteOrNaN) {
  EXPECT_EQ(standard_normal_quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(standard_normal_quantile(-1.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(standard_normal_quantile(1.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(standard_normal_quantile(2.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(standard_normal_quantile(std::nan(""))));
  EXPECT_TRUE(std::isfinite(standard_normal_quantile(std::numeric_limits<double>::denorm_min())));
}

// Many at a time gives the one-at-a-time bits, on every width this machine runs: uniforms over
// (0, 1), the edges of the central region and of (0, 1), NaN, values outside, both tail formulas,
// any count (more than one piece of the kernel's tail buffer, and pieces' remainders).
TEST(NormalQuantile, ManyAtATimeAreTheOneAtATimeBits) {
  const CounterRng rng(11);
  std::vector<double> p;
  for (std::uint64_t k = 0; k < 200000; ++k) p.push_back(rng.uniform(k, 3));
  for (const double edge : {0.075, 0.925, std::nextafter(0.075, 0.0), std::nextafter(0.925, 1.0), 0.5, 0.0, 1.0,
                            -1.0, 2.0, std::numeric_limits<double>::denorm_min(), 1e-300,
                            std::nextafter(1.0, 0.0), std::nan("")})
    for (int copies = 0; copies < 9; ++copies) p.push_back(edge);
  // Both tails' formulas (r = √(−log tail) on either side of 5, at tail ≈ e^−25) mixed in one
  // register, and tails from 10^−1 to 10^−300 on both sides.
  for (int k = -40; k <= 40; ++k) {
    const double tail = std::exp(-25.0) * (1.0 + k * 1e-3);
    p.push_back(tail);
    p.push_back(1.0 - tail);
  }
  for (int e = 1; e <= 300; ++e) {
    p.push_back(std::pow(10.0, -e));
    p.push_back(1.0 - std::pow(10.0, -e));
  }
  for (std::size_t lanes = 2; lanes <= normal_quantile_lanes(); lanes *= 2)
    for (const std::size_t n : {p.size(), std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{13}, std::size_t{1200}}) {
      std::vector<double> z(n, -7.0);
      standard_normal_quantiles(p.data() + (p.size() - n), z.data(), n, lanes);
      for (std::size_t k = 0; k < n; ++k) {
        const double expected = standard_normal_quantile(p[p.size() - n + k]);
        ASSERT_TRUE(std::memcmp(&z[k], &expected, sizeof expected) == 0)
            << lanes << " lanes, p = " << std::hexfloat << p[p.size() - n + k] << ": " << z[k] << " against "
            << expected;
      }
    }
}

}  // namespace
}  // namespace deterrence
