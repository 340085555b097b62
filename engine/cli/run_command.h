#pragma once
// `deterrence run`: parses and checks what was asked (draws, seed, shard, targets, posterior), takes
// the output's lock and hands the experiment to the engine — run/experiment_run.h for one run,
// run/sweep_run.h for a sweep — which runs it in checkpointed segments.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/experiment_run.h"

namespace deterrence {

class World;

using RunCommandOptions = RunOptions;

// Returns the process exit code: 0 success, 1 runtime failure, 2 bad input,
// 3 (kExitInterrupted) stopped by SIGTERM/SIGINT with a checkpoint to --resume from.
// Under MPI (world.size() > 1) rank R runs shard R+1 of K and rank 0 writes the one file.
int run_command(const RunCommandOptions& options, const World& world);
// --keys: print every key path the reader asked the config for, instead of the summary line.
int validate_command(const std::string& config, bool list_keys = false);

}  // namespace deterrence
