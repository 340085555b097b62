// Sequential Monte Carlo calibration proven against closed forms on the binomial test model (each
// case a trial succeeding with probability θ, uniform prior): 7 successes in 10 give the Beta(8, 4)
// posterior, the evidence ln B(8, 4), exact leave-one-out predictives 7/11 and 3/11, and held-out
// forecasts from Beta(6, 3); the same bits for any thread count and after a resume; the feature
// rules against counts done by hand.
#include <gtest/gtest.h>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <filesystem>

#include "calibration/feature_rules.h"
#include "h5_compare.h"
#include "io/h5.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;
// 7 successes, 3 failures; trial c is dated 2000 + c - 1.
const char* kTrials = "[SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS]";

std::string binomial_config(const TempDir& dir) {
  return dir.write("binomial.yaml", std::string("model: binomial\ndraws: 1000\nseed: 11\nparameters:\n") +
                                        "  theta: {dist: uniform, min: 0, max: 1}\nmodel_options:\n  observed: " + kTrials +
                                        "\n");
}

std::vector<double> read(const std::string& file, const std::string& name) {
  const h5::Handle f = h5::open_file(file);
  return h5::read_doubles(h5::open_group(f, "calibration"), name);
}
double attribute(const std::string& file, const std::string& name) {
  const h5::Handle f = h5::open_file(file);
  return h5::read_double_attribute(h5::open_group(f, "calibration"), name);
}

class SmcBinomial : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    config_ = binomial_config(*dir_);
    one_ = dir_->file("one.h5");
    ASSERT_EQ(shell(kBinary + " calibrate " + config_ + " --draws 4000 --inner 400 --threads 1 --hold-out-from 2007 --quiet --out " +
                    one_),
              0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
  static std::string config_, one_;
};
TempDir* SmcBinomial::dir_ = nullptr;
std::string SmcBinomial::config_, SmcBinomial::one_;

TEST_F(SmcBinomial, ThePosteriorIsTheBetaPosterior) {
  const h5::Handle f = h5::open_file(one_);
  EXPECT_EQ(h5::read_string_attribute(h5::open_group(f, "calibration"), "method"), "smc");
  // Monte Carlo error of the mean with ~4 000 particles: 0.13/sqrt(4000) = 0.002 (more for their
  // correlation); the smoothing of K = 400 plays biases p by at most 0.5/402.
  const boost::math::beta_distribution<> posterior(8, 4);
  EXPECT_NEAR(read(one_, "posterior_mean")[0], 8.0 / 12.0, 0.008);
  EXPECT_NEAR(read(one_, "posterior_sd")[0], std::sqrt(8.0 * 4.0 / (144.0 * 13.0)), 0.008);
  EXPECT_NEAR(read(one_, "posterior_q05")[0], boost::math::quantile(posterior, 0.05), 0.02);
  EXPECT_NEAR(read(one_, "posterior_q95")[0], boost::math::quantile(posterior, 0.95), 0.02);
  EXPECT_GT(attribute(one_, "distinct_draws"), 2000);  // the moves refreshed the resampled particles
}

TEST_F(SmcBinomial, TheEvidenceIsTheBetaFunction) {
  // p(record) = ∫ θ^7 (1 − θ)^3 dθ = B(8, 4): ln = −7.185.
  EXPECT_NEAR(attribute(one_, "log_evidence"), std::log(boost::math::beta(8.0, 4.0)), 0.1);
}

TEST_F(SmcBinomial, LeaveOneOutIsExactWherePsisCannotBeTrusted) {
  const auto p_loo = read(one_, "p_loo"), k = read(one_, "pareto_k_loo");
  const h5::Handle f = h5::open_file(one_);
  const auto method = h5::read_strings(h5::open_group(f, "calibration"), "loo_method");
  for (std::size_t c = 0; c < p_loo.size(); ++c) {
    SCOPED_TRACE(c);
    // The other nine trials: 6 successes of 9 for a success (7/11), 7 of 9 for a failure (3/11).
    const bool failure = c == 2 || c == 5 || c == 8;
    EXPECT_NEAR(p_loo[c], failure ? 3.0 / 11.0 : 7.0 / 11.0, 0.02);
    if (!(k[c] <= 0.7)) {
      EXPECT_EQ(method[c], "exact refit");  // no printed estimate rests on k > 0.7
    }
  }
}

TEST_F(SmcBinomial, HeldOutCasesAreForecastFromThePosteriorWithoutThem) {
  // Fit on trials 1–7 (5 successes, 2 failures): Beta(6, 3); trial 8 succeeded (6/9), 9 failed (3/9).
  const auto held = read(one_, "p_held_out");
  EXPECT_TRUE(std::isnan(held[0]));
  EXPECT_NEAR(held[7], 6.0 / 9.0, 0.02);
  EXPECT_NEAR(held[8], 3.0 / 9.0, 0.02);
  // By name: trials 3 (failed) and 4 (succeeded) held out leave 6 successes, 2 failures: Beta(7, 3).
  const std::string named = dir_->file("named.h5");
  ASSERT_EQ(shell(kBinary + " calibrate " + config_ + " --draws 2000 --inner 200 --hold-out trial3,trial4 --quiet --out " + named),
            0);
  const auto by_name = read(named, "p_held_out");
  EXPECT_NEAR(by_name[2], 3.0 / 10.0, 0.025);
  EXPECT_NEAR(by_name[3], 7.0 / 10.0, 0.025);
  EXPECT_TRUE(std::isnan(by_name[4]));
  const std::string log = dir_->file("unknown.txt");
  EXPECT_EQ(shell(kBinary + " calibrate " + config_ + " --hold-out trial3,nope --quiet --out " + dir_->file("x.h5"), log), 2);
  EXPECT_NE(testing::read_text(log).find("no case 'nope'"), std::string::npos) << testing::read_text(log);
  EXPECT_FALSE(std::filesystem::exists(dir_->file("x.h5")));
}

TEST_F(SmcBinomial, AnyThreadCountGivesTheSameBits) {
  const std::string two = dir_->file("two.h5");
  ASSERT_EQ(shell(kBinary + " calibrate " + config_ + " --draws 4000 --inner 400 --threads 2 --hold-out-from 2007 --quiet --out " +
                  two),
            0);
  EXPECT_EQ(testing::bit_differences(one_, two, "/calibration"), "");
}

TEST_F(SmcBinomial, RoundsBelongToImportanceSampling) {
  const std::string log = dir_->file("rounds.txt");
  EXPECT_EQ(shell(kBinary + " calibrate " + config_ + " --rounds 3 --quiet --out " + dir_->file("r.h5"), log), 2);
  EXPECT_NE(testing::read_text(log).find("--rounds is for --method importance"), std::string::npos);
}

// Stopped by SIGTERM after a stage, an SMC calibration exits 3 and keeps its checkpoint; --resume
// continues it to the same bits as an uninterrupted one.
TEST(Smc, StoppedAfterAStageAndResumedIsBitIdentical) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string whole = dir.file("whole.h5"), cut = dir.file("cut.h5");
  const std::string common = " --draws 3000 --inner 2000 --cess 0.9 --quiet";
  ASSERT_EQ(shell(kBinary + " calibrate " + config + common + " --out " + whole), 0);
  const std::string script = "(" + kBinary + " calibrate " + config + common + " --out " + cut +
                             " & pid=$!; while [ ! -e " + cut +
                             ".checkpoint/stage-000001.h5 ]; do kill -0 $pid 2>/dev/null || break; sleep 0.01; "
                             "done; kill -TERM $pid; wait $pid; exit $?)";
  ASSERT_EQ(shell(script), 3);
  ASSERT_TRUE(std::filesystem::exists(cut + ".checkpoint"));
  const std::string log = dir.file("refused.txt");
  EXPECT_EQ(shell(kBinary + " calibrate " + config + common + " --seed 12 --resume --out " + cut, log), 2);
  EXPECT_NE(testing::read_text(log).find("another seed"), std::string::npos) << testing::read_text(log);
  ASSERT_EQ(shell(kBinary + " calibrate " + config + common + " --resume --out " + cut, log), 0) << testing::read_text(log);
  EXPECT_EQ(testing::bit_differences(whole, cut, "/calibration"), "");
  EXPECT_FALSE(std::filesystem::exists(cut + ".checkpoint"));
}

// The game itself, small: every case whose PSIS k̂ is above 0.7 (or unfitted) is refitted, the
// summary sets the game beside the feature rules and says which forecasts better.
TEST(Smc, TheGameCalibratesWithExactLeaveOneOutAndTheFeatureRules) {
  TempDir dir;
  const std::string out = dir.file("game.h5"), log = dir.file("game.txt");
  const std::string common = " calibrate " DETERRENCE_CONFIGS "/experiments/cases.yaml --draws 48 --inner 8 --max-moves 3 "
                             "--hold-out-from 2019";
  ASSERT_EQ(shell(kBinary + common + " --threads 1 --out " + out, log), 0) << testing::read_text(log);
  ASSERT_EQ(shell(kBinary + common + " --threads 2 --quiet --out " + dir.file("two.h5")), 0);
  EXPECT_EQ(testing::bit_differences(out, dir.file("two.h5"), "/calibration"), "");
  const auto k = read(out, "pareto_k_loo");
  const h5::Handle f = h5::open_file(out);
  const h5::Handle g = h5::open_group(f, "calibration");
  const auto method = h5::read_strings(g, "loo_method");
  ASSERT_EQ(method.size(), k.size());
  for (std::size_t c = 0; c < k.size(); ++c)
    if (!(k[c] <= 0.7)) {
      EXPECT_EQ(method[c], "exact refit") << c;
    }
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("posterior stage 1: t "), std::string::npos);  // progress on stderr
  EXPECT_NE(text.find("rate per issue"), std::string::npos);
  EXPECT_NE(text.find("Out of sample (leave-one-out log score) the game forecasts"), std::string::npos);
  EXPECT_TRUE(std::isfinite(h5::read_double_attribute(g, "log_evidence")));
  // The cases carry what the rules group them by.
  const auto features = h5::read_strings(h5::open_group(f, "cases"), "features");
  EXPECT_NE(features.front().find("act="), std::string::npos);
  EXPECT_NE(features.front().find("stance="), std::string::npos);
}

CaseSpec coded(const std::string& id, const std::string& act, const std::string& observed) {
  CaseSpec c;
  c.id = id;
  c.year = "2000";
  c.classes = {{"YES", {0}}, {"NO", {1}}};
  c.observed = {{observed, 1.0}};
  c.features = {{"act", act}};
  return c;
}

TEST(FeatureRules, RatesPerFeatureCountTheOtherCasesThatShareIt) {
  // a: YES YES NO; b: NO NO.
  const std::vector<CaseSpec> cases = {coded("a1", "a", "YES"), coded("a2", "a", "YES"), coded("a3", "a", "NO"),
                                       coded("b1", "b", "NO"), coded("b2", "b", "NO")};
  const auto rules = score_feature_rules(cases, {false, false, false, false, true});
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].name, "one rate for all");
  // One rate, case a1: the others are 1 YES, 3 NO → P(YES) = 1.5/5.
  EXPECT_NEAR(rules[0].loo_log[0], -std::log(1.5 / 5.0), 1e-12);
  // Per act, case a1: the other a's are 1 YES 1 NO → 1.5/3; case b1: the other b is NO → P(NO) = 1.5/2.
  EXPECT_NEAR(rules[1].loo_log[0], -std::log(1.5 / 3.0), 1e-12);
  EXPECT_NEAR(rules[1].loo_log[3], -std::log(1.5 / 2.0), 1e-12);
  EXPECT_NEAR(rules[1].loo_brier[3], 2 * 0.25 * 0.25, 1e-12);
  // Held out b2: fitted on the b's not held out (b1: NO) → P(NO) = 1.5/2; one rate: 2 YES 2 NO → 2.5/5.
  EXPECT_NEAR(rules[1].held_log[4], -std::log(1.5 / 2.0), 1e-12);
  EXPECT_NEAR(rules[0].held_log[4], -std::log(2.5 / 5.0), 1e-12);
  EXPECT_TRUE(std::isnan(rules[1].held_log[0]));
  EXPECT_EQ(rules[1].held_out, 1u);
  // A feature no case codes: every case forecast from all the others, as one rate for all.
  EXPECT_NEAR(rules[2].mean_loo_log, rules[0].mean_loo_log, 1e-12);
}

}  // namespace
}  // namespace deterrence
