// Sweeps: every point is exactly the experiment with that value set, on the same draws.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "config/config_error.h"
#include "config/experiment.h"
#include "h5_compare.h"
#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string ishigami(const std::string& options, const std::string& sweep) {
  return "model: ishigami\ndraws: 5000\nseed: 11\nchunk_size: 500\nmodel_options: " + options + "\n" + sweep +
         testing::kIshigamiParameters;
}

TEST(Sweep, EveryPointIsTheSingleRunWithThatValueOnTheSameDraws) {
  TempDir dir;
  const std::string sweep = dir.write(
      "sweep.yaml", ishigami("{a: 7, b: 0.1}", "sweep:\n  model_options.a: [5, 7]\n  model_options.b: {from: 0, to: 0.2, step: 0.1}\n"));
  ASSERT_EQ(shell(fmt::format("{} run {} --quiet --out {}", kBinary, sweep, dir.file("sweep.h5"))), 0);
  const ResultsFile results(dir.file("sweep.h5"));
  ASSERT_EQ(results.sweep_keys(), (std::vector<std::string>{"model_options.a", "model_options.b"}));
  const std::vector<std::vector<std::string>> expected{{"5", "0"}, {"5", "0.1"}, {"5", "0.2"},
                                                       {"7", "0"}, {"7", "0.1"}, {"7", "0.2"}};
  ASSERT_EQ(results.sweep_values(), expected);
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const std::string single = dir.write(fmt::format("p{}.yaml", k),
                                         ishigami(fmt::format("{{a: {}, b: {}}}", expected[k][0], expected[k][1]), ""));
    const std::string out = dir.file(fmt::format("p{}.h5", k));
    ASSERT_EQ(shell(fmt::format("{} run {} --quiet --out {}", kBinary, single, out)), 0);
    const ResultsFile point(dir.file("sweep.h5"), k);
    const ResultsFile alone(out);
    EXPECT_EQ(point.find("y")->at("mean", 0), alone.find("y")->at("mean", 0)) << k;
    EXPECT_EQ(point.find("y")->at("quantiles", 0, 4), alone.find("y")->at("quantiles", 0, 4)) << k;
  }
  // The Ishigami mean is a/2 whatever b: the points differ where they should.
  EXPECT_NEAR(ResultsFile(dir.file("sweep.h5"), 0).find("y")->at("mean", 0), 2.5, 0.1);
  EXPECT_NEAR(ResultsFile(dir.file("sweep.h5"), 5).find("y")->at("mean", 0), 3.5, 0.1);
  // The summary shows one row per point.
  const std::string log = dir.file("summary.txt");
  ASSERT_EQ(shell(kBinary + " summary " + dir.file("sweep.h5"), log), 0);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("Sweep of 6 point(s) over model_options.a, model_options.b"), std::string::npos) << text;
}

TEST(Sweep, GamePointsShareTheirDrawsAcrossPoints) {
  TempDir dir;
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  text += "sweep:\n  model_options.policies.economic_nato.fund_cap: [0.5, 20]\n";  // a cap of 0 could not act
  const std::string config = dir.write("swept.yaml", text);
  ASSERT_EQ(shell(fmt::format("{} run {} --draws 400 --quiet --out {}", kBinary, config, dir.file("s.h5"))), 0);
  const ResultsFile zero(dir.file("s.h5"), 0), twenty(dir.file("s.h5"), 1);
  // Common random numbers: a policy the swept key does not touch is bit-identical across points.
  const OutputTable* a = zero.find("outcome_share");
  const OutputTable* b = twenty.find("outcome_share");
  const std::size_t k = a->labels[1].size();
  for (std::size_t p = 0; p < a->labels[0].size(); ++p)
    for (std::size_t o = 0; o < k; ++o) {
      if (a->labels[0][p] == "economic_nato") continue;
      EXPECT_EQ(a->at("mean", p * k + o), b->at("mean", p * k + o)) << a->labels[0][p];
    }
  const std::size_t nato = static_cast<std::size_t>(
      std::find(a->labels[0].begin(), a->labels[0].end(), "economic_nato") - a->labels[0].begin());
  EXPECT_NE(zero.find("mean_target_payoff")->at("mean", nato), twenty.find("mean_target_payoff")->at("mean", nato));
}

TEST(Sweep, AStoppedSweepResumesToTheSameFile) {
  TempDir dir;
  const std::string config = dir.write(
      "sweep.yaml", "model: ishigami\ndraws: 6000000\nseed: 4\nchunk_size: 100000\nmodel_options: {a: 7, b: 0.1}\n"
                    "sweep:\n  model_options.a: [1, 2, 3, 4, 5, 6]\n" +
                        std::string(testing::kIshigamiParameters));
  ASSERT_EQ(shell(fmt::format("{} run {} --quiet --out {}", kBinary, config, dir.file("whole.h5"))), 0);
  // Stopped part-way (SIGTERM: checkpoint, exit 3) as soon as its first point is on disk — not
  // after a fixed time, which a faster engine outruns — then resumed.
  const std::string out = dir.file("resumed.h5"), log = dir.file("log");
  EXPECT_EQ(shell(fmt::format("{{ {} run {} --checkpoint-every 0.05 --out {} & pid=$!; for i in $(seq 3000); do "
                              "[ -f {}.checkpoint/point-000000.h5 ] && break; sleep 0.01; done; kill -TERM $pid; "
                              "wait $pid; }}",
                              kBinary, config, out, out),
                  log),
            3)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("--resume to continue"), std::string::npos);
  ASSERT_EQ(shell(fmt::format("{} run {} --resume --quiet --out {}", kBinary, config, out), log), 0)
      << testing::read_text(log);
  EXPECT_EQ(testing::bit_differences(dir.file("whole.h5"), out, "/points"), "");
  EXPECT_EQ(testing::bit_differences(dir.file("whole.h5"), out, "/sweep"), "");
}

TEST(Sweep, BadSweepsAreClearErrors) {
  TempDir dir;
  const auto error_of = [&](const std::string& sweep) {
    const std::string config = dir.write("bad.yaml", ishigami("{a: 7, b: 0.1}", sweep));
    const std::string log = dir.file("log");
    EXPECT_EQ(shell(fmt::format("{} run {} --quiet --out {}", kBinary, config, dir.file("x.h5")), log), 2) << sweep;
    return testing::read_text(log);
  };
  EXPECT_NE(error_of("sweep:\n  model_options.a: {from: 1, to: 0, step: 1}\n").find("expected a value of at least from"),
            std::string::npos);
  EXPECT_NE(error_of("sweep:\n  model_options.a: {from: 0, to: 1, step: 0}\n").find("expected a positive step"),
            std::string::npos);
  EXPECT_NE(error_of("sweep:\n  seed: [1, 2]\n").find("not seed, draws, chunk_size or sweep"), std::string::npos);
  EXPECT_NE(error_of("sweep:\n  nothing.here: [1, 2]\n").find("sweep key 'nothing.here': the config has no map or list at 'nothing'"),
            std::string::npos);
  EXPECT_NE(error_of("sweep:\n  model_options.a: [1, x]\n").find("sweep point 2 (model_options.a = x)"),
            std::string::npos);
}

}  // namespace
}  // namespace deterrence
