// Files in shared folders: a symlink where an output or a checkpoint goes is refused, temporary
// files are unpredictable and left-overs of dead processes are cleaned, a checkpoint folder's
// foreign files are never removed, and a sweep resumed after its config changed is refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace deterrence {
namespace {

namespace fs = std::filesystem;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string ishigami(const TempDir& dir, const std::string& extra = "") {
  return dir.write("ishigami.yaml", std::string("model: ishigami\ndraws: 20000\nseed: 3\nchunk_size: 1000\n") +
                                        "model_options: {a: 7, b: 0.1}\n" + testing::kIshigamiParameters + extra);
}

TEST(SharedFolders, ASymlinkAtTheOutputIsRefusedAndItsTargetUntouched) {
  TempDir dir;
  const std::string config = ishigami(dir);
  const std::string victim = dir.write("victim.txt", "precious");
  fs::create_symlink(victim, dir.path() / "out.h5");
  const std::string log = dir.file("log");
  EXPECT_NE(shell(kBinary + " run " + config + " --force --quiet --out " + dir.file("out.h5"), log), 0);
  EXPECT_NE(testing::read_text(log).find("is a symbolic link"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(testing::read_text(victim), "precious");
  EXPECT_TRUE(fs::is_symlink(dir.path() / "out.h5"));
}

TEST(SharedFolders, TemporaryNamesAreUnpredictableAndLeftOversOfDeadProcessesAreRemoved) {
  TempDir dir;
  const std::string config = ishigami(dir);
  // A planted file under the old predictable name of a dead process (pid 2^22 + 7 is above
  // Linux's default pid_max, so no such process exists) is removed by the next run on that output.
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::string name = host;
  for (char& c : name)
    if (c == '-' || c == '/' || c == '.') c = '_';
  const std::string stale = dir.file("out.h5.partial-" + name + "-4194311-00000000deadbeef");
  std::ofstream(stale) << "debris";
  // A file of a live process (this test) is left alone.
  const std::string live = dir.file("out.h5.partial-" + name + "-" + std::to_string(getpid()) + "-0000000000000001");
  std::ofstream(live) << "busy";
  const std::string log = dir.file("log");
  ASSERT_EQ(shell(kBinary + " run " + config + " --out " + dir.file("out.h5"), log), 0) << testing::read_text(log);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_NE(testing::read_text(log).find("a temporary file left by a process that is gone (pid 4194311)"),
            std::string::npos)
      << testing::read_text(log);
  EXPECT_TRUE(fs::exists(live));
}

TEST(SharedFolders, ACheckpointFolderThatIsASymlinkIsNeverFollowed) {
  TempDir dir;
  const std::string config = ishigami(dir);
  fs::create_directory(dir.path() / "elsewhere");
  const std::string keep = dir.write("elsewhere/notes.txt", "mine");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "out.h5.checkpoint");
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " run " + config + " --resume --quiet --out " + dir.file("out.h5"), log), 1)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("checkpoint folder"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " run " + config + " --force --quiet --out " + dir.file("out.h5"), log), 1);
  EXPECT_EQ(testing::read_text(keep), "mine");
}

TEST(SharedFolders, ResumeRefusesAndKeepsFilesItDidNotWrite) {
  TempDir dir;
  const std::string config = ishigami(dir);
  fs::create_directory(dir.path() / "out.h5.checkpoint");
  const std::string foreign = dir.write("out.h5.checkpoint/thesis.tex", "years of work");
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " run " + config + " --resume --quiet --out " + dir.file("out.h5"), log), 2)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("which this program did not write"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(testing::read_text(foreign), "years of work");
  // --force starts over: it removes only what it wrote, and refuses to write beside a foreign file.
  EXPECT_EQ(shell(kBinary + " run " + config + " --force --quiet --out " + dir.file("out.h5"), log), 2)
      << testing::read_text(log);
  EXPECT_EQ(testing::read_text(foreign), "years of work");
}

TEST(SharedFolders, ASweepResumedAfterItsConfigChangedIsRefused) {
  TempDir dir;
  const std::string text = std::string("model: ishigami\ndraws: 4000000\nseed: 4\nchunk_size: 100000\n") +
                           "model_options: {a: 7, b: 0.1}\nsweep:\n  model_options.a: [1, 2, 3]\n" +
                           testing::kIshigamiParameters;
  const std::string config = dir.write("sweep.yaml", text);
  const std::string out = dir.file("s.h5"), log = dir.file("log");
  // Stopped once its first point is done (SIGTERM: checkpoint, exit 3).
  EXPECT_EQ(shell("{ " + kBinary + " run " + config + " --checkpoint-every 0.05 --quiet --out " + out +
                      " & pid=$!; for i in $(seq 600); do [ -f " + out + ".checkpoint/point-000000.h5 ] && break; "
                      "sleep 0.05; done; sleep 0.1; kill -TERM $pid; wait $pid; }",
                  log),
            3)
      << testing::read_text(log);
  ASSERT_TRUE(fs::exists(out + ".checkpoint/point-000000.h5"));
  // The seed changes: the finished point belongs to another experiment, and resuming must say so.
  std::string changed = text;
  changed.replace(changed.find("seed: 4"), 7, "seed: 5");
  dir.write("sweep.yaml", changed);
  EXPECT_EQ(shell(kBinary + " run " + config + " --resume --quiet --out " + out, log), 2) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("point 1 in " + out + ".checkpoint was made with another config, seed or draw count"),
            std::string::npos)
      << testing::read_text(log);
  EXPECT_FALSE(fs::exists(out));
}

TEST(SharedFolders, SensitivityStoppedBySigtermExitsThreeAndLeavesNothing) {
  TempDir dir;
  const std::string out = dir.file("s.h5"), log = dir.file("log");
  EXPECT_EQ(shell("{ " + kBinary + " sensitivity " DETERRENCE_CONFIGS "/baseline.yaml --rows 262144 --quiet --out " + out +
                      " & pid=$!; sleep 1; kill -TERM $pid; wait $pid; }",
                  log),
            3)
      << testing::read_text(log);
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find("s.h5"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace deterrence
