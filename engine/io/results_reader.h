#pragma once
// Reads a results file back: its attributes and every output's statistics, without the caller
// knowing the HDF5 layout. Used by `deterrence summary`, by merges and by the tests.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/input_log.h"
#include "io/h5.h"
#include "model/case_spec.h"
#include "stats/case_forecast.h"

namespace deterrence {

struct OutputTable {
  std::string name, kind, description;
  std::vector<std::string> dims;
  std::vector<std::vector<std::string>> labels;  // per dim
  std::vector<std::string> categories;           // categorical only
  std::size_t elements = 1;
  // Per-element statistics by dataset name (mean, sd, ci95_half_width, min, max, count;
  // share, wilson95_low, wilson95_high, counts: elements x categories; quantiles:
  // elements x levels).
  std::map<std::string, std::vector<double>> values;
  std::vector<double> quantile_levels;

  std::string element_label(std::size_t element) const;  // "status_quo/JPN:taiwan"
  double at(const std::string& statistic, std::size_t element, std::size_t column = 0) const;
};

// Sobol indices of one output (`deterrence sensitivity`): per element and group.
struct SensitivityTable {
  std::string output;
  std::vector<std::string> groups;
  std::size_t elements = 1;
  std::vector<double> first_order, first_order_low, first_order_high, total, total_low, total_high;  // [element, group]
};

// Opens a results file read-only. Throws std::runtime_error naming `path` when it is missing,
// not HDF5 (or cut short), or not a deterrence results file.
h5::Handle open_results_file(const std::string& path);

// A run played on a calibration's posterior (/posterior; `run --posterior`).
struct PosteriorInfo {
  std::string calibration_file, parameters;
  std::uint64_t calibration_draws = 0;
  double effective_sample_size = 0, pareto_k = 0;
};

class ResultsFile {
 public:
  // Throws std::runtime_error if the file is missing or is not a deterrence results file.
  // A sweep file's statistics are per point: `point` selects one (default: the first).
  explicit ResultsFile(const std::string& path, std::size_t point = 0);
  const std::string& path() const { return path_; }
  std::string attribute(const std::string& name) const;  // string attributes
  std::uint64_t count_attribute(const std::string& name) const;
  const std::vector<OutputTable>& outputs() const { return outputs_; }
  const OutputTable* find(const std::string& name) const;
  std::size_t merged_from() const { return merged_from_; }  // shard files merged into this one (0: a run)
  // Sweeps: the swept keys and, per point, their values as YAML text (empty for a plain run).
  const std::vector<std::string>& sweep_keys() const { return sweep_keys_; }
  const std::vector<std::vector<std::string>>& sweep_values() const { return sweep_values_; }
  std::size_t point() const { return point_; }
  const std::vector<SensitivityTable>& sensitivity() const { return sensitivity_; }
  // Historical cases the run played (/cases), and their forecasts from the stored counts.
  const std::vector<CaseSpec>& cases() const { return cases_; }
  // The files the run read (/inputs), checked against their stored SHA-256.
  const std::vector<InputFile>& inputs() const { return inputs_; }
  // Set when the run played on a calibration's posterior.
  const std::optional<PosteriorInfo>& posterior() const { return posterior_; }
  std::vector<CaseForecast> case_forecasts() const;

 private:
  std::string path_;
  std::map<std::string, std::string> strings_;
  std::map<std::string, std::uint64_t> counts_;
  std::vector<OutputTable> outputs_;
  std::size_t merged_from_ = 0;
  std::vector<std::string> sweep_keys_;
  std::vector<std::vector<std::string>> sweep_values_;
  std::size_t point_ = 0;
  std::vector<SensitivityTable> sensitivity_;
  std::vector<CaseSpec> cases_;
  std::vector<InputFile> inputs_;
  std::optional<PosteriorInfo> posterior_;
};

}  // namespace deterrence
