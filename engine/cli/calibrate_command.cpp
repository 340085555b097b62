#include "cli/calibrate_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

#include "calibration/calibration_io.h"
#include "calibration/simulated_record.h"
#include "calibration/smc_calibration.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "io/cases_io.h"
#include "io/inputs_io.h"
#include "io/results_writer.h"
#include "io/output_lock.h"
#include "io/safe_files.h"
#include "run/checkpoint.h"
#include "run/mpi_world.h"

namespace deterrence {

namespace fs = std::filesystem;

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
  const bool smc = options.method != "importance";
  settings.method = smc ? CalibrationMethod::smc : CalibrationMethod::importance;
  if (smc && options.rounds) {
    if (world.root()) fmt::print(stderr, "error: --rounds is for --method importance (sequential Monte Carlo adapts by stages)\n");
    return 2;
  }
  settings.draws = options.draws.value_or(smc ? 2000 : 4000);
  settings.inner = options.inner.value_or(smc ? 100 : 200);
  settings.seed = options.seed.value_or(experiment.seed);
  settings.threads = options.threads;
  settings.hold_out_from = options.hold_out_from;
  settings.hold_out_ids = options.hold_out;
  settings.rounds = options.rounds.value_or(1);
  if (options.cess) settings.cess_fraction = *options.cess;
  if (options.max_moves) settings.max_moves = *options.max_moves;
  if (options.refit_above) settings.refit_above_k = *options.refit_above;
  for (const auto& id : settings.hold_out_ids) {
    const auto cases = experiment.model->cases();
    if (std::none_of(cases.begin(), cases.end(), [&](const CaseSpec& c) { return c.id == id; })) {
      if (world.root()) fmt::print(stderr, "error: --hold-out: no case '{}' in {}\n", id, options.config);
      return 2;
    }
  }
  settings.world = &world;
  const bool quiet = options.quiet || !world.root();
  // --simulate-record: the cases observe what the model itself plays at θ* (simulation-based
  // calibration); the record joins the experiment's identity (checkpoints never mix records).
  std::optional<SimulatedRecord> record;
  std::unique_ptr<Model> recorded_model;
  if (options.simulate_record) {
    record = simulate_record(*experiment.model, options.simulate_seed.value_or(settings.seed + 1), *options.simulate_record,
                             settings.inner);
    recorded_model = with_record(*experiment.model, *record);
    experiment.config_hash = hash_text(fmt::format("{}\nsimulated record: seed {} draw {}\n", experiment.config_hash,
                                                   record->seed, record->draw));
    if (recorded_model->cases().empty()) {
      if (world.root()) fmt::print(stderr, "error: no case met its condition in the simulated record\n");
      return 1;
    }
  }
  const Model& model = recorded_model ? *recorded_model : *experiment.model;
  const std::string out = options.out.empty()
                              ? std::filesystem::path(options.config).stem().string() + ".calibration.h5"
                              : options.out;
  OutputLock lock;
  int code = world.root() ? lock_output(lock, out, options.quiet) : 0;
  if ((code = world.max(code)) != 0) return code;
  // After each round but the last, its state goes to OUT.checkpoint/round-K.h5 (K rounds done):
  // --resume continues from the latest to the same bits; a finished calibration removes it.
  const fs::path folder = out + ".checkpoint";
  if (world.root()) {
    try {
      check_output(out, folder, options.force, options.resume, options.quiet);
      fs::create_directories(folder);
    } catch (const std::exception& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      code = 2;
    }
  }
  if ((code = world.max(code)) != 0) return code;
  std::optional<CalibrationDraws> resume_from;
  std::optional<SmcState> resume_stage;
  const char* const checkpoint_prefix = smc ? "stage-" : "round-";
  try {
    if (options.resume) {
      std::vector<std::string> rounds;
      for (const auto& entry : fs::directory_iterator(folder))
        if (is_own_file(entry.path(), checkpoint_prefix) && entry.path().extension() == ".h5")
          rounds.push_back(entry.path().string());
      std::sort(rounds.begin(), rounds.end());
      if (smc && !rounds.empty()) {
        h5::Handle file = h5::open_file(rounds.back());
        resume_stage = read_smc_checkpoint(file, rounds.back(), experiment.config_hash, settings);
        if (!quiet)
          fmt::print(stderr, "resuming after stage {} (t = {:.4g})\n", resume_stage->stages.size(), resume_stage->t);
      } else if (!rounds.empty()) {
        h5::Handle file = h5::open_file(rounds.back());
        resume_from = read_round_checkpoint(file, rounds.back(), experiment.config_hash, settings);
        if (resume_from->round_ess.size() >= settings.rounds)
          throw std::invalid_argument(fmt::format("cannot resume: {} holds {} rounds, and --rounds asks for {}",
                                                  rounds.back(), resume_from->round_ess.size(), settings.rounds));
        if (!quiet)
          fmt::print(stderr, "resuming after round {} of {}\n", resume_from->round_ess.size(), settings.rounds);
      }
    }
  } catch (const std::exception& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    code = 2;
  }
  if ((code = world.max(code)) != 0) return code;
  const RoundDone save_round = [&](const CalibrationDraws& state) {
    if (!world.root()) return;
    const std::string name = fmt::format("round-{:06}.h5", state.round_ess.size());
    {
      ResultsWriter writer((folder / name).string(), true);
      h5::write_attribute(writer.file(), "filetype", std::string(kFileType));
      write_round_checkpoint(writer.file(), experiment.config_hash, settings, state);
      writer.commit();
    }
    for (const auto& entry : fs::directory_iterator(folder))  // the earlier rounds are superseded
      if (is_own_file(entry.path(), "round-") && entry.path().filename().string() < name) fs::remove(entry.path());
  };
  // SMC: after each stage of the main path, its state to OUT.checkpoint/stage-K.h5.
  SmcHooks hooks;
  hooks.stage_done = [&](const SmcState& state) {
    if (!world.root()) return;
    const std::string name = fmt::format("stage-{:06}.h5", state.stages.size());
    {
      ResultsWriter writer((folder / name).string(), true);
      h5::write_attribute(writer.file(), "filetype", std::string(kFileType));
      write_smc_checkpoint(writer.file(), experiment.config_hash, settings, state);
      writer.commit();
    }
    for (const auto& entry : fs::directory_iterator(folder))
      if (is_own_file(entry.path(), "stage-") && entry.path().filename().string() < name) fs::remove(entry.path());
  };
  if (!quiet) hooks.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  CalibrationDraws draws;
  try {
    if (!quiet)
      fmt::print(stderr, "calibrating on {} cases by {}: {} {} x {} inner plays{}\n", model.cases().size(),
                 smc ? "sequential Monte Carlo" : "importance sampling", settings.draws, smc ? "particles" : "draws",
                 settings.inner, world.size() > 1 ? fmt::format(" on {} MPI ranks", world.size()) : std::string());
    draws = smc ? run_smc_calibration(model, settings, resume_stage ? &*resume_stage : nullptr, hooks)
                : run_calibration(model, settings, resume_from ? &*resume_from : nullptr, save_round);
  } catch (const std::exception& error) {
    if (world.root()) fmt::print(stderr, "error: {}\n", error.what());
    code = 1;
  }
  if ((code = world.max(code)) != 0 || !world.root()) return code;
  try {
    const CalibrationSummary summary = summarise_calibration(model, draws, settings);
    ResultsWriter writer(out, options.force);
    const hid_t file = writer.file();
    write_identity(file, experiment);
    h5::write_attribute(file, "seed", settings.seed);
    h5::write_attribute(file, "draws", settings.draws);
    h5::write_attribute(file, "start_time", start_time);
    h5::write_attribute(file, "end_time", iso_time_now());
    const auto cases = model.cases();
    write_cases(file, cases, model.outputs().find(cases.front().output)->categories);
    write_calibration(file, model.parameters(), settings, draws, summary);
    if (record) write_simulated_record(file, *record, experiment.model->cases(), settings.inner);
    {
      h5::Handle runtime = h5::create_group(file, "runtime");
      h5::write_attribute(runtime, "total_seconds",
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      // Timings stay out of /calibration, whose bits do not depend on the machine.
      if (!draws.stage_seconds.empty())
        h5::write_doubles(runtime, "smc_stage_seconds", draws.stage_seconds, {draws.stage_seconds.size()});
    }
    writer.commit();
    remove_checkpoint(folder);
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
