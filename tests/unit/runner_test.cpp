// The runner's guarantees: bit-identical results for any thread count, streams that do not
// depend on other parameters, copula correlation, and Ishigami's analytic mean and variance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "config/experiment.h"
#include "run/runner.h"
#include "sampling/sampler.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

Experiment ishigami(const TempDir& dir, std::uint64_t draws, const std::string& extra = "") {
  return load_experiment(dir.write("ishigami.yaml", "model: ishigami\ndraws: " + std::to_string(draws) +
                                                        "\nseed: 99\nchunk_size: 1000\n" +
                                                        testing::kIshigamiParameters + extra));
}

RunStatistics run(const Experiment& e, int threads, std::uint64_t draws) {
  RunStatistics totals(e.model->outputs());
  RunSettings settings;
  settings.draw_count = draws;
  settings.seed = e.seed;
  settings.chunk_size = e.chunk_size;
  settings.threads = threads;
  run_draws(*e.model, settings, totals, nullptr, nullptr);
  return totals;
}

TEST(Runner, ResultsAreBitIdenticalForOneTwoAndEightThreads) {
  TempDir dir;
  const Experiment e = ishigami(dir, 50000);
  const RunStatistics one = run(e, 1, 50500), two = run(e, 2, 50500), eight = run(e, 8, 50500);
  EXPECT_TRUE(one.sum(0) == two.sum(0));
  EXPECT_TRUE(one.sum(0) == eight.sum(0));
  EXPECT_TRUE(one.sum_sq(0) == eight.sum_sq(0));
  EXPECT_EQ(one.min(0), eight.min(0));
  EXPECT_EQ(one.max(0), eight.max(0));
  const auto s1 = one.sketch(0), s8 = eight.sketch(0);
  EXPECT_TRUE(std::equal(s1.begin(), s1.end(), s8.begin()));
  EXPECT_EQ(one.count(0), 50500u);
}

TEST(Runner, AddingAnUnrelatedParameterDoesNotChangeTheOthersDraws) {
  ParameterSpace small, large;
  small.add("x1", Distribution::uniform(0, 1));
  small.add("x2", Distribution::normal(0, 1));
  large.add("extra", Distribution::beta(2, 2));
  large.add("x2", Distribution::normal(0, 1));
  large.add("x1", Distribution::uniform(0, 1));
  const Sampler a(small, 5), b(large, 5);
  auto sa = a.make_scratch();
  auto sb = b.make_scratch();
  std::vector<double> va(2), vb(3);
  for (std::uint64_t draw = 0; draw < 1000; ++draw) {
    a.sample(draw, va, sa);
    b.sample(draw, vb, sb);
    ASSERT_EQ(va[0], vb[2]);
    ASSERT_EQ(va[1], vb[1]);
  }
}

// A block of draws sampled together is each draw sampled alone, bit for bit: few parameters (the
// draws' uniforms share Philox lanes) with a copula, many parameters of every kind with a copula
// (each marginal applied to the block's draws in turn), and a Latin hypercube; every block size
// up to the scratch's and past it.
TEST(Sampler, DrawsSampledTogetherAreEachDrawAlone) {
  ParameterSpace few, many;
  few.add("x1", Distribution::uniform(-3, 3));
  few.add("x2", Distribution::normal(1, 2));
  few.add("x3", Distribution::beta(2, 5));
  few.add("x4", Distribution::of(DistributionKind::lognormal, 0.1, 0.4));
  few.add("x5", Distribution::of(DistributionKind::triangular, 0, 2, 1));
  Eigen::MatrixXd r(2, 2);
  r << 1, 0.5, 0.5, 1;
  few.correlate({0, 2}, r);
  const Distribution kinds[] = {Distribution::beta(2, 3),
                                Distribution::normal(0, 1),
                                Distribution::uniform(1, 4),
                                Distribution::constant(7),
                                Distribution::of(DistributionKind::pert, 0, 10, 2),
                                Distribution::of(DistributionKind::lognormal, 0.2, 0.5),
                                Distribution::of(DistributionKind::triangular, -1, 1, 0.5),
                                Distribution::beta_mean(0.3, 6)};
  for (int i = 0; i < 40; ++i) many.add(fmt::format("p{}", i), kinds[i % 8]);
  Eigen::MatrixXd r3(3, 3);
  r3 << 1, 0.4, -0.2, 0.4, 1, 0.3, -0.2, 0.3, 1;
  many.correlate({1, 10, 20}, r3);
  ASSERT_LT(few.size(), Sampler::kFewParameters);
  ASSERT_GE(many.size(), Sampler::kFewParameters);
  DesignSpec latin;
  latin.kind = DesignKind::latin_hypercube;
  const Design design(latin, few, 20261130, 1000);
  const std::pair<const ParameterSpace*, const Design*> cases[] = {{&few, nullptr}, {&many, nullptr}, {&few, &design}};
  for (const auto& [space, design_of] : cases) {
    const Sampler sampler(*space, 20261130, design_of);
    const std::size_t n = space->size(), capacity = 8;
    auto together = sampler.make_scratch(capacity);
    auto alone = sampler.make_scratch();
    std::vector<double> rows((2 * capacity + 1) * n), row(n);
    for (std::size_t count = 0; count <= 2 * capacity + 1; ++count)
      for (const std::uint64_t first : {0ULL, 17ULL, design_of ? 900ULL : 0xffffffffULL - 3, design_of ? 990ULL : ~0ULL - 9}) {
        std::fill(rows.begin(), rows.end(), -1.0);
        sampler.sample_draws(first, count, {rows.data(), count * n}, together);
        for (std::size_t d = 0; d < count; ++d) {
          sampler.sample(first + d, row, alone);
          for (std::size_t j = 0; j < n; ++j)
            ASSERT_EQ(rows[d * n + j], row[j]) << n << " parameters, draw " << first + d << " of a block of " << count
                                               << ", parameter " << j;
        }
      }
  }
}

double spearman(std::vector<double> a, std::vector<double> b) {
  const auto ranks = [](std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto i, auto j) { return v[i] < v[j]; });
    for (std::size_t r = 0; r < order.size(); ++r) v[order[r]] = static_cast<double>(r);
  };
  ranks(a);
  ranks(b);
  const double n = static_cast<double>(a.size()), mean = (n - 1) / 2;
  double cov = 0, var = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - mean) * (b[i] - mean);
    var += (a[i] - mean) * (a[i] - mean);
  }
  return cov / var;
}

TEST(Copula, RankCorrelationMatchesTheTarget) {
  ParameterSpace space;
  space.add("s1", Distribution::beta(2, 5));
  space.add("s2", Distribution::uniform(0, 10));
  space.add("s3", Distribution::beta_mean(0.5, 4));
  Eigen::MatrixXd r(3, 3);
  r << 1, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 1;
  space.correlate({0, 1, 2}, r);
  const Sampler sampler(space, 11);
  auto scratch = sampler.make_scratch();
  std::vector<double> v(3), x1, x2, x3;
  for (std::uint64_t d = 0; d < 100000; ++d) {
    sampler.sample(d, v, scratch);
    x1.push_back(v[0]);
    x2.push_back(v[1]);
    x3.push_back(v[2]);
  }
  // Spearman's rho of a Gaussian copula: (6/pi) asin(r/2).
  const auto target = [](double rho) { return 6.0 / M_PI * std::asin(rho / 2.0); };
  EXPECT_NEAR(spearman(x1, x2), target(0.6), 0.01);
  EXPECT_NEAR(spearman(x1, x3), target(-0.3), 0.01);
  EXPECT_NEAR(spearman(x2, x3), target(0.2), 0.01);
}

TEST(Copula, InvalidMatricesAreRejected) {
  ParameterSpace space;
  space.add("a", Distribution::uniform(0, 1));
  space.add("b", Distribution::uniform(0, 1));
  Eigen::MatrixXd bad(2, 2);
  bad << 1, 1.2, 1.2, 1;
  EXPECT_THROW(space.correlate({0, 1}, bad), std::invalid_argument);
  bad << 2, 0, 0, 1;
  EXPECT_THROW(space.correlate({0, 1}, bad), std::invalid_argument);
}

TEST(Ishigami, MeanAndVarianceLieWithinTheir99PercentIntervalsAtOneMillionDraws) {
  TempDir dir;
  const Experiment e = ishigami(dir, 1000000);
  const RunStatistics s = run(e, 0, 1000000);
  const double a = 7, b = 0.1, pi = M_PI;
  const double mean = a / 2;
  const double variance = a * a / 8 + b * std::pow(pi, 4) / 5 + b * b * std::pow(pi, 8) / 18 + 0.5;
  const double n = 1e6, z99 = 2.5758;
  EXPECT_NEAR(s.mean(0), mean, z99 * std::sqrt(s.variance(0) / n));
  // Standard error of the sample variance: sqrt((mu4 - sigma^4) / n), with the fourth central
  // moment computed by a midpoint rule on a 160^3 grid (accurate far beyond what is needed).
  const int g = 160;
  double mu4 = 0;
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j)
      for (int k = 0; k < g; ++k) {
        const double x1 = -pi + (i + 0.5) * 2 * pi / g, x2 = -pi + (j + 0.5) * 2 * pi / g, x3 = -pi + (k + 0.5) * 2 * pi / g;
        const double y = std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1);
        mu4 += std::pow(y - mean, 4);
      }
  mu4 /= std::pow(g, 3);
  const double se_var = std::sqrt((mu4 - variance * variance) / n);
  EXPECT_NEAR(s.variance(0), variance, z99 * se_var);
  EXPECT_NEAR(variance, 13.8446, 1e-4);
}

}  // namespace
}  // namespace deterrence
