// `run --posterior`: a run played on a calibration's posterior. Proven on the binomial test
// model, whose posterior is known in closed form (7 successes in 10 under a uniform prior give
// Beta(8, 4)): the resampled θ has Beta(8, 4)'s quantiles and each trial's share of successes is
// the posterior predictive 2/3. The run is the same bits for any thread count and shard split, and
// a calibration made for another seed, prior, model or data is refused, naming the difference.
#include <gtest/gtest.h>

#include <boost/math/distributions/beta.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "h5_compare.h"
#include "io/h5.h"
#include "sampling/resampled_parameters.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::read_text;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string binomial_config(const TempDir& dir, const std::string& name = "binomial.yaml",
                            const std::string& prior = "{dist: uniform, min: 0, max: 1}") {
  return dir.write(name, "model: binomial\ndraws: 20000\nseed: 11\nparameters:\n  theta: " + prior +
                             "\nmodel_options:\n  observed: [SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, "
                             "SUCCESS, SUCCESS, FAILURE, SUCCESS]\nrecords:\n  parameters: true\n");
}

// The binomial calibration every test below starts from (made once: 20 000 draws x 400 plays).
class PosteriorRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    config_ = binomial_config(*dir_);
    calibration_ = dir_->file("calibration.h5");
    ASSERT_EQ(shell(kBinary + " calibrate --method importance " + config_ + " --draws 20000 --inner 400 --quiet --out " + calibration_), 0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
  static std::string config_, calibration_;
};
TempDir* PosteriorRun::dir_ = nullptr;
std::string PosteriorRun::config_, PosteriorRun::calibration_;

std::vector<double> success_shares(const std::string& file) {
  const h5::Handle f = h5::open_file(file);
  const h5::Handle outcome = h5::open_group(h5::open_group(f, "outputs"), "outcome");
  const auto share = h5::read_doubles(outcome, "share");  // [trial, category]
  std::vector<double> success;
  for (std::size_t c = 0; c < share.size(); c += 2) success.push_back(share[c]);
  return success;
}

TEST_F(PosteriorRun, ResamplesTheBetaPosteriorAndPredictsTwoThirds) {
  const std::string posterior = dir_->file("posterior.h5"), prior = dir_->file("prior.h5");
  ASSERT_EQ(shell(kBinary + " run " + config_ + " --posterior " + calibration_ + " --quiet --out " + posterior), 0);
  ASSERT_EQ(shell(kBinary + " run " + config_ + " --quiet --out " + prior), 0);
  // Each trial succeeds with the posterior predictive E[θ] = 8/12 (prior: 1/2). Error: Monte Carlo
  // 3 sd = 3·sqrt(2/9/20000) = 0.010 per trial, plus the calibration's own (0.006, see
  // calibration_test.cpp).
  for (const double share : success_shares(posterior)) EXPECT_NEAR(share, 2.0 / 3.0, 0.016);
  for (const double share : success_shares(prior)) EXPECT_NEAR(share, 0.5, 0.011);
  // The θ each draw played is one of the calibration's draws, and together they are Beta(8, 4).
  const h5::Handle run = h5::open_file(posterior);
  const auto played = h5::read_doubles(h5::open_group(run, "records"), "parameters");  // [draw, parameter]
  const std::size_t width = played.size() / 20000;
  std::vector<double> theta;
  for (std::size_t i = 0; i < played.size(); i += width) theta.push_back(played[i]);  // theta is the first parameter
  const h5::Handle calibration = h5::open_file(calibration_);
  const auto drawn = h5::read_doubles(h5::open_group(calibration, "calibration"), "theta");
  const std::set<double> rows(drawn.begin(), drawn.end());
  for (const double t : theta) ASSERT_TRUE(rows.count(t)) << t << " is not a calibration draw";
  std::sort(theta.begin(), theta.end());
  const boost::math::beta_distribution<> beta(8, 4);
  for (const double q : {0.05, 0.25, 0.5, 0.75, 0.95})
    EXPECT_NEAR(theta[static_cast<std::size_t>(q * 20000)], boost::math::quantile(beta, q), 0.02) << "quantile " << q;
  // The file says where its θ came from and how many worlds stand behind it.
  const h5::Handle group = h5::open_group(run, "posterior");
  EXPECT_NEAR(h5::read_double_attribute(group, "effective_sample_size"), 9078, 500);
  EXPECT_EQ(h5::read_u64_attribute(group, "calibration_draws"), 20000u);
  EXPECT_NE(h5::read_string_attribute(run, "config_hash"),
            h5::read_string_attribute(h5::open_file(prior), "config_hash"));  // checkpoints never mix
  const std::string summary = dir_->file("summary.txt");
  ASSERT_EQ(shell(kBinary + " summary " + posterior, summary), 0);
  EXPECT_NE(read_text(summary).find("on the posterior of calibration.h5"), std::string::npos) << read_text(summary);
  const std::string json = dir_->file("summary.json");
  ASSERT_EQ(shell(kBinary + " summary --json " + posterior, json), 0);
  const auto document = nlohmann::json::parse(read_text(json));
  EXPECT_EQ(document["posterior"]["calibration_draws"], 20000);
  EXPECT_EQ(document["posterior"]["effective_sample_size"].get<double>(),
            h5::read_double_attribute(group, "effective_sample_size"));
}

TEST_F(PosteriorRun, CasesScoreOnThePosterior) {
  const std::string log = dir_->file("cases.txt");
  ASSERT_EQ(shell(kBinary + " cases " + config_ + " --posterior " + calibration_ + " --draws 20000", log), 0)
      << read_text(log);
  const std::string text = read_text(log);
  EXPECT_NE(text.find("on the posterior of"), std::string::npos) << text;
  // trial1 succeeded: its forecast P(SUCCESS) is the posterior predictive 2/3 (prior: 1/2).
  const auto row = text.substr(text.find("\ntrial1 "), 120);
  EXPECT_NE(row.find(" 0.66"), std::string::npos) << row;
}

TEST_F(PosteriorRun, IsTheSameBitsForAnyThreadCountAndShardSplit) {
  const std::string one = dir_->file("t1.h5"), two = dir_->file("t2.h5");
  const std::string s1 = dir_->file("s1.h5"), s2 = dir_->file("s2.h5"), merged = dir_->file("merged.h5");
  const std::string common = " --posterior " + calibration_ + " --draws 8192 --quiet";
  ASSERT_EQ(shell(kBinary + " run " + config_ + common + " --threads 1 --out " + one), 0);
  ASSERT_EQ(shell(kBinary + " run " + config_ + common + " --threads 2 --out " + two), 0);
  ASSERT_EQ(shell(kBinary + " run " + config_ + common + " --shard 1/2 --out " + s1), 0);
  ASSERT_EQ(shell(kBinary + " run " + config_ + common + " --shard 2/2 --out " + s2), 0);
  ASSERT_EQ(shell(kBinary + " merge " + s1 + " " + s2 + " --out " + merged), 0);
  EXPECT_EQ(testing::bit_differences(one, two, "/outputs"), "");
  EXPECT_EQ(testing::bit_differences(one, merged, "/outputs"), "");
  EXPECT_EQ(testing::bit_differences(one, merged, "/records"), "");
  EXPECT_TRUE(h5::exists(h5::open_file(merged), "posterior"));
}

TEST_F(PosteriorRun, RefusesACalibrationMadeForAnotherExperiment) {
  const auto refusal = [&](const std::string& config, const std::string& calibration, const std::string& extra = "") {
    const std::string log = dir_->file("refusal.txt");
    const int code = shell(kBinary + " run " + config + " --posterior " + calibration + extra + " --quiet --out " +
                               dir_->file("refused.h5") + " --force",
                           log);
    EXPECT_EQ(code, 2) << read_text(log);
    EXPECT_FALSE(std::filesystem::exists(dir_->file("refused.h5")));
    return read_text(log);
  };
  EXPECT_NE(refusal(config_, calibration_, " --seed 12").find("calibrated with seed 11, this run has seed 12"),
            std::string::npos);
  const std::string other_prior = binomial_config(*dir_, "narrow.yaml", "{dist: uniform, min: 0, max: 0.9}");
  EXPECT_NE(refusal(other_prior, calibration_).find("another prior for theta: uniform(0, 1) there, uniform(0, 0.9) here"),
            std::string::npos);
  const std::string ishigami = dir_->write("ishigami.yaml", std::string("model: ishigami\ndraws: 1000\nseed: 11\n") +
                                                                testing::kIshigamiParameters);
  EXPECT_NE(refusal(ishigami, calibration_).find("calibrates model binomial, not ishigami"), std::string::npos);
  const std::string plain = dir_->file("plain.h5");
  ASSERT_EQ(shell(kBinary + " run " + config_ + " --draws 1024 --quiet --out " + plain), 0);
  EXPECT_NE(refusal(config_, plain).find("not a calibration"), std::string::npos);
  const std::string junk = dir_->write("junk.h5", "not hdf5");
  EXPECT_NE(refusal(config_, junk).find("not an HDF5 file"), std::string::npos);
}

TEST(ResampledParameters, PicksRowsInProportionToTheirWeightsAndNeverAZeroWeight) {
  const std::vector<double> weights = {0.0, 1.0, 0.0, 3.0, 0.0};
  const ResampledParameters table({1}, {10, 11, 12, 13, 14}, weights);
  EXPECT_DOUBLE_EQ(table.effective_sample_size(), 16.0 / 10.0);
  const CounterRng rng(5);
  std::vector<double> draw(3, -1.0);
  std::vector<int> seen(15, 0);
  for (std::uint64_t k = 0; k < 40000; ++k) {
    table.apply(k, draw, rng);
    ASSERT_EQ(draw[0], -1.0);  // only the resampled column changes
    ++seen[static_cast<std::size_t>(draw[1])];
  }
  EXPECT_EQ(seen[10] + seen[12] + seen[14], 0);
  EXPECT_NEAR(seen[13] / 40000.0, 0.75, 0.01);  // 3 sd = 0.0065
  EXPECT_EQ(table.pick(0.0), 1u);
  EXPECT_EQ(table.pick(0.2499), 1u);
  EXPECT_EQ(table.pick(0.2501), 3u);
  EXPECT_EQ(table.pick(0x1.fffffffffffffp-1), 3u);  // the largest uniform below 1 finds the last weighted row
  EXPECT_THROW(ResampledParameters({0}, {1.0, 2.0}, std::vector<double>{0.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(ResampledParameters({0}, {1.0, 2.0}, std::vector<double>{1.0, -1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace deterrence
