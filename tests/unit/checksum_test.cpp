// Results files carry a checksum of their exact partials (content_sha256): an altered count, one
// changed digit of an exact sum, or an edited mean is refused by merge, summary and verify.
#include <gtest/gtest.h>

#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

// Changes one value of a dataset with h5py (the kind of edit, rot or half-copy a file can suffer).
int edit(const TempDir& dir, const std::string& file, const std::string& dataset, const std::string& change) {
  const std::string script = dir.write("edit.py", "import sys, h5py\nf = h5py.File(sys.argv[1], 'r+')\nd = f[sys.argv[2]]\n"
                                                  "v = d[...]\n" + change + "\nd[...] = v\nf.close()\n");
  return shell("/usr/bin/python3 " + script + " " + file + " " + dataset);
}

TEST(Checksums, AlteredShardsAreRefusedByMergeAndVerify) {
  TempDir dir;
  const std::string config = dir.write("i.yaml", std::string("model: ishigami\ndraws: 20000\nseed: 3\nchunk_size: 1000\n") +
                                                     "model_options: {a: 7, b: 0.1}\n" + testing::kIshigamiParameters);
  ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --shard 1/2 --out " + dir.file("s1.h5")), 0);
  ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --shard 2/2 --out " + dir.file("s2.h5")), 0);
  const std::string log = dir.file("log");
  ASSERT_EQ(shell(kBinary + " verify " + dir.file("s1.h5") + " " + dir.file("s2.h5"), log), 0) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("s1.h5: ok (content SHA-256 "), std::string::npos);
  std::filesystem::copy(dir.file("s1.h5"), dir.file("count.h5"));
  std::filesystem::copy(dir.file("s1.h5"), dir.file("digit.h5"));
  std::filesystem::copy(dir.file("s1.h5"), dir.file("mean.h5"));
  ASSERT_EQ(edit(dir, dir.file("count.h5"), "outputs/y/count", "v[...] = v + 7"), 0);
  ASSERT_EQ(edit(dir, dir.file("digit.h5"), "outputs/y/sum_exact", "v.flat[35] = v.flat[35] + 1"), 0);
  ASSERT_EQ(edit(dir, dir.file("mean.h5"), "outputs/y/mean", "v[...] = v + 0.001"), 0);
  for (const char* name : {"count.h5", "digit.h5"}) {
    EXPECT_EQ(shell(kBinary + " merge --out " + dir.file("m.h5") + " " + dir.file(name) + " " + dir.file("s2.h5"), log), 1)
        << name;
    EXPECT_NE(testing::read_text(log).find("do not match their checksum"), std::string::npos) << testing::read_text(log);
    EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
  }
  // A mean edited by hand leaves the partials intact: verify and summary recompute it and refuse.
  EXPECT_EQ(shell(kBinary + " verify " + dir.file("mean.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("outputs/y/mean is not what its checked partials give"), std::string::npos)
      << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " summary " + dir.file("mean.h5"), log), 1);
  // The untouched shards still merge, and the merged file verifies.
  ASSERT_EQ(shell(kBinary + " merge --quiet --out " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " + dir.file("s2.h5")), 0);
  EXPECT_EQ(shell(kBinary + " verify " + dir.file("m.h5")), 0);
}

}  // namespace
}  // namespace deterrence
