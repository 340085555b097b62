#include "cli/calibrate_command.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "calibration/calibration_io.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "io/cases_io.h"
#include "io/inputs_io.h"
#include "io/results_writer.h"
#include "io/output_lock.h"
#include "io/safe_files.h"
#include "run/mpi_world.h"

namespace deterrence {

int calibrate_command(const CalibrateCommandOptions& options, const World& world) {
  exit_cleanly_on_signals();  // SIGTERM: nothing half-written is left (exit 3)
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = iso_time_now();
  Experiment experiment;
  CalibrationSettings settings;
  try {
    experiment = load_experiment(options.config);
    if (experiment.model->cases().empty())
      throw ConfigError(fmt::format("{}: declares no historical cases (give model_options.cases a case library)",
                                    options.config));
  } catch (const ConfigError& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  settings.draws = options.draws.value_or(4000);
  settings.inner = options.inner.value_or(200);
  settings.seed = options.seed.value_or(experiment.seed);
  settings.threads = options.threads;
  settings.hold_out_from = options.hold_out_from;
  settings.rounds = options.rounds.value_or(1);
  settings.world = &world;
  const bool quiet = options.quiet || !world.root();
  const std::string out = options.out.empty()
                              ? std::filesystem::path(options.config).stem().string() + ".calibration.h5"
                              : options.out;
  OutputLock lock;
  int code = world.root() ? lock_output(lock, out, options.quiet) : 0;
  if ((code = world.max(code)) != 0) return code;
  CalibrationDraws draws;
  try {
    if (!quiet)
      fmt::print(stderr, "calibrating on {} cases: {} draws x {} inner plays{}\n", experiment.model->cases().size(),
                 settings.draws, settings.inner,
                 world.size() > 1 ? fmt::format(" on {} MPI ranks", world.size()) : std::string());
    draws = run_calibration(*experiment.model, settings);
  } catch (const std::exception& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    code = 1;
  }
  if ((code = world.max(code)) != 0 || !world.root()) return code;
  try {
    const CalibrationSummary summary = summarise_calibration(*experiment.model, draws, settings);
    ResultsWriter writer(out, options.force);
    const hid_t file = writer.file();
    write_identity(file, experiment);
    h5::write_attribute(file, "seed", settings.seed);
    h5::write_attribute(file, "draws", settings.draws);
    h5::write_attribute(file, "start_time", start_time);
    h5::write_attribute(file, "end_time", iso_time_now());
    const auto cases = experiment.model->cases();
    write_cases(file, cases, experiment.model->outputs().find(cases.front().output)->categories);
    write_calibration(file, experiment.model->parameters(), settings, draws, summary);
    {
      h5::Handle runtime = h5::create_group(file, "runtime");
      h5::write_attribute(runtime, "total_seconds",
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    writer.commit();
    if (!options.quiet) {
      h5::Handle written = h5::open_file(out);
      print_calibration(written, stdout);
      fmt::print(stderr, "wrote {}\n", out);
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
