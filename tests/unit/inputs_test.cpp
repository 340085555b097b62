// Every input recorded: a results file holds the exact bytes and SHA-256 of its config, the
// configs it extends and every data file; they re-run to the same bits; shards or a resume with
// other inputs are refused, naming the file that changed.
#include <gtest/gtest.h>

#include <filesystem>

#include "h5_compare.h"
#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

namespace fs = std::filesystem;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

TEST(Inputs, AResultsFileReRunsFromItsOwnRecordedInputsToTheSameBits) {
  TempDir dir;
  const std::string first = dir.file("first.h5"), again = dir.file("again.h5"), log = dir.file("log");
  ASSERT_EQ(shell(kBinary + " run " DETERRENCE_CONFIGS "/experiments/cases.yaml --draws 3000 --quiet --out " + first), 0);
  ASSERT_EQ(shell(kBinary + " inputs " + first + " --extract " + dir.file("extracted"), log), 0) << testing::read_text(log);
  const std::string listing = testing::read_text(log);
  for (const char* name : {"experiments/cases.yaml", "baseline.yaml", "data/salience.yaml", "cases/library.yaml", "CODEBOOK.md"})
    EXPECT_NE(listing.find(name), std::string::npos) << name << "\n" << listing;
  // The extracted config is found where the message says, and re-runs to the same bits.
  ASSERT_TRUE(fs::exists(dir.file("extracted/experiments/cases.yaml")));
  ASSERT_EQ(shell(kBinary + " run " + dir.file("extracted/experiments/cases.yaml") + " --draws 3000 --quiet --out " + again),
            0);
  for (const char* group : {"/outputs", "/parameters", "/cases"})
    EXPECT_EQ(testing::bit_differences(first, again, group), "") << group;
  const ResultsFile a(first), b(again);
  EXPECT_EQ(a.attribute("config_hash"), b.attribute("config_hash"));
  ASSERT_EQ(a.inputs().size(), 8u);
  for (std::size_t i = 0; i < a.inputs().size(); ++i) EXPECT_EQ(a.inputs()[i].text, b.inputs()[i].text);
  // Extraction never writes over a file.
  EXPECT_EQ(shell(kBinary + " inputs " + first + " --extract " + dir.file("extracted"), log), 1);
  // summary shows the hashes.
  ASSERT_EQ(shell(kBinary + " summary " + first, log), 0);
  EXPECT_NE(testing::read_text(log).find("data     " + a.inputs()[3].sha256.substr(0, 16) + "  issues.yaml"),
            std::string::npos)
      << testing::read_text(log);
}

std::string baseline_copy(const TempDir& dir, const std::string& folder, double concentration) {
  fs::create_directories(dir.path() / folder);
  fs::copy(DETERRENCE_CONFIGS "/data", dir.path() / folder / "data");
  std::string salience = testing::read_text(DETERRENCE_CONFIGS "/data/salience.yaml");
  salience.replace(salience.find("concentration: 8"), 16, "concentration: " + std::to_string(static_cast<int>(concentration)));
  fs::remove(dir.path() / folder / "data/salience.yaml");
  dir.write(folder + "/data/salience.yaml", salience);
  return dir.write(folder + "/baseline.yaml", testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml"));
}

TEST(Inputs, ShardsRunOnOtherDataAreRefusedNamingTheFile) {
  TempDir dir;
  const std::string eight = baseline_copy(dir, "a", 8), nine = baseline_copy(dir, "b", 9);
  ASSERT_EQ(shell(kBinary + " run " + eight + " --draws 1024 --shard 1/2 --quiet --out " + dir.file("s1.h5")), 0);
  ASSERT_EQ(shell(kBinary + " run " + nine + " --draws 1024 --shard 2/2 --quiet --out " + dir.file("s2.h5")), 0);
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " merge --out " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " + dir.file("s2.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("its inputs differ: data file"), std::string::npos) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("salience.yaml differs"), std::string::npos) << testing::read_text(log);
  EXPECT_FALSE(fs::exists(dir.file("m.h5")));
}

TEST(Inputs, AResumeWithChangedDataIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string config = baseline_copy(dir, "a", 8);
  const std::string out = dir.file("r.h5"), log = dir.file("log");
  EXPECT_EQ(shell("{ " + kBinary + " run " + config + " --draws 400000 --checkpoint-every 0.05 --quiet --out " + out +
                      " & pid=$!; for i in $(seq 600); do ls " + out + ".checkpoint/segment-*.h5 >/dev/null 2>&1 && break; "
                      "sleep 0.05; done; kill -TERM $pid; wait $pid; }",
                  log),
            3)
      << testing::read_text(log);
  std::string salience = testing::read_text(dir.file("a/data/salience.yaml"));
  salience.replace(salience.find("concentration: 8"), 16, "concentration: 9");
  dir.write("a/data/salience.yaml", salience);
  EXPECT_EQ(shell(kBinary + " run " + config + " --draws 400000 --resume --quiet --out " + out, log), 2);
  EXPECT_NE(testing::read_text(log).find("was made with other inputs (data file"), std::string::npos) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("salience.yaml differs"), std::string::npos) << testing::read_text(log);
}

}  // namespace
}  // namespace deterrence
