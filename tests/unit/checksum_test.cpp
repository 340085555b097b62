// Results files carry a checksum of their exact partials (content_sha256): an altered count, one
// changed digit of an exact sum, or an edited mean is refused by merge, summary and verify.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "h5_compare.h"
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

// Outside the statistics: a dimension's labels (what summary prints beside each figure) and the
// run's inputs and timings are under objects_sha256; a file of this engine whose objects_sha256
// was removed is refused (only engine 0.4.0 wrote metadata_sha256 without it).
TEST(Checksums, GroupsAndDatasetsOutsideTheStatisticsAreCovered) {
  TempDir dir;
  const std::string config = dir.write("i.yaml", std::string("model: ishigami\ndraws: 2000\nseed: 3\n") +
                                                     "model_options: {a: 7, b: 0.1}\n" + testing::kIshigamiParameters);
  ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --out " + dir.file("r.h5")), 0);
  const std::string log = dir.file("log");
  const auto python = [&](const std::string& file, const std::string& code) {
    std::filesystem::copy(dir.file("r.h5"), dir.file(file));
    const std::string script = dir.write("edit.py", "import sys, h5py\nf = h5py.File(sys.argv[1], 'r+')\n" + code + "\nf.close()\n");
    return shell("/usr/bin/python3 " + script + " " + dir.file(file));
  };
  ASSERT_EQ(python("timing.h5", "f['runtime'].attrs['total_seconds'] = 0.0"), 0);
  EXPECT_EQ(shell(kBinary + " verify " + dir.file("timing.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("objects_sha256): /runtime (altered)"), std::string::npos) << testing::read_text(log);
  ASSERT_EQ(python("input.h5", "d = f['inputs/text']; v = d[...]; v[0] = b'edited'; d[...] = v"), 0);
  EXPECT_EQ(shell(kBinary + " summary " + dir.file("input.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("/inputs/text (altered)"), std::string::npos) << testing::read_text(log);
  ASSERT_EQ(python("stripped.h5", "del f.attrs['objects_sha256']"), 0);
  EXPECT_EQ(shell(kBinary + " verify " + dir.file("stripped.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("has no checksum of its groups and datasets"), std::string::npos)
      << testing::read_text(log);
}

// Resume heals: a checkpoint segment cut short or with flipped bytes is set aside (never deleted)
// and its chunks recomputed; the result is the same bits as an uninterrupted run.
TEST(Checksums, ResumeSetsDamagedSegmentsAsideAndRecomputesThem) {
  TempDir dir;
  const std::string config = dir.write("h.yaml", std::string("model: ishigami\ndraws: 20000000\nseed: 4\nchunk_size: 100000\n") +
                                                     "model_options: {a: 7, b: 0.1}\n" + testing::kIshigamiParameters);
  ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --out " + dir.file("whole.h5")), 0);
  const std::string flip = dir.write("flip.py", "import os, sys\np = sys.argv[1]\nn = os.path.getsize(p)\n"
                                                "with open(p, 'r+b') as f:\n    f.seek(int(n * 0.4))\n"
                                                "    data = f.read(int(n * 0.2))\n    f.seek(int(n * 0.4))\n"
                                                "    f.write(bytes(b ^ 0x5a for b in data))\n");
  for (const std::string damage : {"truncate", "flip"}) {
    const std::string out = dir.file(damage + ".h5"), log = dir.file("log");
    ASSERT_EQ(shell("{ " + kBinary + " run " + config + " --threads 1 --checkpoint-every 0.05 --quiet --out " + out +
                        " & pid=$!; for i in $(seq 600); do [ $(ls " + out + ".checkpoint/segment-*.h5 2>/dev/null | wc -l) -ge 3 ] "
                        "&& break; sleep 0.02; done; kill -TERM $pid; wait $pid; }",
                    log),
              3)
        << testing::read_text(log);
    std::vector<std::string> segments;
    for (const auto& entry : std::filesystem::directory_iterator(out + ".checkpoint"))
      if (entry.path().extension() == ".h5") segments.push_back(entry.path().string());
    std::sort(segments.begin(), segments.end());
    ASSERT_GE(segments.size(), 3u);
    const std::string victim = segments[1];
    if (damage == "truncate") std::filesystem::resize_file(victim, std::filesystem::file_size(victim) / 3);
    else ASSERT_EQ(shell("/usr/bin/python3 " + flip + " " + victim), 0);
    ASSERT_EQ(shell(kBinary + " run " + config + " --resume --out " + out, log), 0) << testing::read_text(log);
    EXPECT_NE(testing::read_text(log).find("set aside " + victim), std::string::npos) << testing::read_text(log);
    EXPECT_EQ(testing::bit_differences(dir.file("whole.h5"), out, "/outputs"), "") << damage;
    // The damaged segment is kept beside the output, not deleted.
    bool kept = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      kept = kept || entry.path().filename().string().rfind(damage + ".h5.set-aside-", 0) == 0;
    EXPECT_TRUE(kept) << damage;
  }
}

}  // namespace
}  // namespace deterrence
