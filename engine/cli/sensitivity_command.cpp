#include "cli/sensitivity_command.h"

#include <fmt/format.h>

#include <filesystem>

#include "config/config_error.h"
#include "config/experiment.h"
#include "io/h5.h"
#include "io/results_writer.h"
#include "io/output_lock.h"
#include "io/safe_files.h"
#include "run/progress.h"
#include "run/runner.h"
#include "run/mpi_world.h"
#include "run/shard.h"
#include "sensitivity/saltelli.h"
#include "sensitivity/sensitivity_io.h"

namespace deterrence {

namespace fs = std::filesystem;

int sensitivity_command(const SensitivityCommandOptions& options, const World& world) {
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = iso_time_now();
  exit_cleanly_on_signals();  // SIGTERM: remove the temporary file, exit 3 (nothing to resume)
  Experiment experiment;
  SensitivityGroups groups;
  std::vector<SensitivityTarget> targets;
  std::vector<const OutputSpec*> chosen;
  try {
    experiment = load_experiment(options.config);
    if (options.seed) experiment.seed = *options.seed;
    const OutputLayout& layout = experiment.model->outputs();
    if (options.outputs.empty()) {
      for (const auto& spec : layout.specs())
        if (spec.sensitivity) chosen.push_back(&spec);
    } else {
      for (const auto& name : options.outputs) {
        const OutputSpec* spec = layout.find(name);
        if (!spec || spec->kind != OutputKind::real) {
          std::string names;
          for (const auto& s : layout.specs())
            if (s.kind == OutputKind::real) names += (names.empty() ? "" : ", ") + s.name;
          throw std::invalid_argument(fmt::format("--outputs: '{}' is not a real output of model {}; choose from: {}",
                                                  name, experiment.model_name, names));
        }
        chosen.push_back(spec);
      }
    }
    if (chosen.empty()) throw std::invalid_argument("no outputs to analyse: name some with --outputs");
    for (const OutputSpec* spec : chosen)
      for (std::size_t e = 0; e < spec->size; ++e) targets.push_back({spec->name, e, spec->offset + e});
    const auto& space = experiment.model->parameters();
    bool labelled = false;
    for (const auto& p : space.parameters()) labelled = labelled || !p.group.empty();
    groups = make_groups(space, options.by_parameter || !labelled);
    if ((options.by_parameter || !labelled) && world.root() && !options.quiet)
      for (std::size_t g = 0; g < groups.names.size(); ++g)
        if (groups.members[g].size() > 1)
          fmt::print(stderr, "one index for {} correlated parameters, as group '{}' (indices of dependent inputs "
                             "are defined only together)\n",
                     groups.members[g].size(), groups.names[g]);

  } catch (const ConfigError& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  } catch (const std::invalid_argument& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  Shard shard;
  ChunkRange range{0, 0}, rank_range{0, 0};
  try {
    if (!options.shard.empty()) shard = parse_shard(options.shard);
    if (world.size() > 1 && !options.shard.empty())
      throw std::invalid_argument("--shard and MPI ranks do not mix: run the shards without mpirun, or mpirun without "
                                  "--shard");
    range = shard_chunks(shard, options.rows, experiment.chunk_size);
    // Under MPI, rank R takes the rows of shard R+1 of K, and rank 0 writes the whole.
    rank_range = world.size() > 1 ? shard_chunks(Shard{static_cast<std::uint64_t>(world.rank()) + 1,
                                                       static_cast<std::uint64_t>(world.size())},
                                                 options.rows, experiment.chunk_size)
                                  : range;
  } catch (const std::invalid_argument& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  const std::string stem = fs::path(options.config).stem().string();
  const std::string out =
      !options.out.empty() ? options.out
      : shard.count == 1  ? stem + ".sensitivity.h5"
                          : fmt::format("{}.sensitivity.shard-{}-of-{}.h5", stem, shard.index, shard.count);
  int code = 0;
  OutputLock lock;  // one writer per output, held by the root rank
  if (world.root()) {
    code = lock_output(lock, out, options.quiet);
    if (code == 0 && fs::exists(out) && !options.force) {
      fmt::print(stderr, "error: {} already exists; pass --force to overwrite it\n", out);
      code = 2;
    }
  }
  code = world.max(code);
  if (code != 0) return code;
  const bool quiet = options.quiet || !world.root();
  try {
    SaltelliSettings settings;
    settings.first_row = first_draw_of(rank_range.first, experiment.chunk_size);
    settings.rows = draws_in(rank_range, options.rows, experiment.chunk_size);
    settings.seed = experiment.seed;
    settings.chunk_size = experiment.chunk_size;
    settings.threads = effective_threads(options.threads);
    settings.bootstrap = options.bootstrap;
    if (!quiet)
      fmt::print(stderr, "sensitivity: {} rows x ({} groups + 2) = {} evaluations, {} output elements{}\n",
                 settings.rows, groups.names.size(), settings.rows * (groups.names.size() + 2), targets.size(),
                 shard.count > 1   ? fmt::format(" (shard {} of {} rows)", shard.text(), options.rows)
                 : world.size() > 1 ? fmt::format(" (rank 0 of {} MPI ranks, {} rows in all)", world.size(), options.rows)
                                    : "");
    const auto t0 = std::chrono::steady_clock::now();
    RunStatistics a_rows(experiment.model->outputs());
    StoredSensitivity stored;
    stored.shape = {targets.size(), groups.names.size(), static_cast<std::size_t>(options.bootstrap) + 1};
    stored.sums.resize(stored.shape.width());
    stored.groups = groups.names;
    stored.grouping = options.by_parameter ? "parameter" : "group";
    const auto& parameters = experiment.model->parameters().parameters();
    for (const auto& m : groups.members)
      stored.group_members.push_back(m.size() == 1 ? parameters[m.front()].name : fmt::format("{} parameters", m.size()));
    for (const OutputSpec* spec : chosen) {
      SensitivityOutput o{spec->name, {}, {}, spec->size};
      for (const auto& d : spec->dims) {
        o.dims.push_back(d.name);
        o.shape.push_back(d.labels.size());
      }
      stored.outputs.push_back(o);
    }
    Progress progress(Progress::detect(quiet), settings.rows);
    accumulate_saltelli(*experiment.model, groups, targets, settings, stored.sums, a_rows, &progress);
    world.reduce_to_root(a_rows);
    world.reduce_to_root(stored.sums);
    if (!world.root()) return 0;

    RunInfo info;
    info.threads = settings.threads;
    info.first_draw = first_draw_of(range.first, experiment.chunk_size);
    info.draw_count = draws_in(range, options.rows, experiment.chunk_size);
    info.total_draws = options.rows;
    info.chunk_first = range.first;
    info.chunk_end = range.end;
    info.shard = shard.text();
    info.start_time = start_time;
    info.end_time = iso_time_now();
    info.timings.sampling_and_model_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    info.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ResultsWriter writer(out, options.force);
    writer.write_results(experiment, a_rows, info);  // /outputs: the A rows, a plain run of the same draws
    write_sensitivity(writer.file(), stored);
    writer.commit();
    if (!options.quiet)
      fmt::print(stderr, "wrote {}{}\n", out, world.size() > 1 ? fmt::format(" ({} MPI ranks)", world.size()) : "");
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
