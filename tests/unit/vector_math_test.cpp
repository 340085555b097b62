// The vectorised sines and exponentials (simd/vector_math.h) must give the same bits at every
// register width this machine has and one at a time, and be close to glibc's (within 2 ULP:
// SLEEF's bound is 1 ULP of the true value, glibc's under one): a model's results may not depend
// on which path played it.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "simd/hermite.h"
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

// Exponents over the ranges the engine uses (perception factors e^{σz}, lognormal marginals) and
// past them, with the special values.
std::vector<double> arguments() {
  std::vector<double> x;
  std::mt19937_64 rng(20261207);
  std::uniform_real_distribution<double> near(-8.0, 8.0), far(-800.0, 800.0);
  for (int i = 0; i < 20000; ++i) x.push_back(near(rng));
  for (int i = 0; i < 2000; ++i) x.push_back(far(rng));
  for (const double v : {0.0, -0.0, 1e-300, -5e-324, 709.7, 709.8, -745.2, -745.1, 26.5, 27.3, -6.0,
                         std::numeric_limits<double>::max(), std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    x.push_back(v);
  return x;  // an odd count: the last value goes one at a time
}

using Many = void (*)(const double*, double*, std::size_t);
using Wide = std::size_t (*)(const double*, double*, std::size_t);

void expect_every_width_alike(double (*one)(double), Many many, Wide avx, Wide avx512, const char* name) {
  const std::vector<double> x = arguments();
  ASSERT_EQ(x.size() % 2, 1u);
  std::vector<double> alone(x.size()), out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) alone[i] = one(x[i]);
  const auto check = [&](std::size_t count, const std::string& path) {
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < count; ++i)
      if (!same_bits(out[i], alone[i]) && ++mismatches <= 5)
        ADD_FAILURE() << name << " " << path << ": f(" << x[i] << ") = " << out[i] << ", one at a time " << alone[i];
    EXPECT_EQ(mismatches, 0u) << name << " " << path;
  };
  many(x.data(), out.data(), x.size());
  check(x.size(), "(this machine's widest)");
  out = x;
  many(out.data(), out.data(), out.size());
  check(x.size(), "in place");
#if defined(__x86_64__)
  if (widest_register_bits() >= 256) {
    std::fill(out.begin(), out.end(), 0.0);
    EXPECT_EQ(avx(x.data(), out.data(), x.size()), x.size() / 4 * 4);
    check(x.size() / 4 * 4, "AVX");
  }
  if (widest_register_bits() >= 512) {
    std::fill(out.begin(), out.end(), 0.0);
    EXPECT_EQ(avx512(x.data(), out.data(), x.size()), x.size() / 8 * 8);
    check(x.size() / 8 * 8, "AVX-512");
  }
#endif
}

TEST(VectorMath, ExponentialsGiveTheBitsOfOneAtATimeAtEveryWidth) {
  expect_every_width_alike(exponential, exponentials, exponentials_avx, exponentials_avx512, "exp");
}

TEST(VectorMath, ExponentialsAreCloseToGlibc) {
  for (const double v : arguments()) {
    const double e = exponential(v), glibc_e = std::exp(v);
    if (std::isnan(glibc_e)) EXPECT_TRUE(std::isnan(e)) << v;
    else EXPECT_LE(ulps_apart(e, glibc_e), 2) << "exp(" << v << "): " << e << " against glibc's " << glibc_e;
  }
}

// Tables read many at a time (hermite_values: AVX-512 gathers where the machine has them) give
// hermite_value's bits for every t: inside, on the knots and the ends, outside and NaN, at any count.
TEST(VectorMath, HermiteValuesManyAtATimeAreEachOneAlone) {
  std::mt19937_64 rng(20261207);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<double> knots;
  for (int k = 0; k < 301; ++k) knots.insert(knots.end(), {std::sin(0.05 * k) + 1e-3 * unit(rng), 0.05 * std::cos(0.05 * k)});
  const HermiteGrid grid{-1.5, 0.01, knots.data(), knots.size() / 2};
  std::vector<double> t;
  std::uniform_real_distribution<double> around(-1.6, 1.6);
  for (int i = 0; i < 5000; ++i) t.push_back(around(rng));
  for (int k = 0; k < 301; k += 7) t.push_back(-1.5 + 0.01 * k);
  for (const double v : {-1.5, 1.5, std::nextafter(1.5, 2.0), std::nextafter(-1.5, -2.0), 1e300, -1e300,
                         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    t.push_back(v);
  std::size_t inside = 0;
  for (const std::size_t n : {t.size(), std::size_t{1}, std::size_t{7}, std::size_t{9}, std::size_t{17}}) {
    std::vector<double> out(n, -7.0);
    hermite_values(grid, t.data(), out.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const double one = hermite_value(grid, t[i]);
      ASSERT_TRUE(same_bits(out[i], one) || (std::isnan(out[i]) && std::isnan(one))) << "t = " << t[i] << ", n = " << n;
      if (n == t.size() && !std::isnan(one)) ++inside;
    }
  }
  EXPECT_GT(inside, 4000u);  // most of t is inside the grid
  EXPECT_TRUE(std::isnan(hermite_value(grid, 1.51)));
  EXPECT_EQ(hermite_value(grid, -1.5), knots[0]);  // at a knot: its value
  const HermiteGrid one_knot{0.0, 1.0, knots.data(), 1};
  double out = 0;
  const double zero = 0.0;
  hermite_values(one_knot, &zero, &out, 1);
  EXPECT_TRUE(std::isnan(out));
}

}  // namespace
}  // namespace deterrence::simd
