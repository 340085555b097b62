// Precision targets: a run stops at the first chunk where every target's 95% half-width is met,
// the same chunk for any thread count, or at its draw cap saying the targets were not met.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "h5_compare.h"
#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string config(const TempDir& dir) {
  return dir.write("ish.yaml", "model: ishigami\ndraws: 200000\nseed: 5\nchunk_size: 1000\nmodel_options: {a: 7, b: 0.1}\n" +
                                   std::string(testing::kIshigamiParameters));
}

TEST(Until, StopsAtTheFirstChunkMeetingTheTargetWhateverTheThreads) {
  TempDir dir;
  const std::string c = config(dir);
  for (int threads : {1, 2})
    ASSERT_EQ(shell(fmt::format("{} run {} --until y=0.05 --threads {} --quiet --out {}", kBinary, c, threads,
                                dir.file(fmt::format("t{}.h5", threads)))),
              0);
  EXPECT_EQ(testing::bit_differences(dir.file("t1.h5"), dir.file("t2.h5"), "/outputs"), "");
  const ResultsFile stopped(dir.file("t1.h5"));
  const std::uint64_t n = stopped.count_attribute("draws");
  EXPECT_LT(n, 200000u);
  EXPECT_EQ(n % 1000, 0u);
  EXPECT_LE(stopped.find("y")->at("ci95_half_width", 0), 0.05);
  // One chunk fewer would not have met it: the run did not go on longer than it had to.
  ASSERT_EQ(shell(fmt::format("{} run {} --draws {} --quiet --out {}", kBinary, c, n - 1000, dir.file("less.h5"))), 0);
  EXPECT_GT(ResultsFile(dir.file("less.h5")).find("y")->at("ci95_half_width", 0), 0.05);
  // And its statistics are those of a plain run of that many draws.
  ASSERT_EQ(shell(fmt::format("{} run {} --draws {} --quiet --out {}", kBinary, c, n, dir.file("plain.h5"))), 0);
  EXPECT_EQ(testing::bit_differences(dir.file("t1.h5"), dir.file("plain.h5"), "/outputs"), "");
}

TEST(Until, TheDrawCapEndsARunWhoseTargetsAreOutOfReach) {
  TempDir dir;
  const std::string log = dir.file("log");
  ASSERT_EQ(shell(fmt::format("{} run {} --draws 5000 --until y=0.0001 --out {}", kBinary, config(dir), dir.file("cap.h5")),
                  log),
            0);
  EXPECT_NE(testing::read_text(log).find("draw cap reached, targets NOT met at draw 5000"), std::string::npos);
  const ResultsFile capped(dir.file("cap.h5"));
  EXPECT_EQ(capped.count_attribute("draws"), 5000u);
  EXPECT_EQ(shell(fmt::format("{} run {} --until nothing=1 --out {}", kBinary, config(dir), dir.file("x.h5"))), 2);
  EXPECT_EQ(shell(fmt::format("{} run {} --until y=0.1 --shard 1/2 --out {}", kBinary, config(dir), dir.file("x.h5"))), 2);
}

}  // namespace
}  // namespace deterrence
