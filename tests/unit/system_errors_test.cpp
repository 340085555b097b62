// System errors name their cause: a full disk and a file-size limit end a run with exit 1, a
// message saying so, no final file and no temporary left; completed segments are kept for
// --resume, which finishes once there is room.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "io/h5.h"
#include "test_support.h"

namespace deterrence {
namespace {

namespace fs = std::filesystem;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

// Each checkpoint segment of the baseline is about 0.7 MB: a few fill a 2 MiB disk.
const std::string kBaseline = DETERRENCE_CONFIGS "/baseline.yaml";

void expect_nothing_half_written(const fs::path& folder, const std::string& name) {
  EXPECT_FALSE(fs::exists(folder / name));
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
}

TEST(SystemErrors, AFullDiskIsNamedAndTheRunResumesOnceThereIsRoom) {
  TempDir dir;
  const fs::path disk = dir.path() / "small-disk";
  fs::create_directory(disk);
  // A 2 MiB tmpfs: needs root and a kernel that lets this container mount (else skipped).
  if (geteuid() != 0 || shell("mount -t tmpfs -o size=2m tmpfs " + disk.string()) != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here";
  struct Unmount {
    std::string path;
    ~Unmount() { shell("umount " + path); }
  } unmount{disk.string()};
  const std::string config = kBaseline, out = (disk / "o.h5").string(), log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " run " + config + " --draws 60000 --checkpoint-every 0.5 --out " + out, log), 1);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("the disk is full (no space left on the device)"), std::string::npos) << text;
  expect_nothing_half_written(disk, "o.h5");
  EXPECT_FALSE(fs::exists(out + ".lock"));
  // Room again (a bigger disk under the same name): the same command with --resume finishes.
  EXPECT_EQ(shell("mount -o remount,size=64m " + disk.string()), 0);
  EXPECT_EQ(shell(kBinary + " run " + config + " --draws 60000 --resume --out " + out, log), 0)
      << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " verify " + out), 0);
}

TEST(SystemErrors, AFileSizeLimitIsNamedNotASilentKill) {
  TempDir dir;
  const std::string config = kBaseline, out = dir.file("o.h5"), log = dir.file("log");
  // 300 KiB: the first checkpoint segment outgrows it.
  EXPECT_EQ(shell("ulimit -f 300; " + kBinary + " run " + config + " --draws 20000 --out " + out, log), 1);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("the file would exceed the largest file size allowed here"), std::string::npos) << text;
  expect_nothing_half_written(dir.path(), "o.h5");
}

TEST(SystemErrors, EachCommonCauseHasAPlainSentence) {
  EXPECT_EQ(h5::describe_system_error(ENOSPC), "the disk is full (no space left on the device)");
  EXPECT_EQ(h5::describe_system_error(EDQUOT), "the disk quota is exceeded");
  EXPECT_EQ(h5::describe_system_error(EACCES), "permission denied");
  EXPECT_EQ(h5::describe_system_error(EROFS), "the filesystem is read-only");
  EXPECT_EQ(h5::system_cause(), "");  // no HDF5 failure pending
}

}  // namespace
}  // namespace deterrence
