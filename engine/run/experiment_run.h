#pragma once
// How a run proceeds, from a validated experiment to its results file: the draws cut into chunks
// (run/runner.h), folded into checkpointed segments (OUT.checkpoint/, run/checkpoint.h) so that an
// interrupted run resumes to the same bits, precision targets checked chunk by chunk
// (run/precision_target.h), shards and MPI ranks each running their own chunks (run/shard.h,
// run/mpi_world.h), and the segments gathered into one file. Sweeps (run/sweep_run.h) run each
// point this way. The command line (cli/run_command.cpp) only parses and checks what was asked.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/shard.h"

namespace deterrence {

struct Experiment;
class World;

struct RunOptions {
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

// One experiment (or one shard, or one sweep point) from loaded config to its results file.
// Returns the exit code: 0 done, 1 failed, 2 bad input, 3 (kExitInterrupted) stopped with a
// checkpoint to --resume from. Under MPI (world.size() > 1) rank R runs shard R+1 of K and rank 0
// writes the one file.
int run_experiment(const RunOptions& options, const Experiment& experiment, const Shard& shard, const std::string& out,
                   const World& world);

}  // namespace deterrence
