// The vectorised sines (simd/vector_math.h) must give the same bits at every register width this
// machine has and one at a time, and be within 2 ULP of glibc's sin (SLEEF's bound is 1 ULP of
// the true value, glibc's under one): a model's results may not depend on which path played it.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "simd/registers.h"
#include "simd/vector_math.h"
#include "simd/vector_math_wide.h"

namespace deterrence::simd {
namespace {

std::vector<double> angles() {
  std::vector<double> x;
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> around(-M_PI, M_PI), far(-1e6, 1e6);
  for (int i = 0; i < 20000; ++i) x.push_back(around(rng));
  for (int i = 0; i < 2000; ++i) x.push_back(far(rng));
  for (const double v : {0.0, -0.0, 1e-300, -5e-324, M_PI, -M_PI, M_PI / 2, 1e15, -1e22, 1e300,
                         std::numeric_limits<double>::max(), std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    x.push_back(v);
  x.push_back(0.5);  // an odd count: the last value goes one at a time
  return x;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::int64_t ulps_apart(double a, double b) {
  const auto ordered = [](double v) {
    const auto bits = std::bit_cast<std::int64_t>(v);
    return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

TEST(VectorMath, EveryWidthGivesTheBitsOfOneAtATime) {
  const std::vector<double> x = angles();
  std::vector<double> one(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) one[i] = sine(x[i]);
  const auto check = [&](const std::vector<double>& got, std::size_t count, const char* path) {
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < count; ++i)
      if (!same_bits(got[i], one[i]) && ++mismatches <= 5)
        ADD_FAILURE() << path << ": sin(" << x[i] << ") = " << got[i] << ", one at a time " << one[i];
    EXPECT_EQ(mismatches, 0u) << path;
  };
  std::vector<double> out(x.size());
  sines(x.data(), out.data(), x.size());
  check(out, x.size(), "sines (this machine's widest)");
  std::vector<double> in_place = x;
  sines(in_place.data(), in_place.data(), in_place.size());
  check(in_place, x.size(), "sines in place");
#if defined(__x86_64__)
  if (widest_register_bits() >= 256) {
    std::fill(out.begin(), out.end(), 0.0);
    const std::size_t done = sines_avx(x.data(), out.data(), x.size());
    EXPECT_EQ(done, x.size() / 4 * 4);
    check(out, done, "AVX");
  }
  if (widest_register_bits() >= 512) {
    std::fill(out.begin(), out.end(), 0.0);
    const std::size_t done = sines_avx512(x.data(), out.data(), x.size());
    EXPECT_EQ(done, x.size() / 8 * 8);
    check(out, done, "AVX-512");
  }
#endif
}

TEST(VectorMath, SinesAreWithinTwoUlpOfGlibc) {
  std::int64_t worst = 0;
  for (const double v : angles()) {
    const double ours = sine(v), glibc = std::sin(v);
    if (std::isnan(glibc)) {
      EXPECT_TRUE(std::isnan(ours)) << v;
      continue;
    }
    worst = std::max(worst, ulps_apart(ours, glibc));
    EXPECT_LE(ulps_apart(ours, glibc), 2) << "sin(" << v << "): " << ours << " against glibc's " << glibc;
  }
  EXPECT_TRUE(same_bits(sine(-0.0), -0.0));
  RecordProperty("worst_ulps", static_cast<int>(worst));
}

}  // namespace
}  // namespace deterrence::simd
