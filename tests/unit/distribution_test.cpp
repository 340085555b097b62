// Every sampler against its analytic mean and variance and a Kolmogorov–Smirnov test on 2e5
// samples drawn through the engine's own counter-based streams.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sampling/counter_rng.h"
#include "sampling/distribution.h"
#include "sampling/normal_quantile.h"

namespace deterrence {
namespace {

struct Case {
  const char* name;
  Distribution d;
};

Distribution make(DistributionKind kind, double a, double b, double c = 0, double lo = 0, double hi = 0) {
  return Distribution::of(kind, a, b, c, lo, hi);
}

std::vector<Case> cases() {
  return {
      {"uniform", Distribution::uniform(-2, 5)},
      {"triangular", make(DistributionKind::triangular, 1, 10, 3)},
      {"pert", make(DistributionKind::pert, 0, 10, 2)},
      {"normal", Distribution::normal(3, 2)},
      {"truncated_normal", make(DistributionKind::truncated_normal, 1, 2, 0, -0.5, 4)},
      {"lognormal", make(DistributionKind::lognormal, std::log(2.0), 0.5)},
      {"beta", Distribution::beta(2, 5)},
      {"beta_mean", Distribution::beta_mean(0.3, 8)},
      {"gamma", make(DistributionKind::gamma, 2.5, 1.5)},
  };
}

class DistributionTest : public ::testing::TestWithParam<Case> {};

TEST_P(DistributionTest, MeanVarianceAndKolmogorovSmirnov) {
  Distribution d = GetParam().d;
  d.prepare();  // as the parameter space does: sample exactly as runs do
  const CounterRng rng(12345);
  const std::size_t n = 200000;
  std::vector<double> x(n);
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = d.quantile(rng.uniform(i, 77));
    sum += x[i];
    sum_sq += x[i] * x[i];
  }
  const double mean = sum / n, variance = (sum_sq - sum * sum / n) / (n - 1);
  // Mean within 4.5 standard errors; variance within 5% (all cases have finite kurtosis).
  EXPECT_NEAR(mean, d.mean(), 4.5 * std::sqrt(d.variance() / n)) << d.describe();
  EXPECT_NEAR(variance / d.variance(), 1.0, 0.05) << d.describe();

  std::sort(x.begin(), x.end());
  double ks = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double f = d.cdf(x[i]);
    ks = std::max({ks, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  // Critical value at alpha = 0.001: 1.949 / sqrt(n).
  EXPECT_LT(ks, 1.949 / std::sqrt(static_cast<double>(n))) << d.describe();
}

INSTANTIATE_TEST_SUITE_P(Samplers, DistributionTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DistributionTest, InterpolatedQuantilesMatchTheExactOnes) {
  const CounterRng rng(3);
  for (Distribution d : {Distribution::beta(3, 7), Distribution::beta_mean(0.05, 8), Distribution::beta_mean(0.95, 8),
                         Distribution::beta(0.5, 0.5), Distribution::beta(30, 2), make(DistributionKind::pert, -5, 20, 0)}) {
    d.prepare();
    const double scale = d.kind == DistributionKind::pert ? d.b - d.a : 1.0;
    double worst = 0;
    for (std::uint64_t i = 0; i < 100000; ++i) {
      const double u = rng.uniform(i, 5);
      worst = std::max(worst, std::abs(d.quantile(u) - d.exact_quantile(u)));
    }
    EXPECT_LE(worst, 1e-9 * scale) << d.describe() << (d.table ? " (table)" : " (exact)");
  }
  Distribution typical = Distribution::beta_mean(0.4, 8);
  typical.prepare();
  EXPECT_NE(typical.table, nullptr) << "the salience-like beta should get a table";
}

// The tails (u or 1 − u below 0.02) come from tables in logarithms, each checked to 1e-9 of its
// own end's distance (z, or 1 − z on the standard scale): far tails keep their relative precision.
TEST(DistributionTest, TabulatedTailsKeepTheirRelativePrecision) {
  const CounterRng rng(4);
  for (Distribution d : {Distribution::beta(3, 7), Distribution::beta_mean(0.05, 20), Distribution::beta_mean(0.95, 8),
                         Distribution::beta(1, 19), Distribution::beta(2, 30), Distribution::beta(100, 100),
                         Distribution::beta(30, 2), make(DistributionKind::pert, -5, 20, 0)}) {
    d.prepare();
    ASSERT_NE(d.table, nullptr) << d.describe();
    EXPECT_FALSE(d.table->lower.empty()) << d.describe();
    EXPECT_FALSE(d.table->upper.empty()) << d.describe();
    const double origin = d.kind == DistributionKind::pert ? d.a : 0.0;
    const double range = d.kind == DistributionKind::pert ? d.b - d.a : 1.0;
    double worst_lower = 0, worst_upper = 0;
    for (std::uint64_t i = 0; i < 20000; ++i) {
      // Log-uniform distances from the ends, from 0.02 down to the generator's smallest, 2^-54.
      const double distance = 0.02 * std::exp(-rng.uniform(i, 6) * std::log(0.02 / 0x1.0p-54));
      const double z_low = (d.quantile(distance) - origin) / range;
      const double z_low_exact = (d.exact_quantile(distance) - origin) / range;
      worst_lower = std::max(worst_lower, std::abs(z_low - z_low_exact) / z_low_exact);
      const double u = 1.0 - distance;  // rounded: compare at the same u
      const double z = (d.quantile(u) - origin) / range, z_exact = (d.exact_quantile(u) - origin) / range;
      // Near 1, z itself is rounded to 2^-53: allow that beside 1e-9 of 1 − z.
      worst_upper = std::max(worst_upper, std::max(0.0, std::abs(z - z_exact) - 0x1.0p-52) / (1.0 - z_exact));
    }
    EXPECT_LE(worst_lower, 2e-9) << d.describe();
    EXPECT_LE(worst_upper, 2e-9) << d.describe();
  }
}

// A copula member's value from its correlated score (engine 0.6.0): the by_score table, and u =
// Φ(x) with the u tables beyond ±kScoreEdge, within the tables' 1e-9 of the exact quantile at
// that u, for scores far into both tails; the salience betas get a table by score; and many
// scores at once (strided) give the bits of one at a time.
TEST(DistributionTest, QuantilesOfScoresMatchTheExactQuantileOfTheirUniform) {
  const CounterRng rng(5);
  for (Distribution d : {Distribution::beta_mean(0.4, 8), Distribution::beta_mean(0.05, 8), Distribution::beta_mean(0.95, 8),
                         Distribution::beta(3, 7), Distribution::beta(30, 2), make(DistributionKind::pert, -5, 20, 0)}) {
    d.prepare();
    ASSERT_TRUE(d.has_score_table()) << d.describe();
    const double scale = d.kind == DistributionKind::pert ? d.b - d.a : 1.0;
    std::vector<double> x;
    for (std::uint64_t i = 0; i < 50000; ++i) x.push_back(-7.0 + 14.0 * rng.uniform(i, 7));
    for (const double edge : {-kScoreEdge, kScoreEdge, std::nextafter(kScoreEdge, 3.0), -8.5, 8.1, 0.0}) x.push_back(edge);
    std::vector<double> scratch(x.size()), out(2 * x.size(), -1.0);
    d.quantiles_of_scores(x.data(), out.data(), x.size(), 2, scratch.data());
    double worst = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
      worst = std::max(worst, std::abs(out[2 * k] - d.exact_quantile(copula_uniform(x[k]))));
      double one = 0;
      d.quantiles_of_scores(&x[k], &one, 1, 1, scratch.data());
      ASSERT_EQ(one, out[2 * k]) << d.describe() << " at x = " << x[k];
    }
    EXPECT_LE(worst, 1e-9 * scale) << d.describe();
    EXPECT_EQ(out[1], -1.0) << "wrote between the strides";
  }
  // Without any table (the beta's density is infinite at an end): Φ and the exact quantile.
  const Distribution bare = Distribution::beta(0.5, 0.5);
  volatile double score = 0.3;  // not a constant: GCC would fold erfc correctly rounded, not glibc's
  const double x = score;
  double scratch = 0, out = 0;
  bare.quantiles_of_scores(&x, &out, 1, 1, &scratch);
  EXPECT_EQ(out, bare.quantile(copula_uniform(x)));
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Many quantiles at once (a block of draws, strided as the sampler lays them out) are
// quantile() of each, bit for bit, for every kind with its table built as the sampler builds it:
// the middle, both tails down to the generator's extremes, and a table-less beta.
TEST(DistributionTest, ManyQuantilesAtOnceAreEachQuantile) {
  std::vector<double> u;
  for (int k = 1; k < 2000; ++k) u.push_back(k / 2000.0);
  for (const double tail : {0x1.0p-54, 1e-12, 1e-6, 0.003, 0.0199999, 0.02, 0.98})
    u.insert(u.end(), {tail, 1.0 - tail});
  u.push_back(0x1.fffffffffffffp-1);
  auto all = cases();
  all.push_back({"constant", Distribution::constant(4)});
  all.push_back({"beta without table", Distribution::beta(0.5, 0.5)});
  for (auto& [name, d] : all) {
    if (std::string(name) != "beta without table") d.prepare();
    const std::size_t stride = 3;
    std::vector<double> strided(u.size() * stride, 0.25), out(u.size() * stride, -1.0);
    for (std::size_t k = 0; k < u.size(); ++k) strided[k * stride] = u[k];
    d.quantiles(strided.data(), out.data(), u.size(), stride);
    for (std::size_t k = 0; k < u.size(); ++k) ASSERT_EQ(out[k * stride], d.quantile(u[k])) << name << " at u = " << u[k];
    EXPECT_EQ(out[1], -1.0) << name << ": wrote between the strides";
  }
}

TEST(DistributionTest, ConstantIsConstant) {
  const Distribution d = Distribution::constant(4.2);
  EXPECT_EQ(d.quantile(0.001), 4.2);
  EXPECT_EQ(d.quantile(0.999), 4.2);
  EXPECT_EQ(d.variance(), 0.0);
}

TEST(CounterRng, UniformsArePureFunctionsOfSeedDrawAndStream) {
  const CounterRng a(7), b(7), c(8);
  EXPECT_EQ(a.uniform(123, stream_of("x")), b.uniform(123, stream_of("x")));
  EXPECT_NE(a.uniform(123, stream_of("x")), c.uniform(123, stream_of("x")));
  EXPECT_NE(a.uniform(123, stream_of("x")), a.uniform(124, stream_of("x")));
  EXPECT_NE(a.uniform(123, stream_of("x")), a.uniform(123, stream_of("y")));
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const double u = a.uniform(i, 1);
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

// The batched uniforms are the one-at-a-time ones, bit for bit: draws across the 64-bit range
// (high counter words set), seeds of both halves. Every register width this machine runs (one at a time, SSE2, AVX2, AVX-512F) gives the one-at-a-
// time bits, for stream counts that leave every remainder of every width (0–40).
std::vector<CounterRng::Lanes> widths_this_machine_runs() {
  using Lanes = CounterRng::Lanes;
  std::vector<Lanes> widths;
  for (const Lanes lanes : {Lanes::one, Lanes::sse2, Lanes::avx2, Lanes::avx512})
    if (static_cast<int>(lanes) <= static_cast<int>(CounterRng::widest_lanes())) widths.push_back(lanes);
#if defined(__x86_64__)
  EXPECT_GE(widths.size(), 2u);  // every x86-64 runs SSE2 at least: a SIMD width is always compared
#else
  EXPECT_GE(widths.size(), 1u);
#endif
  return widths;
}

TEST(CounterRng, BatchedUniformsAreTheOneAtATimeOnes) {
  using Lanes = CounterRng::Lanes;
  const std::vector<Lanes> widths = widths_this_machine_runs();
  for (const std::uint64_t seed : {0ULL, 20261123ULL, 0xfedcba9876543210ULL}) {
    const CounterRng rng(seed);
    for (const std::uint64_t draw : {0ULL, 1ULL, 123456789ULL, 0x1234567890abcdefULL, ~0ULL}) {
      for (std::size_t n = 0; n <= 40; ++n) {
        std::vector<std::uint64_t> streams(n);
        for (std::size_t k = 0; k < n; ++k) streams[k] = stream_of(fmt::format("p{}.{}", k, draw));
        for (const Lanes lanes : widths) {
          std::vector<double> out(n, -1.0);
          rng.uniforms(draw, streams, out, lanes);
          for (std::size_t k = 0; k < n; ++k)
            ASSERT_EQ(out[k], rng.uniform(draw, streams[k]))
                << "seed " << seed << " draw " << draw << " stream " << k << " of " << n << ", "
                << static_cast<int>(lanes) << " lanes";
        }
      }
    }
  }
}

// A draw per stream (a block of draws of few parameters in the same lanes): each lane is
// uniform(draws[k], streams[k]), at every width, for every count 0–40 and draws whose high words
// differ between lanes.
TEST(CounterRng, UniformsOfManyDrawsAreTheOneAtATimeOnes) {
  using Lanes = CounterRng::Lanes;
  const std::vector<Lanes> widths = widths_this_machine_runs();
  for (const std::uint64_t seed : {0ULL, 20261123ULL, 0xfedcba9876543210ULL}) {
    const CounterRng rng(seed);
    for (std::size_t n = 0; n <= 40; ++n) {
      std::vector<std::uint64_t> draws(n), streams(n);
      for (std::size_t k = 0; k < n; ++k) {
        draws[k] = k % 3 == 0 ? k : k % 3 == 1 ? 0x1234567890abcdefULL + k : ~0ULL - k;
        streams[k] = stream_of(fmt::format("x{}", k % 5));
      }
      for (const Lanes lanes : widths) {
        std::vector<double> out(n, -1.0);
        rng.uniforms(draws, streams, out, lanes);
        for (std::size_t k = 0; k < n; ++k)
          ASSERT_EQ(out[k], rng.uniform(draws[k], streams[k]))
              << "seed " << seed << " lane " << k << " of " << n << ", " << static_cast<int>(lanes) << " lanes";
      }
    }
  }
}

}  // namespace
}  // namespace deterrence
