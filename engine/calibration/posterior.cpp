#include "calibration/posterior.h"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "config/config_error.h"
#include "config/experiment.h"
#include "io/inputs_io.h"
#include "io/metadata_digest.h"
#include "io/results_reader.h"

namespace deterrence {

namespace {

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// Each data file both read, by file name, must hold the same bytes.
void check_data(const Experiment& e, const std::vector<InputFile>& calibration_inputs, const std::string& path) {
  for (const auto& mine : e.inputs) {
    if (mine.role != "data") continue;
    for (const auto& theirs : calibration_inputs)
      if (theirs.role == "data" && file_name(theirs.path) == file_name(mine.path) && theirs.sha256 != mine.sha256)
        throw ConfigError(fmt::format("{}: was calibrated on other data: {} differs from the {} it read (SHA-256 {}… "
                                      "against {}…); calibrate again on this data",
                                      path, mine.path, theirs.path, theirs.sha256.substr(0, 12),
                                      mine.sha256.substr(0, 12)));
  }
}

}  // namespace

void attach_posterior(Experiment& e, const std::string& path) {
  h5::Handle file;
  try {
    file = open_results_file(path);
    verify_metadata(file, path);  // the posterior's figures as the calibration wrote them
    verify_objects(file, path);
  } catch (const std::exception& error) {
    throw ConfigError(fmt::format("--posterior {}", error.what()));
  }
  if (!h5::exists(file, "calibration"))
    throw ConfigError(fmt::format("{}: not a calibration (no /calibration; `deterrence calibrate` writes one)", path));
  h5::Handle group = h5::open_group(file, "calibration");
  const std::string model = h5::read_string_attribute(file, "model");
  if (model != e.model_name)
    throw ConfigError(fmt::format("{}: calibrates model {}, not {}", path, model, e.model_name));
  const std::uint64_t seed = h5::read_u64_attribute(file, "seed");
  if (seed != e.seed)
    throw ConfigError(fmt::format("{}: was calibrated with seed {}, this run has seed {} (give --seed {}, or calibrate "
                                  "with this seed)",
                                  path, seed, e.seed, seed));
  if (!h5::exists(group, "prior_distribution"))
    throw ConfigError(fmt::format("{}: made by an engine that did not record the priors it calibrated; calibrate again",
                                  path));
  const auto names = h5::read_strings(group, "parameter");
  const auto priors = h5::read_strings(group, "prior_distribution");
  const ParameterSpace& space = e.model->parameters();
  const auto globals = e.model->calibration_parameters();
  if (names.size() != priors.size())
    throw ConfigError(fmt::format("{}: /calibration/parameter and prior_distribution differ in length", path));
  std::vector<std::size_t> columns;
  for (std::size_t g = 0; g < names.size(); ++g) {
    std::size_t index = 0;
    while (index < space.size() && space[index].name != names[g]) ++index;
    if (index == space.size())
      throw ConfigError(fmt::format("{}: calibrates parameter {}, which this experiment does not have", path, names[g]));
    if (space[index].distribution.describe() != priors[g])
      throw ConfigError(fmt::format("{}: was calibrated with another prior for {}: {} there, {} here", path, names[g],
                                    priors[g], space[index].distribution.describe()));
    columns.push_back(index);
  }
  for (const std::size_t index : globals)
    if (std::find(columns.begin(), columns.end(), index) == columns.end())
      throw ConfigError(fmt::format("{}: does not calibrate {}, a global parameter of this experiment", path,
                                    space[index].name));
  // A parameter resampled while its copula partners are drawn fresh would lose its correlation.
  for (const auto& copula : space.copulas()) {
    std::size_t inside = 0;
    for (const std::size_t m : copula.members) inside += std::count(columns.begin(), columns.end(), m);
    if (inside != 0 && inside != copula.members.size())
      throw ConfigError(fmt::format("{}: calibrates part of a copula group (with {}); a posterior run needs the whole "
                                    "group calibrated or none of it",
                                    path, space[copula.members.front()].name));
  }
  check_data(e, read_inputs(file), path);

  const std::vector<double> theta = h5::read_doubles(group, "theta");
  const std::vector<double> weights = h5::read_doubles(group, "weight");
  if (theta.size() != weights.size() * names.size())
    throw ConfigError(fmt::format("{}: /calibration/theta does not hold one row of {} per weight", path, names.size()));
  const auto resampled = [&] {
    try {
      return ResampledParameters(columns, theta, weights);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(fmt::format("{}: {}", path, error.what()));
    }
  };
  auto source = std::make_shared<PosteriorSource>(resampled());
  source->path = std::filesystem::absolute(path).string();
  try {
    source->sha256 = sha256_of_file(path);
  } catch (const std::runtime_error& error) {
    throw ConfigError(error.what());
  }
  source->calibration_draws = weights.size();
  source->inner_plays = h5::read_u64_attribute(group, "inner_plays");
  source->rounds = h5::read_u64_attribute(group, "rounds");
  source->effective_sample_size = source->draws.effective_sample_size();
  source->pareto_k = h5::read_double_attribute(group, "pareto_k");
  source->mean_loo_log_score = h5::read_double_attribute(group, "mean_loo_log_score");
  source->mean_base_log_score = h5::read_double_attribute(group, "mean_base_log_score");
  source->parameters = fmt::format("{}", fmt::join(names, ", "));
  e.config_hash = sha256_hex(e.config_hash + "\nposterior " + source->sha256 + "\n");
  e.posterior = std::move(source);
}

void write_posterior(hid_t file, const PosteriorSource& p) {
  h5::Handle group = h5::create_group(file, "posterior");
  h5::write_attribute(group, "description",
                      std::string("every draw's global parameters were taken from one of the calibration's weighted "
                                  "draws, picked with probability equal to its weight (sampling-importance-"
                                  "resampling); the other parameters from their priors. Intervals are Monte Carlo "
                                  "error given those draws; effective_sample_size says how many distinct worlds "
                                  "stand behind them"));
  h5::write_attribute(group, "calibration_file", p.path);
  h5::write_attribute(group, "calibration_sha256", p.sha256);
  h5::write_attribute(group, "calibration_draws", p.calibration_draws);
  h5::write_attribute(group, "inner_plays", p.inner_plays);
  h5::write_attribute(group, "rounds", p.rounds);
  h5::write_attribute(group, "effective_sample_size", p.effective_sample_size);
  h5::write_attribute(group, "pareto_k", p.pareto_k);
  h5::write_attribute(group, "parameters", p.parameters);
  h5::write_attribute(group, "mean_loo_log_score", p.mean_loo_log_score);
  h5::write_attribute(group, "mean_base_log_score", p.mean_base_log_score);
}

}  // namespace deterrence
