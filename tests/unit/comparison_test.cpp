// `deterrence compare`: nested models' calibrations set against each other. Proven on the
// binomial model, whose leave-one-out predictive has a closed form under a beta prior
// (P(left-out trial | the others) = (a + successes among the others) / (a + b + n - 1)): the elpd
// of two priors matches the analytic one; differences are elpd_row - elpd_column; stacking weights
// maximise the mixture's log score (checked against a grid); mismatched calibrations are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "calibration/comparison.h"
#include "io/h5.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::read_text;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string binomial(const TempDir& dir, const std::string& name, const std::string& prior, int seed = 11,
                     const std::string& observed = "[SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS, "
                                                   "SUCCESS, FAILURE, SUCCESS]") {
  return dir.write(name + ".yaml", "model: binomial\ndraws: 1000\nseed: " + std::to_string(seed) +
                                       "\nparameters:\n  theta: " + prior + "\nmodel_options:\n  observed: " + observed +
                                       "\n");
}

// 7 successes in 10 under Beta(a, b): leaving out a success, 6 of 9 remain; a failure, 7 of 9.
double analytic_elpd(double a, double b) {
  return 7 * std::log((a + 6) / (a + b + 9)) + 3 * std::log((b + 2) / (a + b + 9));
}

TEST(Comparison, ElpdOfTwoPriorsIsTheAnalyticOneAndTheFileSaysSo) {
  TempDir dir;
  const std::string flat = dir.file("flat.h5"), sceptical = dir.file("sceptical.h5"), out = dir.file("comparison.h5");
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + binomial(dir, "flat", "{dist: uniform, min: 0, max: 1}") +
                  " --draws 20000 --inner 400 --quiet --out " + flat), 0);
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + binomial(dir, "sceptical", "{dist: beta, a: 6, b: 14}") +
                  " --draws 20000 --inner 400 --quiet --out " + sceptical), 0);
  const std::string log = dir.file("compare.txt");
  ASSERT_EQ(shell(kBinary + " compare " + flat + " " + sceptical + " --out " + out, log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("Model comparison on 10 cases"), std::string::npos) << read_text(log);
  const h5::Handle file = h5::open_file(out);
  const h5::Handle g = h5::open_group(file, "comparison");
  EXPECT_EQ(h5::read_strings(g, "model"), (std::vector<std::string>{"flat", "sceptical"}));
  const auto elpd = h5::read_doubles(g, "elpd_loo");
  // Tolerance: the smoothing of K = 400 inner plays and the importance sampling move each ln p by
  // about 0.01 (calibration_test.cpp); ten cases.
  EXPECT_NEAR(elpd[0], analytic_elpd(1, 1), 0.1);
  EXPECT_NEAR(elpd[1], analytic_elpd(6, 14), 0.1);
  EXPECT_GT(elpd[0], elpd[1]);  // the data favour the flat prior: 7 of 10 against a prior mean of 0.3
  // The same elpd as each calibration reports for itself.
  EXPECT_NEAR(elpd[0], h5::read_double_attribute(h5::open_group(h5::open_file(flat), "calibration"), "elpd_loo"), 1e-9);
  const auto diff = h5::read_doubles(g, "elpd_difference"), se = h5::read_doubles(g, "elpd_difference_se");
  EXPECT_NEAR(diff[1], elpd[0] - elpd[1], 1e-12);
  EXPECT_DOUBLE_EQ(diff[2], -diff[1]);
  EXPECT_DOUBLE_EQ(se[1], se[2]);
  EXPECT_GT(se[1], 0.0);
  const auto w = h5::read_doubles(g, "stacking_weight");
  EXPECT_NEAR(w[0] + w[1], 1.0, 1e-12);
  EXPECT_GT(w[0], w[1]);
  // summary prints it too.
  const std::string summary = dir.file("summary.txt");
  ASSERT_EQ(shell(kBinary + " summary " + out, summary), 0);
  EXPECT_NE(read_text(summary).find("stacking"), std::string::npos) << read_text(summary);
}

TEST(Comparison, RefusesCalibrationsOfOtherCasesOrSeeds) {
  TempDir dir;
  const std::string a = dir.file("a.h5"), b = dir.file("b.h5"), c = dir.file("c.h5");
  const std::string flat = "{dist: uniform, min: 0, max: 1}";
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + binomial(dir, "a", flat) + " --draws 200 --inner 20 --quiet --out " + a), 0);
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + binomial(dir, "b", flat, 12) + " --draws 200 --inner 20 --quiet --out " + b),
            0);
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " +
                      binomial(dir, "c", flat, 11,
                               "[FAILURE, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS]") +
                      " --draws 200 --inner 20 --quiet --out " + c),
            0);
  const std::string log = dir.file("refusal.txt");
  EXPECT_EQ(shell(kBinary + " compare " + a + " " + b + " --out " + dir.file("x.h5"), log), 2);
  EXPECT_NE(read_text(log).find("another seed (12)"), std::string::npos) << read_text(log);
  EXPECT_EQ(shell(kBinary + " compare " + a + " " + c + " --out " + dir.file("x.h5"), log), 2);
  EXPECT_NE(read_text(log).find("other observations"), std::string::npos) << read_text(log);
  EXPECT_EQ(shell(kBinary + " compare " + a + " --out " + dir.file("x.h5"), log), 2);
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
}

double mixture_score(const std::vector<std::vector<double>>& p, double w) {
  double total = 0;
  for (std::size_t i = 0; i < p[0].size(); ++i) total += std::log(w * p[0][i] + (1 - w) * p[1][i]);
  return total;
}

TEST(Comparison, StackingWeightsMaximiseTheMixturesLogScore) {
  // One model better everywhere: all the weight.
  EXPECT_NEAR(stacking_weights({{0.6, 0.7, 0.5}, {0.3, 0.2, 0.4}})[0], 1.0, 1e-6);
  // Each better on half the cases, symmetrically: half each.
  const auto half = stacking_weights({{0.9, 0.1}, {0.1, 0.9}});
  EXPECT_NEAR(half[0], 0.5, 1e-9);
  // An uneven case against a fine grid of the objective.
  const std::vector<std::vector<double>> p = {{0.8, 0.05, 0.6, 0.3, 0.02}, {0.2, 0.5, 0.3, 0.4, 0.3}};
  double best_w = 0, best = -1e300;
  for (int k = 0; k <= 100000; ++k) {
    const double w = k / 100000.0;
    if (const double s = mixture_score(p, w); s > best) best = s, best_w = w;
  }
  const auto w = stacking_weights(p);
  EXPECT_NEAR(w[0], best_w, 1e-4);
  EXPECT_NEAR(w[0] + w[1], 1.0, 1e-12);
  EXPECT_GE(mixture_score(p, w[0]), best - 1e-9);
}

}  // namespace
}  // namespace deterrence
