// Sobol indices against the Ishigami function's analytic values (a = 7, b = 0.1):
// S1 = 0.3139, S2 = 0.4424, S3 = 0, ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <hdf5.h>

#include <filesystem>

#include "h5_compare.h"
#include "io/h5.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

struct Indices {
  std::vector<double> s1, s1_low, s1_high, st, st_low, st_high;
};

Indices run_ishigami(const TempDir& dir, int rows, int threads = 2) {
  const std::string config = dir.write("ishigami.yaml", "model: ishigami\ndraws: 1000\nseed: 20261123\nchunk_size: 1024\n"
                                                        "model_options: {a: 7, b: 0.1}\n" +
                                                            std::string(testing::kIshigamiParameters));
  const std::string out = dir.file(fmt::format("s{}-{}.h5", rows, threads));
  EXPECT_EQ(shell(fmt::format("{} sensitivity {} --rows {} --threads {} --quiet --out {}", kBinary, config, rows,
                              threads, out)),
            0);
  const h5::Handle file = h5::open_file(out);
  const h5::Handle y = h5::open_group(file, "sensitivity/y");
  EXPECT_EQ(h5::read_strings(h5::open_group(file, "sensitivity"), "groups"), (std::vector<std::string>{"x1", "x2", "x3"}));
  return {h5::read_doubles(y, "first_order"), h5::read_doubles(y, "first_order_low"), h5::read_doubles(y, "first_order_high"),
          h5::read_doubles(y, "total"),       h5::read_doubles(y, "total_low"),       h5::read_doubles(y, "total_high")};
}

TEST(Sensitivity, IshigamiIndicesLieInTheirIntervalsAndIntervalsShrinkWithRows) {
  TempDir dir;
  const double s1[] = {0.3139, 0.4424, 0.0}, st[] = {0.5576, 0.4424, 0.2437};
  const Indices big = run_ishigami(dir, 1 << 14);
  for (int i = 0; i < 3; ++i) {
    EXPECT_LE(big.s1_low[i], s1[i]) << "S" << i + 1 << " = " << big.s1[i];
    EXPECT_GE(big.s1_high[i], s1[i]) << "S" << i + 1 << " = " << big.s1[i];
    EXPECT_LE(big.st_low[i], st[i]) << "ST" << i + 1 << " = " << big.st[i];
    EXPECT_GE(big.st_high[i], st[i]) << "ST" << i + 1 << " = " << big.st[i];
    EXPECT_NEAR(big.s1[i], s1[i], 0.05);
    EXPECT_NEAR(big.st[i], st[i], 0.05);
  }
  const Indices small = run_ishigami(dir, 1 << 11);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GT(small.s1_high[i] - small.s1_low[i], 1.5 * (big.s1_high[i] - big.s1_low[i])) << i;
    EXPECT_GT(small.st_high[i] - small.st_low[i], 1.5 * (big.st_high[i] - big.st_low[i])) << i;
  }
}

TEST(Sensitivity, IndicesAreTheSameBitsForAnyThreadCountAndTheARowsAreAPlainRun) {
  TempDir dir;
  run_ishigami(dir, 3000, 1);
  run_ishigami(dir, 3000, 2);
  EXPECT_EQ(testing::bit_differences(dir.file("s3000-1.h5"), dir.file("s3000-2.h5"), "/sensitivity"), "");
  // The A rows are draws 0..N-1 of a plain run with the same seed.
  ASSERT_EQ(shell(fmt::format("{} run {} --draws 3000 --quiet --out {}", kBinary, dir.file("ishigami.yaml"),
                              dir.file("plain.h5"))),
            0);
  EXPECT_EQ(testing::bit_differences(dir.file("s3000-1.h5"), dir.file("plain.h5"), "/outputs"), "");
}

TEST(Sensitivity, ShardsOfTheDesignMergeIntoTheSingleProcessBits) {
  TempDir dir;
  run_ishigami(dir, 5000, 2);
  std::string files;
  for (int i = 1; i <= 3; ++i) {
    const std::string shard = dir.file(fmt::format("shard{}.h5", i));
    ASSERT_EQ(shell(fmt::format("{} sensitivity {} --rows 5000 --shard {}/3 --threads 1 --quiet --out {}", kBinary,
                                dir.file("ishigami.yaml"), i, shard)),
              0);
    files.insert(0, shard + " ");
  }
  ASSERT_EQ(shell(fmt::format("{} merge --quiet --out {} {}", kBinary, dir.file("merged.h5"), files)), 0);
  EXPECT_EQ(testing::bit_differences(dir.file("s5000-2.h5"), dir.file("merged.h5"), "/sensitivity"), "");
  EXPECT_EQ(testing::bit_differences(dir.file("s5000-2.h5"), dir.file("merged.h5"), "/outputs"), "");
  EXPECT_EQ(shell(fmt::format("{} summary {}", kBinary, dir.file("merged.h5"))), 0);
}

TEST(Sensitivity, TheGameIsAnalysedByGroup) {
  TempDir dir;
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  const std::string config = dir.write("baseline.yaml", testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml"));
  const std::string out = dir.file("s.h5");
  ASSERT_EQ(shell(fmt::format("{} sensitivity {} --rows 256 --bootstrap 20 --quiet --out {}", kBinary, config, out)), 0);
  const h5::Handle file = h5::open_file(out);
  auto groups = h5::read_strings(h5::open_group(file, "sensitivity"), "groups");
  std::sort(groups.begin(), groups.end());
  EXPECT_EQ(groups, (std::vector<std::string>{"assurance", "forced", "other", "perception", "replacement", "resolve",
                                               "salience", "stance_value"}));
  EXPECT_EQ(h5::shape_of(h5::open_group(file, "sensitivity/outcome_share"), "first_order"),
            (std::vector<hsize_t>{5, 7, 8}));
  EXPECT_EQ(h5::shape_of(h5::open_group(file, "sensitivity/mean_target_payoff"), "total"), (std::vector<hsize_t>{5, 8}));
}

// Ishigami with x1 and x2 tied by a copula but labelled with different groups.
std::string correlated_ishigami(const TempDir& dir) {
  return dir.write(
      "c.yaml",
      "model: ishigami\ndraws: 100\nseed: 1\nmodel_options: {a: 7, b: 0.1}\n"
      "parameters:\n"
      "  x1: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793, group: first}\n"
      "  x2: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793, group: second}\n"
      "  x3: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793, group: second}\n"
      "correlations:\n  - {parameters: [x1, x2], matrix: [[1, 0.5], [0.5, 1]]}\n");
}

TEST(Sensitivity, CorrelatedParametersInDifferentGroupsAreRefused) {
  TempDir dir;
  const std::string config = correlated_ishigami(dir);
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(fmt::format("{} sensitivity {} --rows 100 --quiet --out {}", kBinary, config, dir.file("x.h5")), log), 2);
  EXPECT_NE(testing::read_text(log).find("correlated parameters x1 and x2 are in different sensitivity groups"),
            std::string::npos)
      << testing::read_text(log);
  EXPECT_EQ(shell(fmt::format("{} sensitivity {} --rows 100 --quiet --outputs nope --out {}", kBinary, config,
                              dir.file("x.h5")),
                  log),
            2);
  EXPECT_NE(testing::read_text(log).find("'nope' is not a real output of model ishigami; choose from: y"),
            std::string::npos);
}

TEST(Sensitivity, ByParameterCorrelatedParametersShareOneNamedIndex) {
  TempDir dir;
  const std::string config = correlated_ishigami(dir);
  const std::string out = dir.file("p.h5"), log = dir.file("log");
  ASSERT_EQ(shell(fmt::format("{} sensitivity {} --rows 256 --by-parameter --out {}", kBinary, config, out), log), 0)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("one index for 2 correlated parameters, as group 'x1+x2'"), std::string::npos)
      << testing::read_text(log);
  h5::Handle file = h5::open_file(out);
  EXPECT_EQ(h5::read_strings(h5::open_group(file, "sensitivity"), "groups"), (std::vector<std::string>{"x1+x2", "x3"}));
}

// A damaged file whose bounds are shorter than its indices (found by fuzz_results: the summary
// read past the end of the empty array) is refused with a message, by every array in turn.
TEST(Sensitivity, IndicesAndBoundsOfDifferentLengthsAreRefused) {
  TempDir dir;
  run_ishigami(dir, 256);
  for (const char* array : {"first_order", "first_order_low", "first_order_high", "total", "total_low", "total_high"}) {
    const std::string damaged = dir.file(std::string(array) + ".h5");
    std::filesystem::copy_file(dir.file("s256-2.h5"), damaged);
    {
      const hid_t file = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      ASSERT_GE(file, 0);
      const hid_t y = H5Gopen2(file, "sensitivity/y", H5P_DEFAULT);
      ASSERT_GE(H5Ldelete(y, array, H5P_DEFAULT), 0);
      h5::write_doubles(y, array, {}, {0});
      H5Gclose(y);
      H5Fclose(file);
    }
    const std::string log = dir.file(std::string(array) + ".log");
    // With its checksums the file is refused by objects_sha256, naming the array ...
    EXPECT_EQ(shell(fmt::format("{} summary {}", kBinary, damaged), log), 1) << array;
    EXPECT_NE(testing::read_text(log).find(std::string("/sensitivity/y/") + array + " (altered)"), std::string::npos)
        << array << ": " << testing::read_text(log);
    // ... and without them (as an engine before 0.4.0 wrote it) by the reader's own check.
    {
      const hid_t file = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      ASSERT_GE(file, 0);
      ASSERT_GE(H5Adelete(file, "metadata_sha256"), 0);
      ASSERT_GE(H5Adelete(file, "objects_sha256"), 0);
      H5Fclose(file);
    }
    EXPECT_EQ(shell(fmt::format("{} summary {}", kBinary, damaged), log), 1) << array;
    EXPECT_NE(testing::read_text(log).find("do not hold one value per element and group"), std::string::npos)
        << array << ": " << testing::read_text(log);
  }
}

}  // namespace
}  // namespace deterrence
