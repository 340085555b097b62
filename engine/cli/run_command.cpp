#include "cli/run_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "calibration/posterior.h"
#include "cli/cases_command.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "config/sweep.h"
#include "io/output_lock.h"
#include "io/results_reader.h"
#include "run/checkpoint.h"
#include "run/mpi_world.h"
#include "run/precision_target.h"
#include "run/sweep_run.h"

namespace deterrence {

namespace fs = std::filesystem;

namespace {

std::string default_out(const RunCommandOptions& options, const Shard& shard) {
  const std::string stem = fs::path(options.config).stem().string();
  return shard.count == 1 ? stem + ".h5" : fmt::format("{}.shard-{}-of-{}.h5", stem, shard.index, shard.count);
}

}  // namespace

int validate_command(const std::string& config, bool list_keys) {
  try {
    const auto sweep = read_sweep(ConfigNode::load_file(config));
    const Experiment e = load_experiment(config, sweep ? &sweep->points.front() : nullptr);
    // Every point of a sweep is checked now, not found broken half-way through a run.
    if (sweep)
      for (std::size_t k = 1; k < sweep->points.size(); ++k) {
        try {
          load_experiment(config, &sweep->points[k]);
        } catch (const ConfigError& error) {
          throw ConfigError(fmt::format("sweep point {}: {}", k + 1, error.what()));
        }
      }
    if (list_keys) {  // what the reader accepted where this config has maps (for the schema test)
      for (const auto& key : e.config_keys_read) fmt::print("{}\n", key);
      return 0;
    }
    fmt::print("{}: valid — model {}, {} parameters, {} output values per draw, {} draws, seed {}{}\n", config,
               e.model_name, e.model->parameters().size(),
               e.model->outputs().real_slots() + e.model->outputs().code_slots(), e.draws, e.seed,
               sweep ? fmt::format(", a sweep of {} points", sweep->points.size()) : "");
    return 0;
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
}

int run_command(const RunCommandOptions& options, const World& world) {
  Experiment experiment;
  Shard shard;
  std::optional<Sweep> sweep;
  try {
    sweep = read_sweep(ConfigNode::load_file(options.config));
    experiment = load_experiment(options.config, sweep ? &sweep->points.front() : nullptr);
    if (options.draws) experiment.draws = *options.draws;
    if (options.seed) experiment.seed = *options.seed;
    if (!options.posterior.empty()) attach_posterior(experiment, options.posterior);
    if (!options.shard.empty()) shard = parse_shard(options.shard);
    if (world.size() > 1 && !options.shard.empty())
      throw std::invalid_argument("--shard and MPI ranks do not mix: run the shards without mpirun, or mpirun without "
                                  "--shard");
    const bool replicated = experiment.design.kind == DesignKind::sobol && experiment.design.replicates > 1;
    if (replicated && (!options.shard.empty() || world.size() > 1 || options.resume))
      throw std::invalid_argument("a Sobol' design with replicates runs in one process, start to end (its error "
                                  "estimate needs every replicate): no --shard, MPI or --resume yet");
    if (!options.until.empty() && experiment.design.kind != DesignKind::monte_carlo)
      throw std::invalid_argument("--until needs plain Monte Carlo: a Latin hypercube or Sobol' design is built "
                                  "for its full number of draws");
    if (experiment.design.kind != DesignKind::monte_carlo)
      Design(experiment.design, experiment.model->parameters(), experiment.seed, experiment.draws);  // fits?
    if (experiment.design.kind == DesignKind::sobol &&
        (experiment.draws / experiment.design.replicates) % experiment.chunk_size != 0)
      throw std::invalid_argument(fmt::format("a Sobol' design needs its points per replicate ({}) to be a multiple of "
                                              "chunk_size ({})",
                                              experiment.draws / experiment.design.replicates, experiment.chunk_size));
    if (!options.until.empty() && (!options.shard.empty() || world.size() > 1 || sweep))
      throw std::invalid_argument("--until applies to a whole single run (not to shards, MPI ranks or sweeps)");
    if (!options.until.empty()) parse_targets(options.until, *experiment.model);  // bad targets: exit 2 now
    if (sweep && !options.shard.empty())
      throw std::invalid_argument("--shard does not apply to a sweep yet: run the sweep whole (it resumes point by "
                                  "point), or under mpirun");
  } catch (const ConfigError& error) {
    return world.root() ? report(error, 2) : 2;
  } catch (const std::invalid_argument& error) {
    return world.root() ? report(error, 2) : 2;
  }
  if (experiment.posterior && experiment.posterior->effective_sample_size < 100 && world.root())
    fmt::print(stderr,
               "warning: {} rests on an effective sample size of {:.1f} of its {} draws: this run can only replay "
               "those few worlds of θ, so its intervals understate what is unknown (calibrate with more draws or "
               "--rounds)\n",
               options.posterior, experiment.posterior->effective_sample_size,
               experiment.posterior->calibration_draws);
  const std::string out = options.out.empty() ? default_out(options, shard) : options.out;
  // One writer per output, for the whole command (a sweep's points included): taken by the
  // root rank before anything under OUT is read or written.
  OutputLock lock;
  int code = 0;
  if (world.root()) code = lock_output(lock, out, options.quiet);
  code = world.max(code);
  if (code != 0) return code;
  if (sweep) return run_sweep(options, *sweep, experiment, out, world);
  const int code_run = run_experiment(options, experiment, shard, out, world);
  // A run of historical cases says how the model forecast them, as `deterrence cases` does.
  if (code_run == 0 && world.root() && !options.quiet && !experiment.model->cases().empty())
    print_case_table(ResultsFile(out).case_forecasts(), stdout, false);
  return code_run;
}

}  // namespace deterrence
