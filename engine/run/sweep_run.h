#pragma once
// A sweep: every point of the config's `sweep:` run as an experiment of its own (run_experiment,
// resumable point by point in FILE.checkpoint/point-K.h5), then gathered into one file with /sweep
// (keys, values) and /points/<k>/ (dims, parameters, outputs, records of each point).
#include <string>

#include "run/experiment_run.h"

namespace deterrence {

struct Experiment;
struct Sweep;
class World;

// `first`: the experiment at the first point (its config hash names the sweep). Exit codes as
// run_experiment's.
int run_sweep(const RunOptions& options, const Sweep& sweep, const Experiment& first, const std::string& out,
              const World& world);

}  // namespace deterrence
