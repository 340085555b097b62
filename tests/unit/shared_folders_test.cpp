// Files in shared folders: a symlink where an output or a checkpoint goes is refused, temporary
// files are unpredictable and left-overs of dead processes are cleaned, a checkpoint folder's
// foreign files are never removed, a sweep resumed after its config changed is refused, and an
// output has one writer at a time (a lock naming its holder, taken over when the holder is gone).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "io/output_lock.h"
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
  // Eight points, so that the run is still going when the first is on disk (Ishigami plays
  // about 90 M draws a second on two threads: a point takes 0.05 s).
  const std::string text = std::string("model: ishigami\ndraws: 4000000\nseed: 4\nchunk_size: 100000\n") +
                           "model_options: {a: 7, b: 0.1}\nsweep:\n  model_options.a: [1, 2, 3, 4, 5, 6, 7, 8]\n" +
                           testing::kIshigamiParameters;
  const std::string config = dir.write("sweep.yaml", text);
  const std::string out = dir.file("s.h5"), log = dir.file("log");
  // Stopped once its first point is done (SIGTERM: checkpoint, exit 3).
  EXPECT_EQ(shell("{ " + kBinary + " run " + config + " --checkpoint-every 0.05 --quiet --out " + out +
                      " & pid=$!; for i in $(seq 3000); do [ -f " + out + ".checkpoint/point-000000.h5 ] && break; "
                      "sleep 0.01; done; kill -TERM $pid; wait $pid; }",
                  log),
            3)
      << testing::read_text(log);
  ASSERT_TRUE(fs::exists(out + ".checkpoint/point-000000.h5"));
  // The seed changes: the finished point belongs to another experiment, and resuming must say so.
  std::string changed = text;
  changed.replace(changed.find("seed: 4"), 7, "seed: 5");
  dir.write("sweep.yaml", changed);
  EXPECT_EQ(shell(kBinary + " run " + config + " --resume --quiet --out " + out, log), 2) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("point 1 in " + out + ".checkpoint was made with another config, seed, draw count or engine version"),
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

TEST(OutputLocks, ASecondRunOnABusyOutputIsRefusedNamingTheHolder) {
  TempDir dir;
  const std::string out = dir.file("busy.h5"), first_log = dir.file("first.log"), log = dir.file("second.log");
  // The first run is long (minutes); the test stops it once the second has been refused.
  const std::string first = kBinary + " run " DETERRENCE_CONFIGS "/baseline.yaml --draws 50000000 --quiet --out " + out;
  ASSERT_EQ(shell("{ " + first + " & echo $! > " + dir.file("pid") + "; } ; for i in $(seq 100); do [ -s " + out +
                      ".lock ] && exit 0; sleep 0.1; done; exit 1",
                  first_log),
            0);
  const std::string pid = testing::read_text(dir.file("pid"));
  for (const char* extra : {"", " --resume", " --force"}) {
    EXPECT_EQ(shell(kBinary + " run " DETERRENCE_CONFIGS "/baseline.yaml --draws 50000000 --out " + out + extra, log), 2)
        << extra;
    const std::string text = testing::read_text(log);
    EXPECT_NE(text.find("is being written by another run (pid " + pid.substr(0, pid.find('\n'))), std::string::npos)
        << text;
  }
  // The busy run was not disturbed: stopped, it checkpoints, exits 3 and lets its lock go.
  EXPECT_EQ(shell("pid=$(cat " + dir.file("pid") + "); kill -TERM $pid; while kill -0 $pid 2>/dev/null; do sleep 0.1; "
                  "done"),
            0);
  EXPECT_TRUE(fs::is_directory(out + ".checkpoint"));
  EXPECT_FALSE(fs::exists(out + ".lock"));
  EXPECT_FALSE(fs::exists(out));
}

TEST(OutputLocks, TheLockOfAProcessThatIsGoneIsTakenOver) {
  TempDir dir;
  const std::string config = ishigami(dir), out = dir.file("o.h5"), log = dir.file("log");
  dir.write("o.h5.lock", "999999 elsewhere\n");  // left by a killed run: the file, but no lock held
  EXPECT_EQ(shell(kBinary + " run " + config + " --out " + out, log), 0) << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("took over the lock on " + out + " left by a run that is gone (pid 999999, "
                                         "host elsewhere)"),
            std::string::npos)
      << testing::read_text(log);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".lock"));
}

TEST(OutputLocks, MergeSensitivityAndCalibrateRefuseAnOutputHeldByAnotherProcess) {
  TempDir dir;
  const std::string config = ishigami(dir), out = dir.file("held.h5"), log = dir.file("log");
  ASSERT_EQ(shell(kBinary + " run " + config + " --shard 1/1 --out " + dir.file("s.h5")), 0);
  const OutputLock held = OutputLock::acquire(out, true);  // this test process is "the other run"
  ASSERT_TRUE(held.held());
  const std::string expected = "held.h5 is being written by another run (pid " + std::to_string(getpid());
  for (const std::string& command :
       {kBinary + " merge --out " + out + " " + dir.file("s.h5"),
        kBinary + " sensitivity " + config + " --rows 64 --out " + out,
        kBinary + " calibrate --method importance " DETERRENCE_CONFIGS "/experiments/cases.yaml --draws 8 --inner 4 --out " + out,
        kBinary + " run " + config + " --out " + out}) {
    EXPECT_EQ(shell(command, log), 2) << command;
    EXPECT_NE(testing::read_text(log).find(expected), std::string::npos) << testing::read_text(log);
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST(OutputLocks, ALinkWhereTheLockFileGoesIsRefused) {
  TempDir dir;
  const std::string config = ishigami(dir), out = dir.file("o.h5"), log = dir.file("log");
  const std::string victim = dir.write("victim.txt", "keep me");
  fs::create_symlink(victim, out + ".lock");
  EXPECT_NE(shell(kBinary + " run " + config + " --out " + out, log), 0);
  EXPECT_NE(testing::read_text(log).find("symbolic link"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(testing::read_text(victim), "keep me");
}

}  // namespace
}  // namespace deterrence
