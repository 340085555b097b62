// End to end through the command line: the HDF5 file is complete and self-describing, reads
// back through the library's reader, h5dump and Python's h5py, and is never overwritten or left
// half-written.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string ishigami_config(const TempDir& dir, const std::string& records = "") {
  return dir.write("ish.yaml", "model: ishigami\ndraws: 20000\nseed: 3\nchunk_size: 500\n" + records +
                                   testing::kIshigamiParameters);
}

TEST(ResultsFile, RunWritesASelfDescribingFileThatReadsBack) {
  TempDir dir;
  const std::string config = ishigami_config(dir);
  const std::string out = dir.file("out.h5");
  ASSERT_EQ(shell(kBinary + " run " + config + " --out " + out + " --quiet --threads 2"), 0);
  const ResultsFile results(out);
  EXPECT_EQ(results.attribute("filetype"), "deterrence.results");
  EXPECT_EQ(results.attribute("model"), "ishigami");
  EXPECT_EQ(results.count_attribute("draws"), 20000u);
  EXPECT_EQ(results.count_attribute("seed"), 3u);
  EXPECT_EQ(results.count_attribute("format_version"), 3u);
  EXPECT_EQ(results.count_attribute("first_draw"), 0u);
  EXPECT_EQ(results.attribute("config"), testing::read_text(config));
  const OutputTable* y = results.find("y");
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->at("count", 0), 20000);
  EXPECT_NEAR(y->at("mean", 0), 3.5, 0.2);
  EXPECT_LE(y->at("min", 0), y->at("quantiles", 0, 0));
  EXPECT_LE(y->at("quantiles", 0, 8), y->at("max", 0));
  // h5dump sees the layout.
  const std::string dump = dir.file("dump.txt");
  ASSERT_EQ(shell("h5dump -A " + out, dump), 0);
  const std::string text = testing::read_text(dump);
  for (const char* needle : {"filetype", "git_commit", "engine_version", "GROUP \"runtime\"", "sum_exact"})
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
}

TEST(ResultsFile, AFileOfTheFormerFormatStillReads) {
  // tests/fixtures/format2/baseline.h5: written by the engine before dimension scales (format 2).
  const std::string old = DETERRENCE_FIXTURES "/format2/baseline.h5";
  const ResultsFile results(old);
  EXPECT_EQ(results.count_attribute("format_version"), 2u);
  const OutputTable* share = results.find("outcome_share");
  ASSERT_NE(share, nullptr);
  EXPECT_GT(share->at("mean", 0), 0.0);
  TempDir dir;
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " verify " + old, log), 0) << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " summary " + old, log), 0) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("economic_nato"), std::string::npos);
}

TEST(ResultsFile, PythonH5pyReadsTheFile) {
  TempDir dir;
  const std::string out = dir.file("out.h5");
  ASSERT_EQ(shell(kBinary + " run " + ishigami_config(dir) + " --out " + out + " --quiet"), 0);
  const std::string script = dir.write("read.py",
                                       "import sys, h5py\n"
                                       "f = h5py.File(sys.argv[1], 'r')\n"
                                       "assert f.attrs['filetype'] == 'deterrence.results', f.attrs['filetype']\n"
                                       "m = float(f['outputs/y/mean'][()])\n"
                                       "assert 3.0 < m < 4.0, m\n"
                                       "assert f['outputs/y/count'][()] == 20000\n"
                                       "print('ok')\n");
  EXPECT_EQ(shell("/usr/bin/python3 " + script + " " + out), 0);
}

TEST(ResultsFile, ExistingFileIsNotOverwrittenWithoutForce) {
  TempDir dir;
  const std::string config = ishigami_config(dir);
  const std::string out = dir.write("out.h5", "precious");
  EXPECT_NE(shell(kBinary + " run " + config + " --out " + out + " --quiet"), 0);
  EXPECT_EQ(testing::read_text(out), "precious");
  EXPECT_EQ(shell(kBinary + " run " + config + " --out " + out + " --quiet --force"), 0);
  EXPECT_NO_THROW(ResultsFile{out});
}

TEST(ResultsFile, BadConfigLeavesNoFileBehind) {
  TempDir dir;
  const std::string config = dir.write("bad.yaml", "model: ishigami\ndraws: 10\nseed: 1\nparameters:\n  x1: {dist: beta, a: -1, b: 1}\n");
  const std::string out = dir.file("out.h5");
  EXPECT_EQ(shell(kBinary + " run " + config + " --out " + out + " --quiet"), 2);
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
}

TEST(ResultsFile, PerDrawRecordsAreWrittenWhenAsked) {
  TempDir dir;
  const std::string config = ishigami_config(dir, "records: {parameters: true}\n");
  const std::string out = dir.file("out.h5");
  ASSERT_EQ(shell(kBinary + " run " + config + " --out " + out + " --quiet"), 0);
  const std::string script = dir.write("read.py",
                                       "import sys, h5py, numpy as np\n"
                                       "f = h5py.File(sys.argv[1], 'r')\n"
                                       "p = f['records/parameters'][...]\n"
                                       "assert p.shape == (20000, 3), p.shape\n"
                                       "assert np.all(np.abs(p) <= np.pi)\n"
                                       "y = np.sin(p[:,0]) + 7*np.sin(p[:,1])**2 + 0.1*p[:,2]**4*np.sin(p[:,0])\n"
                                       "assert abs(y.mean() - f['outputs/y/mean'][()]) < 1e-9, (y.mean(), f['outputs/y/mean'][()])\n");
  EXPECT_EQ(shell("/usr/bin/python3 " + script + " " + out), 0);
}

TEST(Summary, PrintsTableCsvAndJson) {
  TempDir dir;
  const std::string out = dir.file("out.h5");
  ASSERT_EQ(shell(kBinary + " run " + ishigami_config(dir) + " --out " + out + " --quiet"), 0);
  const std::string table = dir.file("t.txt"), csv = dir.file("c.csv"), json = dir.file("j.json");
  ASSERT_EQ(shell(kBinary + " summary " + out, table), 0);
  ASSERT_EQ(shell(kBinary + " summary --csv " + out, csv), 0);
  ASSERT_EQ(shell(kBinary + " summary --json " + out, json), 0);
  EXPECT_NE(testing::read_text(table).find("median"), std::string::npos);
  EXPECT_EQ(testing::read_text(csv).rfind("output,element,category", 0), 0u);
  EXPECT_EQ(shell("/usr/bin/python3 -c \"import json,sys; d=json.load(open('" + json +
                  "')); assert d['outputs']['y']['elements'][0]['count'] == 20000\""),
            0);
}

}  // namespace
}  // namespace deterrence
