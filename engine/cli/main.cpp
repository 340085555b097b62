// The deterrence command line: run, validate, summary.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <hdf5.h>

#include "cli/run_command.h"
#include "cli/summary.h"
#include "version.h"

int main(int argc, char** argv) {
  using namespace deterrence;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report HDF5 failures ourselves

  CLI::App app{"deterrence: Monte Carlo experiments on economic coercion and collective deterrence"};
  app.set_version_flag("--version", fmt::format("deterrence {} ({})", kEngineVersion, kGitCommit));
  app.require_subcommand(1);

  RunCommandOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the experiment a config file describes and write an HDF5 file");
  run_cmd->add_option("config", run.config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--draws", run.draws, "Number of draws (overrides the config)")->check(CLI::PositiveNumber);
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides the config)");
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--out", run.out, "Results file (default: <config name>.h5)");
  run_cmd->add_flag("--force", run.force, "Overwrite an existing results file");
  run_cmd->add_flag("--quiet", run.quiet, "No progress output");

  std::string validate_config;
  auto* validate_cmd = app.add_subcommand("validate", "Check a config file without running it");
  validate_cmd->add_option("config", validate_config, "Experiment config (YAML)")->required()->check(CLI::ExistingFile);

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

  if (*run_cmd) return run_command(run);
  if (*validate_cmd) return validate_command(validate_config);
  if (*summary_cmd) {
    try {
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
