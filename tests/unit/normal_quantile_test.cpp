// AS 241 against Boost.Math's inverse complementary error function (the engine's normal quantile
// before it, Φ⁻¹(p) = −√2·erfc⁻¹(2p)): the same values to within a few ulps over (0, 1), the
// far tails included, and the edges handled.
#include <gtest/gtest.h>

#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <numbers>

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

}  // namespace
}  // namespace deterrence
