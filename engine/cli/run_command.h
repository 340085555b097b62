#pragma once
// `deterrence run`: config -> validated experiment -> draws -> statistics -> HDF5, in
// checkpointed segments so that an interrupted run can be resumed to the same bits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deterrence {

class World;

struct RunCommandOptions {
  std::string config;
  std::optional<std::uint64_t> draws, seed;
  int threads = 0;
  std::string out;    // default: <config stem>.h5 (or <stem>.shard-I-of-N.h5) in the working folder
  std::string shard;  // "I/N": run only shard I of N
  bool force = false;
  bool quiet = false;
  bool resume = false;
  bool announce = true;  // say "wrote FILE" at the end (sweep points do not)
  double checkpoint_seconds = 60.0;  // wall time between checkpoints
  // Precision targets "OUTPUT[/ELEMENT]=HALF_WIDTH": stop at the first chunk where every
  // target's 95% half-width is at most its value (the config's draws are the cap).
  std::vector<std::string> until;
  // A calibration file: every draw's global parameters resampled from its weighted draws.
  std::string posterior;
};

// Returns the process exit code: 0 success, 1 runtime failure, 2 bad input,
// 3 (kExitInterrupted) stopped by SIGTERM/SIGINT with a checkpoint to --resume from.
// Under MPI (world.size() > 1) rank R runs shard R+1 of K and rank 0 writes the one file.
int run_command(const RunCommandOptions& options, const World& world);
// --keys: print every key path the reader asked the config for, instead of the summary line.
int validate_command(const std::string& config, bool list_keys = false);

}  // namespace deterrence
