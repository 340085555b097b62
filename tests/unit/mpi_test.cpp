// MPI ranks give the single-process bits: `mpirun -n K deterrence run` splits the chunks over
// ranks by the shard rule, reduces the exact partials to rank 0 and writes one file. Skipped
// (with a message) where the engine was built without MPI or mpirun is absent.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "h5_compare.h"
#include "run/mpi_world.h"
#include "stats/statistics.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;
const std::string kMpirun = "mpirun --allow-run-as-root --oversubscribe";

bool mpi_available() { return World::built_with_mpi() && shell("command -v mpirun") == 0; }

std::string game_config(const TempDir& dir) {
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  text.replace(text.find("outcomes: false"), 15, "outcomes: true ");
  return dir.write("baseline.yaml", text);
}

void expect_same(const std::string& a, const std::string& b) {
  EXPECT_EQ(testing::bit_differences(a, b, "/outputs"), "");
  EXPECT_EQ(testing::bit_differences(a, b, "/dims"), "");
  EXPECT_EQ(testing::bit_differences(a, b, "/records"), "");
}

TEST(Mpi, StatisticsTravelAsWordsExactly) {
  // The words a rank sends rebuild its partials exactly (no MPI needed to check that).
  OutputLayout layout;
  layout.add_real("x", "", {}, true);
  layout.add_categorical("c", "", {}, {"a", "b"}, false);
  ChunkStatistics chunk(layout);
  std::vector<double> reals(1);
  std::vector<std::uint8_t> codes(1);
  RunStatistics a(layout), b(layout), direct(layout), via_words(layout);
  for (int i = 0; i < 1000; ++i) {
    reals[0] = 1.0 / (i + 1) - 0.3;
    codes[0] = static_cast<std::uint8_t>(i % 3 == 0);
    chunk.add({reals, codes});
    if (i % 100 == 99) {
      (i < 500 ? a : b).fold(chunk);
      chunk.reset();
    }
  }
  direct.merge(a);
  direct.merge(b);
  via_words.merge_words(a.to_words());
  via_words.merge_words(b.to_words());
  EXPECT_TRUE(direct.sum(0) == via_words.sum(0));
  EXPECT_TRUE(direct.sum_sq(0) == via_words.sum_sq(0));
  EXPECT_EQ(direct.count(0), via_words.count(0));
  EXPECT_EQ(direct.min(0), via_words.min(0));
  EXPECT_EQ(direct.max(0), via_words.max(0));
  EXPECT_EQ(direct.quantile(0, 0.5), via_words.quantile(0, 0.5));
  EXPECT_EQ(direct.category_counts(0)[1], via_words.category_counts(0)[1]);
  EXPECT_THROW(via_words.merge_words(std::vector<std::uint64_t>(3)), std::invalid_argument);
}

TEST(Mpi, RanksWriteTheSingleProcessFile) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI or no mpirun";
  TempDir dir;
  const std::string config = game_config(dir);
  ASSERT_EQ(shell(fmt::format("{} run {} --draws 2500 --quiet --out {}", kBinary, config, dir.file("single.h5"))), 0);
  for (int ranks : {2, 3}) {
    const std::string out = dir.file(fmt::format("mpi{}.h5", ranks));
    const std::string log = dir.file("mpi.log");
    ASSERT_EQ(shell(fmt::format("{} -n {} {} run {} --draws 2500 --threads 1 --out {}", kMpirun, ranks, kBinary,
                                config, out),
                    log),
              0)
        << testing::read_text(log);
    EXPECT_NE(testing::read_text(log).find(fmt::format("({} MPI ranks)", ranks)), std::string::npos);
    SCOPED_TRACE(fmt::format("{} ranks", ranks));
    expect_same(dir.file("single.h5"), out);
  }
}

TEST(Mpi, CalibrationRanksGiveTheSingleProcessBits) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI or no mpirun";
  TempDir dir;
  // The binomial test model, adaptive rounds included: every round's draws are split over the
  // ranks and shared before the next proposal is fitted.
  const std::string config = dir.write(
      "binomial.yaml", "model: binomial\ndraws: 1000\nseed: 11\nparameters:\n  theta: {dist: uniform, min: 0, max: 1}\n"
                       "model_options:\n  observed: [SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS]\n");
  const std::string common = " --draws 3000 --inner 100 --rounds 3 --hold-out-from 2003 --quiet";
  ASSERT_EQ(shell(fmt::format("{} calibrate --method importance {}{} --out {}", kBinary, config, common, dir.file("one.h5"))), 0);
  for (int ranks : {2, 3}) {
    const std::string out = dir.file(fmt::format("mpi{}.h5", ranks)), log = dir.file("mpi.log");
    ASSERT_EQ(shell(fmt::format("{} -n {} {} calibrate --method importance {}{} --threads 1 --out {}", kMpirun, ranks, kBinary, config, common,
                                out),
                    log),
              0)
        << testing::read_text(log);
    SCOPED_TRACE(fmt::format("{} ranks", ranks));
    EXPECT_EQ(testing::bit_differences(dir.file("one.h5"), out, "/calibration"), "");
  }
}

// Sequential Monte Carlo: every likelihood estimate of a sweep is computed by the rank that owns
// the particle, then shared; every rank takes the same accept/reject decisions.
TEST(Mpi, SmcCalibrationRanksGiveTheSingleProcessBits) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI or no mpirun";
  TempDir dir;
  const std::string config = dir.write(
      "binomial.yaml", "model: binomial\ndraws: 1000\nseed: 11\nparameters:\n  theta: {dist: uniform, min: 0, max: 1}\n"
                       "model_options:\n  observed: [SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS]\n");
  const std::string common = " --method smc --draws 600 --inner 100 --hold-out-from 2003 --quiet";
  ASSERT_EQ(shell(fmt::format("{} calibrate {}{} --threads 1 --out {}", kBinary, config, common, dir.file("one.h5"))), 0);
  const std::string out = dir.file("mpi2.h5"), log = dir.file("mpi.log");
  ASSERT_EQ(shell(fmt::format("{} -n 2 {} calibrate {}{} --threads 1 --out {}", kMpirun, kBinary, config, common, out), log), 0)
      << testing::read_text(log);
  EXPECT_EQ(testing::bit_differences(dir.file("one.h5"), out, "/calibration"), "");
  // The game too, small: its refits and hold-out included.
  const std::string game = " calibrate " DETERRENCE_CONFIGS "/experiments/cases.yaml --draws 40 --inner 6 --max-moves 2 "
                           "--hold-out-from 2019 --threads 1 --quiet";
  ASSERT_EQ(shell(kBinary + game + " --out " + dir.file("game1.h5")), 0);
  ASSERT_EQ(shell(fmt::format("{} -n 2 {}{} --out {}", kMpirun, kBinary, game, dir.file("game2.h5")), log), 0)
      << testing::read_text(log);
  EXPECT_EQ(testing::bit_differences(dir.file("game1.h5"), dir.file("game2.h5"), "/calibration"), "");
}

TEST(Mpi, SensitivityRanksGiveTheSingleProcessIndices) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI or no mpirun";
  TempDir dir;
  const std::string config = dir.write("ish.yaml", "model: ishigami\ndraws: 100\nseed: 9\nchunk_size: 512\n"
                                                   "model_options: {a: 7, b: 0.1}\n" +
                                                       std::string(testing::kIshigamiParameters));
  ASSERT_EQ(shell(fmt::format("{} sensitivity {} --rows 5000 --quiet --out {}", kBinary, config, dir.file("one.h5"))), 0);
  const std::string log = dir.file("mpi.log");
  ASSERT_EQ(shell(fmt::format("{} -n 2 {} sensitivity {} --rows 5000 --threads 1 --out {}", kMpirun, kBinary, config,
                              dir.file("mpi.h5")),
                  log),
            0)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("(2 MPI ranks)"), std::string::npos);
  EXPECT_EQ(testing::bit_differences(dir.file("one.h5"), dir.file("mpi.h5"), "/sensitivity"), "");
  EXPECT_EQ(testing::bit_differences(dir.file("one.h5"), dir.file("mpi.h5"), "/outputs"), "");
}

TEST(Mpi, InterruptedRanksResumeOnlyWithTheSameRankCount) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI or no mpirun";
  TempDir dir;
  const std::string config = game_config(dir);
  const std::string out = dir.file("mpi.h5"), log = dir.file("mpi.log");
  ASSERT_EQ(shell(fmt::format("{} run {} --draws 160000 --quiet --out {}", kBinary, config, dir.file("single.h5"))), 0);
  // mpirun passes SIGTERM on to the ranks; each checkpoints its own chunks.
  shell(fmt::format("{} -n 2 {} run {} --draws 160000 --threads 1 --checkpoint-every 0.1 --out {} & pid=$!; sleep 2; "
                    "kill -TERM $pid; wait $pid",
                    kMpirun, kBinary, config, out),
        log);
  ASSERT_TRUE(std::filesystem::exists(out + ".checkpoint/rank-1-of-2")) << testing::read_text(log);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(shell(fmt::format("{} run {} --draws 160000 --resume --quiet --out {}", kBinary, config, out), log), 2);
  EXPECT_NE(testing::read_text(log).find("resume it the same way"), std::string::npos) << testing::read_text(log);
  ASSERT_EQ(shell(fmt::format("{} -n 2 {} run {} --draws 160000 --resume --out {}", kMpirun, kBinary, config, out), log),
            0)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("resuming at draw"), std::string::npos);
  expect_same(dir.file("single.h5"), out);
}

}  // namespace
}  // namespace deterrence
