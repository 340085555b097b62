// The deterrence command line: run, validate, merge, summary, cases, sensitivity.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <hdf5.h>

#include <cmath>
#include <string>

#include "cli/calibrate_command.h"
#include "cli/compare_command.h"
#include "config_schema.h"
#include "cli/cases_command.h"
#include "cli/inputs_command.h"
#include "cli/merge_command.h"
#include "cli/run_command.h"
#include "cli/sensitivity_command.h"
#include "cli/show_command.h"
#include "cli/verify_command.h"
#include "run/interrupt.h"
#include "run/mpi_world.h"
#include "cli/summary.h"
#include "version.h"

namespace {

// Command-line numbers obey the config's limits: a count is an integer in [min, 2^63 - 1] (what
// a config's draws and seed accept), never clamped; a duration is a finite number > 0.
CLI::Validator count_at_least(unsigned long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return fmt::format("'{}' is not a whole number", text.substr(0, 40));
        const std::string digits = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
        const std::string largest = "9223372036854775807";
        if (digits.size() > largest.size() || (digits.size() == largest.size() && digits > largest))
          return fmt::format("{} overflows: the largest accepted is {} (as in a config)", text.substr(0, 40), largest);
        if (std::stoull(digits) < min) return fmt::format("{} is below {}", digits, min);
        return "";
      },
      fmt::format("INTEGER >= {}", min));
}

const CLI::Validator kPositiveSeconds(
    [](std::string& text) -> std::string {
      try {
        std::size_t used = 0;
        const double value = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(value) || value <= 0.0)
          return fmt::format("'{}' is not a finite number of seconds > 0", text.substr(0, 40));
      } catch (const std::exception&) {
        return fmt::format("'{}' is not a number of seconds", text.substr(0, 40));
      }
      return "";
    },
    "SECONDS > 0");

}  // namespace

int main(int argc, char** argv) {
  using namespace deterrence;
  // Every file is closed explicitly (and its close checked); HDF5's own clean-up at exit would
  // touch a file whose close failed (a full disk) and crash in H5F__close_cb.
  H5dont_atexit();
  // A file-size limit (ulimit -f) then fails the write with EFBIG and a message, not a silent kill.
  signal(SIGXFSZ, SIG_IGN);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report HDF5 failures ourselves

  CLI::App app{"deterrence: Monte Carlo experiments on economic coercion and collective deterrence"};
  app.set_version_flag("--version", fmt::format("deterrence {} ({})", kEngineVersion, kGitCommit));
  app.require_subcommand(1);

  RunCommandOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the experiment a config file describes and write an HDF5 file");
  run_cmd->add_option("config", run.config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--draws", run.draws, "Number of draws (overrides the config)")->check(count_at_least(1));
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides the config)")->check(count_at_least(0));
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--out", run.out, "Results file (default: <config name>.h5)");
  run_cmd->add_flag("--force", run.force, "Overwrite an existing results file");
  run_cmd->add_flag("--quiet", run.quiet, "No progress output");
  run_cmd->add_option("--shard", run.shard, "Run only shard I of N (I/N, 1-based): contiguous whole chunks");
  run_cmd->add_option("--until", run.until,
                      "Stop when OUTPUT[/ELEMENT]'s 95% half-width <= VALUE (repeatable; draws is the cap)");
  run_cmd->add_option("--posterior", run.posterior,
                      "Play on a calibration's posterior: every draw's global parameters resampled from CALIB.h5's "
                      "weighted draws (same model, seed, priors and data; README \"Calibration\")")
      ->check(CLI::ExistingFile);
  run_cmd->add_flag("--resume", run.resume, "Continue an interrupted run from its checkpoint (<out>.checkpoint)");
  run_cmd->add_option("--checkpoint-every", run.checkpoint_seconds, "Seconds between checkpoints (default 60)")
      ->check(kPositiveSeconds);
  run_cmd->footer(fmt::format("Exit codes: 0 done, 1 failed, 2 bad input, {} stopped by SIGTERM/SIGINT/SIGUSR1 after a "
                              "checkpoint (continue with --resume).",
                              kExitInterrupted));

  MergeCommandOptions merge;
  auto* merge_cmd = app.add_subcommand("merge", "Merge shard files into one results file, exactly");
  merge_cmd->add_option("shards", merge.shards, "Shard files (any order)")->required();
  merge_cmd->add_option("--out", merge.out, "Merged results file")->required();
  merge_cmd->add_flag("--copy", merge.copy, "Copy per-draw records (default: a virtual dataset over the shards)");
  merge_cmd->add_flag("--force", merge.force, "Overwrite an existing merged file");
  merge_cmd->add_flag("--quiet", merge.quiet, "No message on success");

  CasesCommandOptions cases;
  auto* cases_cmd = app.add_subcommand("cases", "Play a case library and score its forecasts against a base rate");
  cases_cmd->add_option("config", cases.config, "A config whose model_options name a case library")->required()->check(CLI::ExistingFile);
  cases_cmd->add_option("--draws", cases.draws, "Draws (overrides the config)")->check(count_at_least(1));
  cases_cmd->add_option("--threads", cases.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cases_cmd->add_flag("--csv", cases.csv, "One CSV row per case");
  cases_cmd->add_option("--posterior", cases.posterior, "Score on a calibration's posterior (in sample)")
      ->check(CLI::ExistingFile);

  SensitivityCommandOptions sens;
  auto* sens_cmd = app.add_subcommand("sensitivity", "Grouped first-order and total Sobol indices (Saltelli design)");
  sens_cmd->add_option("config", sens.config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);
  sens_cmd->add_option("--rows", sens.rows, "Rows N of the design (N x (groups + 2) evaluations; default 4096)")
      ->check(CLI::PositiveNumber);
  sens_cmd->add_option("--outputs", sens.outputs, "Real outputs to analyse (default: the model's choice)")->delimiter(',');
  sens_cmd->add_flag("--by-parameter", sens.by_parameter, "One index per parameter instead of per group");
  sens_cmd->add_option("--bootstrap", sens.bootstrap, "Bootstrap replicates for the intervals (default 100)")
      ->check(CLI::Range(10, 2000));
  sens_cmd->add_option("--seed", sens.seed, "Random seed (overrides the config)")->check(count_at_least(0));
  sens_cmd->add_option("--threads", sens.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  sens_cmd->add_option("--out", sens.out, "Results file (default: <config name>.sensitivity.h5)");
  sens_cmd->add_option("--shard", sens.shard, "Only shard I of N of the rows (merge the files with deterrence merge)");
  sens_cmd->add_flag("--force", sens.force, "Overwrite an existing results file");
  sens_cmd->add_flag("--quiet", sens.quiet, "No progress output");

  CalibrateCommandOptions calib;
  auto* calib_cmd = app.add_subcommand("calibrate", "Condition the global parameters on the historical cases");
  calib_cmd->add_option("config", calib.config, "A config whose model declares cases (e.g. configs/experiments/cases.yaml)")
      ->required()
      ->check(CLI::ExistingFile);
  calib_cmd->add_option("--method", calib.method,
                        "smc: tempered sequential Monte Carlo (default); importance: (adaptive) importance sampling")
      ->check(CLI::IsMember({"smc", "importance"}));
  calib_cmd->add_option("--draws", calib.draws,
                        "Particles (smc, default 2000) or prior draws (importance, default 4000) of the global parameters")
      ->check(count_at_least(2));
  calib_cmd->add_option("--inner", calib.inner, "Inner plays per likelihood estimate (default: smc 100, importance 200)")
      ->check(count_at_least(1));
  calib_cmd->add_option("--cess", calib.cess, "smc: the conditional ESS each stage keeps, a share of the particles (default 0.5)")
      ->check(CLI::Range(0.05, 0.99));
  calib_cmd->add_option("--max-moves", calib.max_moves, "smc: Metropolis-Hastings sweeps per stage at most (default 30)")
      ->check(CLI::Range(1, 1000));
  calib_cmd->add_option("--refit-above", calib.refit_above,
                        "smc: exact leave-one-out for cases whose PSIS k is above this (default 0.7; 1e9: PSIS only)")
      ->check(CLI::Range(0.0, 1e9));
  calib_cmd->add_option("--seed", calib.seed, "Random seed (default: the config's)")->check(count_at_least(0));
  calib_cmd->add_option("--rounds", calib.rounds, "Adaptive importance sampling rounds (default 1: the prior)")
      ->check(CLI::Range(1, 50));
  calib_cmd->add_option("--hold-out-from", calib.hold_out_from, "Fit on cases before this year, score the later ones")
      ->check(CLI::Range(1900, 2100));
  calib_cmd->add_option("--hold-out", calib.hold_out, "Fit without these cases (ids, comma-separated), score them")
      ->delimiter(',');
  calib_cmd->add_option("--threads", calib.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  calib_cmd->add_option("--out", calib.out, "Results file (default: <config name>.calibration.h5)");
  calib_cmd->add_flag("--force", calib.force, "Overwrite an existing results file");
  calib_cmd->add_flag("--quiet", calib.quiet, "No output but errors");
  calib_cmd->add_option("--simulate-record", calib.simulate_record,
                        "Simulation-based calibration: calibrate on the record the model plays at prior draw N")
      ->check(count_at_least(0));
  calib_cmd->add_option("--simulate-seed", calib.simulate_seed,
                        "Seed of the simulated record's draw (default: the calibration's seed + 1)")
      ->check(count_at_least(0));
  calib_cmd->add_flag("--resume", calib.resume,
                      "Continue an interrupted calibration after its last completed stage or round (<out>.checkpoint)");

  CompareCommandOptions compare;
  auto* compare_cmd = app.add_subcommand(
      "compare", "Compare calibrations of nested models on the same cases: elpd, differences, stacking weights");
  compare_cmd->add_option("calibrations", compare.calibrations, "Calibration files (deterrence calibrate), two or more")
      ->required()
      ->check(CLI::ExistingFile);
  compare_cmd->add_option("--out", compare.out, "Results file (default: comparison.h5)");
  compare_cmd->add_flag("--force", compare.force, "Overwrite an existing results file");
  compare_cmd->add_flag("--quiet", compare.quiet, "No output but errors");

  InputsCommandOptions inputs;
  auto* inputs_cmd = app.add_subcommand("inputs", "List the inputs a results file recorded, or write them back");
  inputs_cmd->add_option("file", inputs.file, "Results file (HDF5)")->required()->check(CLI::ExistingFile);
  inputs_cmd->add_option("--extract", inputs.extract, "Write every input under this folder (never over a file)");

  std::vector<std::string> verify_files;
  auto* verify_cmd = app.add_subcommand("verify", "Check results files: checksums, counts and every statistic");
  verify_cmd->add_option("files", verify_files, "Results files (HDF5)")->required()->check(CLI::ExistingFile);

  std::string show_config;
  bool show_origins = false;
  auto* show_cmd = app.add_subcommand("show", "Print a config as read, with every extends: applied");
  show_cmd->add_option("config", show_config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);
  show_cmd->add_flag("--origins", show_origins, "One line per setting, with the file that set it");

  std::string validate_config;
  bool validate_keys = false;
  auto* validate_cmd = app.add_subcommand("validate", "Check a config file without running it");
  validate_cmd->add_option("config", validate_config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);
  validate_cmd->add_flag("--keys", validate_keys,
                         "List every key path the reader accepted (asked for) in this config, one per line");

  auto* schema_cmd = app.add_subcommand("schema", "Print the config format as a JSON Schema (for editors and CI)");

  std::string summary_file;
  bool csv = false, json = false;
  auto* summary_cmd = app.add_subcommand("summary", "Print the statistics in a results file");
  summary_cmd->add_option("file", summary_file, "Results file (HDF5)")->required()->check(CLI::ExistingFile);
  auto* csv_flag = summary_cmd->add_flag("--csv", csv, "Every statistic as CSV");
  summary_cmd->add_flag("--json", json, "Every statistic as JSON")->excludes(csv_flag);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  if (*run_cmd) {
    try {
      const World world(&argc, &argv);
      return run_command(run, world);
    } catch (const std::runtime_error& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      return 2;
    }
  }
  if (*validate_cmd) return validate_command(validate_config, validate_keys);
  if (*schema_cmd) {
    fmt::print("{}", kConfigSchema);
    return 0;
  }
  if (*inputs_cmd) return inputs_command(inputs);
  if (*show_cmd) return show_command(show_config, show_origins);
  if (*verify_cmd) return verify_command(verify_files);
  if (*calib_cmd) {
    try {
      const World world(&argc, &argv);
      return calibrate_command(calib, world);
    } catch (const std::runtime_error& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      return 2;
    }
  }
  if (*compare_cmd) return compare_command(compare);
  if (*merge_cmd) return merge_command(merge);
  if (*cases_cmd) return cases_command(cases);
  if (*sens_cmd) {
    try {
      const World world(&argc, &argv);
      return sensitivity_command(sens, world);
    } catch (const std::runtime_error& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      return 2;
    }
  }
  if (*summary_cmd) {
    try {
      verify_results_file(summary_file);  // a file whose statistics were altered is refused, not shown
      const ResultsFile results(summary_file);
      print_summary(results, csv ? SummaryFormat::csv : json ? SummaryFormat::json : SummaryFormat::table, stdout);
      return 0;
    } catch (const std::exception& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      return 1;
    }
  }
  return 2;
}
