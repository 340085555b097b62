#include "cli/run_command.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "config/config_error.h"
#include "config/experiment.h"
#include "io/results_writer.h"
#include "run/runner.h"

namespace deterrence {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int validate_command(const std::string& config) {
  try {
    const Experiment e = load_experiment(config);
    fmt::print("{}: valid — model {}, {} parameters, {} output values per draw, {} draws, seed {}\n", config,
               e.model_name, e.model->parameters().size(),
               e.model->outputs().real_slots() + e.model->outputs().code_slots(), e.draws, e.seed);
    return 0;
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
}

int run_command(const RunCommandOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = iso_time_now();
  Experiment experiment;
  try {
    experiment = load_experiment(options.config);
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  if (options.draws) experiment.draws = *options.draws;
  if (options.seed) experiment.seed = *options.seed;
  const std::string out = options.out.empty()
                              ? std::filesystem::path(options.config).stem().string() + ".h5"
                              : options.out;
  try {
    ResultsWriter writer(out, options.force);
    writer.prepare_records(experiment, experiment.draws);
    RunSettings settings;
    settings.first_draw = 0;
    settings.draw_count = experiment.draws;
    settings.seed = experiment.seed;
    settings.chunk_size = experiment.chunk_size;
    settings.threads = options.threads;
    settings.record_codes = experiment.records.outcomes && experiment.model->outputs().recorded_code_slots() > 0;
    settings.record_parameters = experiment.records.parameters;

    RunStatistics totals(experiment.model->outputs());
    Progress progress(Progress::detect(options.quiet), experiment.draws);
    RunInfo info;
    info.threads = effective_threads(options.threads);
    info.first_draw = 0;
    info.draw_count = experiment.draws;
    info.start_time = start_time;
    info.setup_seconds = seconds_since(start);
    info.timings = run_draws(*experiment.model, settings, totals,
                             [&](const ChunkRecords& records) { writer.write_records(records); }, &progress);
    info.end_time = iso_time_now();
    info.total_seconds = seconds_since(start);
    writer.write_results(experiment, totals, info);
    writer.commit();
    if (!options.quiet) fmt::print(stderr, "wrote {}\n", out);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
