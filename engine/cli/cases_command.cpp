#include "cli/cases_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "config/config_error.h"
#include "config/experiment.h"
#include "io/results_reader.h"
#include "run/runner.h"
#include "stats/intervals.h"

namespace deterrence {

namespace fs = std::filesystem;

std::optional<CaseProbability> case_probability(const ResultsFile& results) {
  const std::string output = results.attribute("case_output");
  if (output.empty()) return std::nullopt;
  const OutputTable* table = results.find(output);
  if (!table) return std::nullopt;
  for (std::size_t e = 0; e < table->elements; ++e) {
    if (table->element_label(e) != results.attribute("case_element")) continue;
    const auto it = std::find(table->categories.begin(), table->categories.end(), results.attribute("case_observed"));
    if (it == table->categories.end()) return std::nullopt;
    const std::size_t c = static_cast<std::size_t>(it - table->categories.begin());
    return CaseProbability{table->at("share", e, c), table->at("wilson95_low", e, c), table->at("wilson95_high", e, c)};
  }
  return std::nullopt;
}

CaseScores score_cases(const std::vector<CaseForecast>& cases) {
  CaseScores scores;
  const std::size_t n = cases.size();
  for (std::size_t i = 0; i < n; ++i) {
    const CaseForecast& c = cases[i];
    const std::size_t k = c.categories.size();
    std::uint64_t draws = 0;
    for (auto v : c.counts) draws += v;
    // The model: smoothed for the log score, plain shares for Brier.
    const double p_observed = (static_cast<double>(c.counts[c.observed_index]) + 0.5) /
                              (static_cast<double>(draws) + 0.5 * static_cast<double>(k));
    double brier = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double p = draws ? static_cast<double>(c.counts[j]) / static_cast<double>(draws) : 0.0;
      brier += std::pow(p - (j == c.observed_index ? 1.0 : 0.0), 2);
    }
    // The base rate: how often the other cases ended each way.
    std::vector<double> base(k, 0.5);
    double total = 0.5 * static_cast<double>(k);
    for (std::size_t other = 0; other < n; ++other) {
      if (other == i) continue;
      const auto it = std::find(c.categories.begin(), c.categories.end(), cases[other].observed);
      if (it != c.categories.end()) base[static_cast<std::size_t>(it - c.categories.begin())] += 1.0;
      total += 1.0;
    }
    double base_brier = 0;
    for (std::size_t j = 0; j < k; ++j) base_brier += std::pow(base[j] / total - (j == c.observed_index ? 1.0 : 0.0), 2);
    scores.case_model_log.push_back(-std::log(p_observed));
    scores.case_base_log.push_back(-std::log(base[c.observed_index] / total));
    scores.case_model_brier.push_back(brier);
    scores.case_base_brier.push_back(base_brier);
  }
  const auto mean = [&](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? std::nan("") : s / static_cast<double>(v.size());
  };
  scores.model_log = mean(scores.case_model_log);
  scores.base_log = mean(scores.case_base_log);
  scores.model_brier = mean(scores.case_model_brier);
  scores.base_brier = mean(scores.case_base_brier);
  return scores;
}

int cases_command(const CasesCommandOptions& options) {
  if (!fs::is_directory(options.folder)) {
    fmt::print(stderr, "error: {} is not a folder\n", options.folder);
    return 2;
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(options.folder))
    if (entry.is_regular_file() && (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    fmt::print(stderr, "error: no case configs (*.yaml) in {}\n", options.folder);
    return 2;
  }
  std::vector<CaseForecast> forecasts;
  try {
    for (const auto& file : files) {
      Experiment e = load_experiment(file);
      if (!e.case_spec) throw ConfigError(fmt::format("{}: no 'case' section (every file in a cases folder is a case)", file));
      if (options.draws) e.draws = *options.draws;
      RunStatistics totals(e.model->outputs());
      RunSettings settings;
      settings.draw_count = e.draws;
      settings.seed = e.seed;
      settings.chunk_size = e.chunk_size;
      settings.threads = options.threads;
      run_draws(*e.model, settings, totals, nullptr, nullptr);
      const OutputSpec* spec = e.model->outputs().find(e.case_spec->output);
      const auto counts = totals.category_counts(spec->offset + e.case_spec->element_index);
      CaseForecast f;
      f.file = fs::path(file).filename().string();
      f.name = e.case_spec->name.empty() ? f.file : e.case_spec->name;
      f.observed = e.case_spec->observed;
      f.categories = spec->categories;
      f.counts.assign(counts.begin(), counts.end());
      f.observed_index = e.case_spec->observed_index;
      forecasts.push_back(std::move(f));
    }
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
  const CaseScores s = score_cases(forecasts);
  if (options.csv) {
    fmt::print("case,file,observed,p_observed,model_log_score,base_log_score,model_brier,base_brier\n");
    for (std::size_t i = 0; i < forecasts.size(); ++i) {
      const auto& f = forecasts[i];
      std::uint64_t n = 0;
      for (auto v : f.counts) n += v;
      fmt::print("\"{}\",{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", f.name, f.file, f.observed,
                 static_cast<double>(f.counts[f.observed_index]) / static_cast<double>(n), s.case_model_log[i],
                 s.case_base_log[i], s.case_model_brier[i], s.case_base_brier[i]);
    }
    return 0;
  }
  fmt::print("{:<44} {:<16} {:>20} {:>9} {:>9} {:>8} {:>8}\n", "case", "observed", "P(observed) [95%]", "log", "log base",
             "Brier", "B. base");
  for (std::size_t i = 0; i < forecasts.size(); ++i) {
    const auto& f = forecasts[i];
    std::uint64_t n = 0;
    for (auto v : f.counts) n += v;
    const auto [low, high] = wilson_interval(f.counts[f.observed_index], n);
    fmt::print("{:<44} {:<16} {:>6.3f} [{:.3f}, {:.3f}] {:>9.3f} {:>9.3f} {:>8.3f} {:>8.3f}\n", f.name.substr(0, 44),
               f.observed, static_cast<double>(f.counts[f.observed_index]) / static_cast<double>(n), low, high,
               s.case_model_log[i], s.case_base_log[i], s.case_model_brier[i], s.case_base_brier[i]);
  }
  fmt::print("\nmean over {} cases: log score {:.3f} (base rate {:.3f}), Brier {:.3f} (base rate {:.3f}); lower is "
             "better.\nskill against the base rate: log {:+.3f}, Brier {:+.3f} (positive: the model forecasts better)\n",
             forecasts.size(), s.model_log, s.base_log, s.model_brier, s.base_brier, 1.0 - s.model_log / s.base_log,
             1.0 - s.model_brier / s.base_brier);
  fmt::print("(log score -ln p with +1/2 smoothing; base rate: the other cases' observed outcomes, leave-one-out)\n");
  return 0;
}

}  // namespace deterrence
