// Calibration proven against closed forms: a model whose case likelihood is known (each case a
// trial succeeding with probability theta) has the Beta posterior and leave-one-out predictive of
// a conjugate analysis; Pareto k recovers a known tail; results are the same bits for any thread
// count.
#include <gtest/gtest.h>

#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <random>

#include "calibration/psis.h"
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

TEST(Calibration, TheBinomialPosteriorIsTheBetaPosterior) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string one = dir.file("one.h5"), two = dir.file("two.h5");
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + " --draws 20000 --inner 400 --threads 1 --quiet --out " + one), 0);
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + " --draws 20000 --inner 400 --threads 2 --quiet --out " + two), 0);
  EXPECT_EQ(testing::bit_differences(one, two, "/calibration"), "");  // any thread count: the same bits
  // Uniform prior, 7 of 10: Beta(8, 4). Monte Carlo error of the weighted mean at an ESS of about
  // 9 000 is 0.13/sqrt(9000) = 0.0014; the smoothing of K = 400 inner plays biases p by at most
  // 0.5/402. Tolerances: 0.006 for the mean, 0.015 for the quantiles.
  const boost::math::beta_distribution<> posterior(8, 4);
  EXPECT_NEAR(read(one, "posterior_mean")[0], 8.0 / 12.0, 0.006);
  EXPECT_NEAR(read(one, "posterior_q05")[0], boost::math::quantile(posterior, 0.05), 0.015);
  EXPECT_NEAR(read(one, "posterior_q50")[0], boost::math::quantile(posterior, 0.5), 0.015);
  EXPECT_NEAR(read(one, "posterior_q95")[0], boost::math::quantile(posterior, 0.95), 0.015);
  EXPECT_NEAR(read(one, "prior_mean")[0], 0.5, 0.01);
  // Leave-one-out: with the others' 6 of 9 (a success left out), P(success) = 7/11; with 7 of 9
  // (a failure left out), P(failure) = 3/11.
  const auto loo = read(one, "p_loo");
  EXPECT_NEAR(loo[0], 7.0 / 11.0, 0.01);
  EXPECT_NEAR(loo[2], 3.0 / 11.0, 0.01);
  for (double k : read(one, "pareto_k_loo")) EXPECT_LT(k, 0.5);
}

TEST(Calibration, AdaptiveRoundsRaiseTheEffectiveSampleSizeAndKeepThePosterior) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string out = dir.file("rounds.h5");
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + " --draws 20000 --inner 400 --rounds 3 --quiet --out " + out), 0);
  const auto ess = read(out, "round_effective_sample_size");
  ASSERT_EQ(ess.size(), 3u);
  EXPECT_GT(ess[2], 1.5 * ess[0]);  // the prior reaches the posterior with ESS ~ 9 000; the proposal with far more
  const boost::math::beta_distribution<> posterior(8, 4);
  EXPECT_NEAR(read(out, "posterior_mean")[0], 8.0 / 12.0, 0.006);
  EXPECT_NEAR(read(out, "posterior_q05")[0], boost::math::quantile(posterior, 0.05), 0.015);
  EXPECT_NEAR(read(out, "posterior_q95")[0], boost::math::quantile(posterior, 0.95), 0.015);
  // The prior column still describes the prior (round 1's draws), not the proposal.
  EXPECT_NEAR(read(out, "prior_mean")[0], 0.5, 0.01);
  EXPECT_NEAR(read(out, "p_loo")[0], 7.0 / 11.0, 0.01);
}

TEST(Calibration, HeldOutCasesAreForecastFromTheEarlierOnes) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string out = dir.file("held.h5");
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + " --draws 20000 --inner 400 --hold-out-from 2007 --quiet --out " + out),
            0);
  // Fit on trials 1–7 (5 successes, 2 failures): Beta(6, 3); trial 8 succeeded (6/9), trial 9 failed (3/9).
  const auto held = read(out, "p_held_out");
  EXPECT_TRUE(std::isnan(held[0]));
  EXPECT_NEAR(held[7], 6.0 / 9.0, 0.012);
  EXPECT_NEAR(held[8], 3.0 / 9.0, 0.012);
  const std::string log = dir.file("summary");
  ASSERT_EQ(shell(kBinary + " summary " + out, log), 0);
  EXPECT_NE(testing::read_text(log).find("held out from 2007: 3 cases"), std::string::npos) << testing::read_text(log);
}

TEST(Calibration, ParetoShapeIsRecoveredFromAKnownTail) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (double k_true : {0.2, 0.5, 0.9}) {
    std::vector<double> x;
    for (int i = 0; i < 4000; ++i) x.push_back((std::pow(1.0 - u(rng), -k_true) - 1.0) / k_true);  // GPD(k, 1)
    double k = 0, sigma = 0;
    fit_generalized_pareto(x, k, sigma);
    EXPECT_NEAR(k, k_true, 0.08) << k_true;
    EXPECT_NEAR(sigma, 1.0, 0.15) << k_true;
  }
  // Importance ratios with a heavy tail (log-ratios of a Student-like spread) get k̂ > 0.7;
  // nearly equal ratios get k̂ < 0.5.
  std::vector<double> heavy, light;
  for (int i = 0; i < 4000; ++i) {
    const double v = u(rng);
    heavy.push_back(-1.5 * std::log(1.0 - v));  // ratios Pareto with shape 1.5 > 0.7
    light.push_back(0.1 * v);
  }
  EXPECT_GT(pareto_smooth(heavy).k_hat, 0.7);
  EXPECT_LT(pareto_smooth(light).k_hat, 0.5);
}

// Stopped by SIGTERM after its first round, a calibration exits 3 and keeps its checkpoint;
// --resume continues it to the same bits as an uninterrupted one, and removes the checkpoint.
TEST(Calibration, StoppedAfterARoundAndResumedIsBitIdentical) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string whole = dir.file("whole.h5"), cut = dir.file("cut.h5");
  const std::string common = " --draws 8000 --inner 1000 --rounds 4 --quiet";
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --out " + whole), 0);
  // Started in the background; SIGTERM as soon as round 1's checkpoint is in place (three of the
  // four rounds are still to run then).
  const std::string script = "(" + kBinary + " calibrate --method importance " + config + common + " --out " + cut + " & pid=$!; while [ ! -e " +
                             cut + ".checkpoint/round-000001.h5 ]; do kill -0 $pid 2>/dev/null || break; sleep 0.01; "
                             "done; kill -TERM $pid; wait $pid; exit $?)";
  ASSERT_EQ(shell(script), 3);
  ASSERT_TRUE(std::filesystem::exists(cut + ".checkpoint"));
  EXPECT_FALSE(std::filesystem::exists(cut));
  const std::string log = dir.file("refused.txt");
  EXPECT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --out " + cut, log), 2);  // neither --resume nor --force
  EXPECT_NE(testing::read_text(log).find("pass --resume"), std::string::npos);
  EXPECT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --seed 12 --resume --out " + cut, log), 2);
  EXPECT_NE(testing::read_text(log).find("another seed"), std::string::npos) << testing::read_text(log);
  // A checkpoint of another engine version (which may draw other numbers) is refused too.
  const std::string older = dir.file("older.h5");
  std::filesystem::copy(cut + ".checkpoint", older + ".checkpoint");
  ASSERT_EQ(shell("/usr/bin/python3 -c \"import h5py; f = h5py.File('" + older +
                  ".checkpoint/round-000001.h5', 'r+'); f['calibration_state'].attrs['engine_version'] = '0.1.0'\""),
            0);
  EXPECT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --resume --out " + older, log), 2);
  EXPECT_NE(testing::read_text(log).find("another engine version"), std::string::npos) << testing::read_text(log);
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --resume --out " + cut), 0);
  EXPECT_EQ(testing::bit_differences(whole, cut, "/calibration"), "");
  EXPECT_FALSE(std::filesystem::exists(cut + ".checkpoint"));
  EXPECT_EQ(shell(kBinary + " calibrate --method importance " + config + common + " --resume --out " + dir.file("none.h5"), log), 2);
  EXPECT_NE(testing::read_text(log).find("nothing to resume"), std::string::npos);
}

// --simulate-record N: θ* is draw N of `run` under the simulation seed (default: seed + 1), and
// every case observes one of its classes.
TEST(Calibration, ASimulatedRecordIsPlayedAtAPriorDraw) {
  TempDir dir;
  const std::string config = binomial_config(dir);
  const std::string sim = dir.file("sim.h5"), run = dir.file("run.h5");
  ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config + " --draws 500 --inner 50 --simulate-record 7 --quiet --out " + sim), 0);
  const std::string recorded = dir.write("recorded.yaml", testing::read_text(config) + "records:\n  parameters: true\n");
  ASSERT_EQ(shell(kBinary + " run " + recorded + " --seed 12 --draws 16 --quiet --out " + run), 0);
  const h5::Handle file = h5::open_file(sim);
  const h5::Handle record = h5::open_group(h5::open_group(file, "calibration"), "simulated_record");
  const auto played = h5::read_doubles(h5::open_group(h5::open_file(run), "records"), "parameters");  // [draw, parameter]
  const std::size_t width = played.size() / 16;
  EXPECT_EQ(h5::read_doubles(record, "theta_star")[0], played[7 * width]);  // theta is the first parameter
  EXPECT_EQ(h5::read_u64_attribute(record, "seed"), 12u);
  for (const auto& observed : h5::read_strings(record, "observed"))
    EXPECT_TRUE(observed == "SUCCESS" || observed == "FAILURE") << observed;
  // The calibration scored the simulated record, not the config's.
  EXPECT_EQ(h5::read_strings(h5::open_group(file, "cases"), "observed").size(), 10u);
}

}  // namespace
}  // namespace deterrence
