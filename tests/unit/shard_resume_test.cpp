// The same answer at any scale: shards merged, runs interrupted (SIGTERM) or killed (SIGKILL)
// at random moments and resumed, all bit-identical to one uninterrupted process.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "h5_compare.h"
#include "test_support.h"

extern char** environ;

namespace deterrence {
namespace {

using testing::bit_differences;
using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string ishigami_config(const TempDir& dir, int draws) {
  return dir.write("ishigami.yaml", "model: ishigami\ndraws: " + std::to_string(draws) +
                                        "\nseed: 7\nchunk_size: 1000\nrecords: {parameters: true}\n" +
                                        testing::kIshigamiParameters);
}

// The baseline game with per-draw outcome records, and parameter records when asked.
std::string baseline_config(const TempDir& dir, bool parameter_records = true) {
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  text.replace(text.find("outcomes: false"), 15, "outcomes: true ");
  if (parameter_records) text.replace(text.find("parameters: false"), 17, "parameters: true ");
  return dir.write("baseline.yaml", text);
}

void expect_same_results(const std::string& a, const std::string& b, bool records) {
  EXPECT_EQ(bit_differences(a, b, "/outputs"), "");
  EXPECT_EQ(bit_differences(a, b, "/dims", false), "");
  EXPECT_EQ(bit_differences(a, b, "/parameters"), "");
  if (records) {
    EXPECT_EQ(bit_differences(a, b, "/records"), "");
  }
}

TEST(Shards, MergedShardsAreBitIdenticalToOneProcessForAnyShardAndThreadCount) {
  TempDir dir;
  const std::string config = ishigami_config(dir, 12500);  // 13 chunks, the last one short
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --threads 2 --out " + single), 0);
  for (int shards : {1, 2, 3, 7, 13})
    for (int threads : {1, 2}) {
      std::string files;
      for (int i = 1; i <= shards; ++i) {
        const std::string shard = dir.file(fmt::format("s{}.h5", i));
        ASSERT_EQ(shell(fmt::format("{} run {} --quiet --force --threads {} --shard {}/{} --out {}", kBinary, config,
                                    threads, i, shards, shard)),
                  0);
        files.insert(0, shard + " ");  // reverse order: merge sorts by chunk range
      }
      const std::string merged = dir.file("merged.h5");
      ASSERT_EQ(shell(kBinary + " merge --quiet --force --copy --out " + merged + " " + files), 0);
      SCOPED_TRACE(std::to_string(shards) + " shards, " + std::to_string(threads) + " threads");
      expect_same_results(single, merged, true);
      for (int i = 1; i <= shards; ++i) std::filesystem::remove(dir.file("s" + std::to_string(i) + ".h5"));
    }
}

TEST(Shards, GameShardsMergeExactlyWithRecordsAsAVirtualDatasetOrCopied) {
  TempDir dir;
  const std::string config = baseline_config(dir);
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(shell(kBinary + " run " + config + " --draws 1500 --quiet --out " + single), 0);
  std::string files;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(shell(kBinary + " run " + config + " --draws 1500 --quiet --threads 1 --shard " + std::to_string(i) +
                    "/3 --out " + dir.file("shard" + std::to_string(i) + ".h5")),
              0);
    files += " shard" + std::to_string(i) + ".h5";
  }
  std::filesystem::create_directory(dir.path() / "merged");
  const std::string cd = "cd " + dir.path().string() + " && ";
  ASSERT_EQ(shell(cd + kBinary + " merge --out merged/virtual.h5" + files), 0);
  ASSERT_EQ(shell(cd + kBinary + " merge --copy --out merged/copied.h5" + files), 0);
  expect_same_results(single, dir.file("merged/virtual.h5"), true);
  expect_same_results(single, dir.file("merged/copied.h5"), true);
  // The summary reads the virtual records' sources; with one shard gone it must say so rather
  // than let HDF5 read fill values.
  ASSERT_EQ(shell(kBinary + " summary " + dir.file("merged/virtual.h5")), 0);
  std::filesystem::remove(dir.file("shard2.h5"));
  const std::string log = dir.file("summary.log");
  EXPECT_EQ(shell(kBinary + " summary " + dir.file("merged/virtual.h5"), log), 1);
  EXPECT_NE(testing::read_text(log).find("shard2.h5, which is missing"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " summary " + dir.file("merged/copied.h5")), 0);
}

TEST(Shards, MergeRefusesShardsThatDoNotMakeOneRunAndWritesNothing) {
  TempDir dir;
  const std::string config = ishigami_config(dir, 8000);
  const auto run = [&](const std::string& shard, const std::string& out, const std::string& extra = "") {
    ASSERT_EQ(shell(kBinary + " run " + config + " --quiet --shard " + shard + " --out " + dir.file(out) + extra), 0);
  };
  run("1/4", "a.h5");
  run("2/4", "b.h5");
  run("3/4", "c.h5");
  run("4/4", "d.h5");
  run("1/2", "half.h5");
  run("2/4", "other_seed.h5", " --seed 8");
  const auto merge = [&](const std::string& files, const std::string& expected) {
    const std::string log = dir.file("merge.log");
    EXPECT_EQ(shell("cd " + dir.path().string() + " && " + kBinary + " merge --out m.h5 " + files, log), 1) << files;
    const std::string text = testing::read_text(log);
    EXPECT_NE(text.find(expected), std::string::npos) << files << "\n" << text;
    EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      EXPECT_EQ(entry.path().filename().string().find("m.h5"), std::string::npos) << entry.path();
  };
  merge("a.h5 b.h5 d.h5", "chunks 4-5 are in no file given (between b.h5 and d.h5); the files must hold chunks 0-7");
  merge("a.h5 b.h5 c.h5", "chunks 6-7 are in no file given (after c.h5)");
  merge("b.h5 c.h5 d.h5", "chunks 0-1 are in no file given (before b.h5)");
  merge("a.h5 b.h5 b.h5 c.h5 d.h5", "b.h5 and b.h5 both hold chunks 2-3");
  merge("half.h5 b.h5 c.h5 d.h5", "b.h5 (chunks 2-3) overlaps half.h5 (chunks 0-3)");
  merge("a.h5 other_seed.h5 c.h5 d.h5", "other_seed.h5 does not belong with a.h5: its seed is 8, not 7");
  merge("a.h5 b.h5 c.h5 missing.h5", "missing.h5: no such file");
  EXPECT_EQ(shell("cd " + dir.path().string() + " && " + kBinary + " merge --quiet --out m.h5 d.h5 c.h5 b.h5 a.h5"), 0);
}

TEST(Shards, BadShardArgumentsAreUsageErrors) {
  TempDir dir;
  const std::string config = ishigami_config(dir, 3000);  // 3 chunks
  for (const char* shard : {"0/3", "4/3", "x/3", "1-3", "1/4"})
    EXPECT_EQ(shell(kBinary + " run " + config + " --quiet --shard " + shard + " --out " + dir.file("x.h5")), 2)
        << shard;
}

// Starts the binary with `args`, returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  std::vector<std::string> storage = args;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(Resume, StoppedBySigtermAndResumedIsBitIdentical) {
  TempDir dir;
  const std::string config = baseline_config(dir, false);
  const std::string reference = dir.file("reference.h5"), out = dir.file("resumed.h5"), log = dir.file("run.log");
  ASSERT_EQ(shell(kBinary + " run " + config + " --draws 100000 --quiet --out " + reference), 0);
  const std::vector<std::string> command{kBinary, "run", config, "--draws", "100000", "--threads", "2",
                                         "--checkpoint-every", "0.2", "--out", out};
  const pid_t pid = spawn(command, log);
  // SIGTERM once the run has written a checkpoint segment (so it is past its start, with its
  // handlers in place, however loaded the machine), not after a fixed sleep.
  const auto has_segment = [&] {
    std::error_code ignored;
    if (!std::filesystem::is_directory(out + ".checkpoint", ignored)) return false;
    for (const auto& entry : std::filesystem::directory_iterator(out + ".checkpoint", ignored))
      if (const auto name = entry.path().filename().string(); name.starts_with("segment-") && name.ends_with(".h5"))
        return true;
    return false;
  };
  for (int i = 0; i < 6000 && !has_segment(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid, SIGTERM);
  ASSERT_EQ(wait_for(pid), 3) << testing::read_text(log);
  EXPECT_TRUE(std::filesystem::exists(out + ".checkpoint"));
  EXPECT_FALSE(std::filesystem::exists(out));
  // Without --resume the checkpoint is not silently discarded.
  EXPECT_EQ(shell(kBinary + " run " + config + " --draws 100000 --quiet --out " + out), 2);
  ASSERT_EQ(shell(kBinary + " run " + config + " --draws 100000 --threads 1 --resume --out " + out, log), 0)
      << testing::read_text(log);
  EXPECT_NE(testing::read_text(log).find("resuming at draw"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out + ".checkpoint"));
  expect_same_results(reference, out, true);
}

TEST(Resume, RefusesACheckpointOfAnotherEngineVersion) {
  // Another version may draw other numbers from the same seed (0.2.0 changed the normal
  // quantile and the beta tails), so its segments must not be folded with this version's.
  TempDir dir;
  const std::string config = ishigami_config(dir, 50'000'000), out = dir.file("out.h5"), log = dir.file("run.log");
  const pid_t pid = spawn({kBinary, "run", config, "--threads", "1", "--checkpoint-every", "0.1", "--out", out}, log);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(pid, SIGTERM);
  ASSERT_EQ(wait_for(pid), 3) << testing::read_text(log);
  const std::string script = dir.write("older.py",
                                       "import glob, sys, h5py\n"
                                       "paths = glob.glob(sys.argv[1] + '/*.h5')\n"
                                       "assert paths, 'no segment'\n"
                                       "for path in paths:\n"
                                       "    with h5py.File(path, 'r+') as f:\n"
                                       "        f.attrs['engine_version'] = '0.1.0'\n"
                                       "        del f.attrs['metadata_sha256']  # as 0.1.0 wrote it: no checksum\n");
  ASSERT_EQ(shell("/usr/bin/python3 " + script + " " + out + ".checkpoint"), 0);
  EXPECT_EQ(shell(kBinary + " run " + config + " --threads 1 --resume --out " + out, log), 2);
  EXPECT_NE(testing::read_text(log).find("was made with another engine version (0.1.0)"), std::string::npos)
      << testing::read_text(log);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Resume, KilledAtRandomMomentsAndResumedIsBitIdentical) {
  TempDir dir;
  const std::string config = baseline_config(dir, false);
  const std::string reference = dir.file("reference.h5"), log = dir.file("run.log");
  ASSERT_EQ(shell(kBinary + " run " + config + " --draws 8000 --quiet --out " + reference), 0);
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  SCOPED_TRACE("kill-moment seed " + std::to_string(seed));
  for (int trial = 0; trial < 3; ++trial) {
    const std::string out = dir.file("killed" + std::to_string(trial) + ".h5");
    int kills = 0;
    // Until the file is there and the checkpoint gone (a kill between the two leaves both,
    // and --resume must then just tidy up).
    const auto done = [&] { return std::filesystem::exists(out) && !std::filesystem::exists(out + ".checkpoint"); };
    for (int attempt = 0; attempt < 40 && !done(); ++attempt) {
      std::vector<std::string> command{kBinary, "run", config, "--draws", "8000", "--quiet",
                                       "--checkpoint-every", "0.05", "--out", out};
      if (std::filesystem::exists(out + ".checkpoint")) command.push_back("--resume");
      const pid_t pid = spawn(command, log);
      if (kills < 4) {
        // Anywhere from start-up to the final write: 0-1.2 s.
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 1200000)(random)));
        kill(pid, SIGKILL);
        ++kills;
      }
      const int status = wait_for(pid);
      ASSERT_TRUE(status == 0 || status == -SIGKILL) << "status " << status << "\n" << testing::read_text(log);
    }
    ASSERT_TRUE(std::filesystem::exists(out)) << testing::read_text(log);
    EXPECT_FALSE(std::filesystem::exists(out + ".checkpoint"));
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_same_results(reference, out, true);
  }
}

}  // namespace
}  // namespace deterrence
