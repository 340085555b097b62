#include "run/sweep_run.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "calibration/posterior.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "config/sweep.h"
#include "io/h5.h"
#include "io/pieces.h"
#include "io/results_reader.h"
#include "io/results_writer.h"
#include "io/statistics_io.h"
#include "run/checkpoint.h"
#include "run/interrupt.h"
#include "run/mpi_world.h"
#include "run/progress.h"
#include "version.h"

namespace deterrence {

namespace fs = std::filesystem;

using Clock = std::chrono::steady_clock;

// A sweep: every point run to its own file in FILE.checkpoint/ (resumable point by point),
// then gathered into one file with /sweep (keys, values) and /points/<k>/ (dims, parameters,
// outputs, records of each point).
int run_sweep(const RunOptions& options, const Sweep& sweep, const Experiment& first, const std::string& out,
              const World& world) {
  const auto start = Clock::now();
  const fs::path folder = out + ".checkpoint";
  int code = 0;
  if (world.root()) {
    try {
      check_output(out, folder, options.force, options.resume, options.quiet);
      fs::create_directories(folder);
    } catch (const UsageError& error) {
      code = report(error, 2);
    } catch (const std::exception& error) {
      code = report(error, 1);
    }
  }
  code = world.max(code);
  if (code != 0) return code;
  std::vector<std::string> point_files;
  for (std::size_t k = 0; k < sweep.points.size(); ++k) {
    const std::string point_out = (folder / fmt::format("point-{:06}.h5", k)).string();
    point_files.push_back(point_out);
    std::string label;
    for (const auto& [key, value] : sweep.points[k])
      label += fmt::format("{}{} = {}", label.empty() ? "" : ", ", key, Sweep::text(value));
    Experiment experiment;
    try {
      experiment = load_experiment(options.config, &sweep.points[k]);
      if (options.draws) experiment.draws = *options.draws;
      if (options.seed) experiment.seed = *options.seed;
      if (!options.posterior.empty()) attach_posterior(experiment, options.posterior);
    } catch (const ConfigError& error) {
      return world.root() ? report(ConfigError(fmt::format("sweep point {} ({}): {}", k + 1, label, error.what())), 2)
                          : 2;
    }
    if (fs::exists(point_out) && !fs::exists(point_out + ".checkpoint")) {
      // Done before: only if it is this experiment's point (same config, seed and draws).
      int verdict = 0;
      if (world.root()) {
        try {
          const ResultsFile done(point_out);
          if (done.attribute("config_hash") != experiment.config_hash || done.count_attribute("seed") != experiment.seed ||
              done.count_attribute("total_draws") != experiment.draws || done.attribute("engine_version") != kEngineVersion)
            verdict = report(UsageError(fmt::format("cannot resume: point {} in {} was made with another config, seed, "
                                                    "draw count or engine version; pass --force to start the sweep over",
                                                    k + 1, folder.string())),
                             2);
        } catch (const std::exception& error) {
          verdict = report(error, 1);
        }
      }
      verdict = world.max(verdict);  // every rank learns the root's verdict
      if (verdict != 0) return verdict;
      continue;
    }
    if (!options.quiet && world.root()) fmt::print(stderr, "point {}/{}: {}\n", k + 1, sweep.points.size(), label);
    RunOptions point_options = options;
    point_options.force = false;
    point_options.announce = false;
    point_options.resume = fs::exists(point_out + ".checkpoint");
    code = run_experiment(point_options, experiment, Shard{}, point_out, world);
    if (code != 0) {
      if (code == kExitInterrupted && world.root())
        fmt::print(stderr, "the sweep stopped at point {}; run the same command with --resume to continue\n", k + 1);
      return code;
    }
  }
  if (!world.root()) return 0;
  try {
    ResultsWriter writer(out, options.force);
    const hid_t file = writer.file();
    h5::Handle point0 = h5::open_file(point_files.front());
    // The root describes the sweep; each point's statistics sit under /points/<k>.
    for (const char* name : {"filetype", "engine_version", "git_commit", "model", "description", "config",
                             "config_path", "shard", "start_time"})
      if (h5::has_attribute(point0, name)) h5::write_attribute(file, name, h5::read_string_attribute(point0, name));
    for (const char* name : {"format_version", "seed", "draws", "first_draw", "total_draws", "chunk_size",
                             "chunk_first", "chunk_end", "threads"})
      if (h5::has_attribute(point0, name)) h5::write_attribute(file, name, h5::read_u64_attribute(point0, name));
    h5::write_attribute(file, "config_hash", first.config_hash);
    for (const char* group : {"inputs", "cases", "posterior"})  // the same for every point
      if (h5::exists(point0, group)) h5::copy_group(point0, group, file, point_files.front());
    h5::write_attribute(file, "end_time", iso_time_now());
    h5::write_attribute(file, "sweep_points", static_cast<std::uint64_t>(sweep.points.size()));
    {
      h5::Handle group = h5::create_group(file, "sweep");
      h5::write_attribute(group, "description",
                          std::string("point k played the config with keys[j] set to values[k, j], on the same draws"));
      h5::write_strings(group, "keys", sweep.keys);
      std::vector<std::string> text;
      std::vector<double> numbers;
      for (const auto& point : sweep.points)
        for (const auto& [key, value] : point) {
          text.push_back(Sweep::text(value));
          numbers.push_back(Sweep::number(value));
        }
      h5::write_strings(group, "values", text);  // flattened points x keys
      h5::write_doubles(group, "numeric_values", numbers, {sweep.points.size(), sweep.keys.size()});
    }
    {
      h5::Handle points = h5::create_group(file, "points");
      for (std::size_t k = 0; k < point_files.size(); ++k) {
        h5::Handle source = h5::open_file(point_files[k]);
        h5::Handle target = h5::create_group(points, fmt::format("{:06}", k));
        h5::write_attribute(target, "config_hash", h5::read_string_attribute(source, "config_hash"));
        for (const char* group : {"dims", "parameters", "runtime"})
          if (h5::exists(source, group)) h5::copy_group(source, group, target, point_files[k]);
        if (h5::exists(source, "records")) {
          // The record datasets without their scales (references into the point's file), then
          // labelled again here.
          h5::Handle from = h5::open_group(source, "records");
          h5::Handle to = h5::create_group(target, "records");
          h5::write_attribute(to, "description", h5::read_string_attribute(from, "description"));
          for (const auto& name : h5::children(from)) {
            if (h5::is_scale(from, name) && name != "parameter_names") continue;
            h5::copy_dataset_without_attributes(from, name, to, point_files[k]);
          }
        }
        // The statistics are written again from the point's exact partials (the same bits), so
        // that the dimension scales are made in this file: a copied scale reference would still
        // point into the point's file.
        const OutputLayout layout = read_layout(source);
        RunStatistics statistics(layout);
        read_statistics(source, statistics);
        write_outputs(target, layout, statistics);
        if (h5::exists(target, "records")) label_records(target, h5::open_group(target, "records"));
      }
    }
    {
      h5::Handle runtime = h5::create_group(file, "runtime");
      h5::write_attribute(runtime, "total_seconds", seconds_since(start));
    }
    point0 = h5::Handle();
    writer.commit();
    remove_checkpoint(folder);
    if (!options.quiet) fmt::print(stderr, "wrote {} ({} sweep points)\n", out, sweep.points.size());
    return 0;
  } catch (const std::exception& error) {
    return report(error, 1);
  }
}

}  // namespace deterrence
