#include "io/results_reader.h"

#include <fmt/format.h>

#include <filesystem>

#include "io/cases_io.h"
#include "io/h5.h"
#include "io/pieces.h"
#include "io/results_writer.h"

namespace deterrence {

std::string OutputTable::element_label(std::size_t element) const {
  std::string label;
  std::size_t stride = elements;
  for (std::size_t d = 0; d < labels.size(); ++d) {
    stride /= labels[d].size();
    const std::size_t index = (element / stride) % labels[d].size();
    label += (label.empty() ? "" : "/") + labels[d][index];
  }
  return label;
}

double OutputTable::at(const std::string& statistic, std::size_t element, std::size_t column) const {
  auto it = values.find(statistic);
  if (it == values.end()) throw std::out_of_range("no statistic '" + statistic + "' in output " + name);
  const std::size_t width = it->second.size() / elements;
  return it->second.at(element * width + column);
}

h5::Handle open_results_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("{}: no such file", path));
  hid_t id = H5I_INVALID_HID;
  H5E_BEGIN_TRY { id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  if (id < 0) throw std::runtime_error(fmt::format("{}: not an HDF5 file (or an incomplete one)", path));
  h5::Handle file(id, H5Fclose, "open " + path);
  if (!h5::has_attribute(file, "filetype") || h5::read_string_attribute(file, "filetype") != kFileType)
    throw std::runtime_error(fmt::format("{}: not a deterrence results file (no filetype '{}')", path, kFileType));
  return file;
}

ResultsFile::ResultsFile(const std::string& path, std::size_t point) : path_(path), point_(point) {
  h5::Handle file = open_results_file(path);
  for (const char* name : {"filetype", "engine_version", "git_commit", "model", "description", "config",
                           "config_path", "config_hash", "start_time", "end_time", "shard"})
    if (h5::has_attribute(file, name)) strings_[name] = h5::read_string_attribute(file, name);
  for (const char* name : {"format_version", "seed", "draws", "first_draw", "chunk_size", "threads", "total_draws",
                           "chunk_first", "chunk_end"})
    if (h5::has_attribute(file, name)) counts_[name] = h5::read_u64_attribute(file, name);

  check_record_sources(file, path);
  if (h5::has_attribute(file, "merged_from")) merged_from_ = h5::read_strings_attribute(file, "merged_from").size();
  std::string base = "/";
  if (h5::exists(file, "sweep")) {
    h5::Handle sweep = h5::open_group(file, "sweep");
    sweep_keys_ = h5::read_strings(sweep, "keys");
    const auto values = h5::read_strings(sweep, "values");
    for (std::size_t k = 0; k * sweep_keys_.size() < values.size(); ++k)
      sweep_values_.emplace_back(values.begin() + static_cast<long>(k * sweep_keys_.size()),
                                 values.begin() + static_cast<long>((k + 1) * sweep_keys_.size()));
    if (point >= sweep_values_.size())
      throw std::runtime_error(fmt::format("{}: no sweep point {} (the sweep has {})", path, point, sweep_values_.size()));
    base = fmt::format("/points/{:06}/", point);
  } else if (point != 0) {
    throw std::runtime_error(fmt::format("{}: not a sweep, so no point {}", path, point));
  }
  h5::Handle dims = h5::open_group(file, base + "dims");
  h5::Handle outputs = h5::open_group(file, base + "outputs");
  for (const auto& name : h5::children(outputs)) {
    h5::Handle group = h5::open_group(outputs, name);
    OutputTable table;
    table.name = name;
    table.kind = h5::read_string_attribute(group, "kind");
    table.description = h5::read_string_attribute(group, "description");
    table.dims = h5::read_strings_attribute(group, "dims");
    for (const auto& d : table.dims) {
      table.labels.push_back(h5::read_strings(dims, d));
      table.elements *= table.labels.back().size();
    }
    if (table.kind == "categorical") {
      table.categories = h5::read_strings_attribute(group, "categories");
      for (const char* s : {"share", "wilson95_low", "wilson95_high"}) table.values[s] = h5::read_doubles(group, s);
      const auto counts = h5::read_u64(group, "counts");
      table.values["counts"] = std::vector<double>(counts.begin(), counts.end());
    } else {
      for (const char* s : {"mean", "variance", "sd", "ci95_half_width", "min", "max"})
        table.values[s] = h5::read_doubles(group, s);
      const auto counts = h5::read_u64(group, "count");
      table.values["count"] = std::vector<double>(counts.begin(), counts.end());
      if (h5::exists(group, "quantiles")) {
        table.values["quantiles"] = h5::read_doubles(group, "quantiles");
        table.quantile_levels = h5::read_doubles(group, "quantile_levels");
      }
    }
    outputs_.push_back(std::move(table));
  }
  if (h5::exists(file, "cases")) {
    // Cases are read against the output they name (sweeps store their cases per file, not per point).
    const OutputTable* outcome = nullptr;
    for (const auto& o : outputs_)
      if (o.kind == "categorical") outcome = outcome ? outcome : &o;
    if (outcome) cases_ = read_cases(file, outcome->categories);
    for (const auto& c : cases_) {
      const OutputTable* table = find(c.output);
      if (!table || table->kind != "categorical" || c.element >= table->elements)
        throw std::runtime_error(fmt::format("{}: case {} names an output element the file does not have", path, c.id));
    }
  }
  if (h5::exists(file, "sensitivity")) {
    h5::Handle root = h5::open_group(file, "sensitivity");
    const auto groups = h5::read_strings(root, "groups");
    for (const auto& name : h5::children(root)) {
      if (name == "groups" || name == "group_members" || name == "sums_exact") continue;
      h5::Handle g = h5::open_group(root, name);
      SensitivityTable t;
      t.output = name;
      t.groups = groups;
      t.first_order = h5::read_doubles(g, "first_order");
      t.first_order_low = h5::read_doubles(g, "first_order_low");
      t.first_order_high = h5::read_doubles(g, "first_order_high");
      t.total = h5::read_doubles(g, "total");
      t.total_low = h5::read_doubles(g, "total_low");
      t.total_high = h5::read_doubles(g, "total_high");
      t.elements = groups.empty() ? 0 : t.first_order.size() / groups.size();
      sensitivity_.push_back(std::move(t));
    }
  }
}

std::string ResultsFile::attribute(const std::string& name) const {
  auto it = strings_.find(name);
  return it == strings_.end() ? "" : it->second;
}

std::uint64_t ResultsFile::count_attribute(const std::string& name) const {
  auto it = counts_.find(name);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<CaseForecast> ResultsFile::case_forecasts() const {
  std::vector<CaseForecast> forecasts;
  for (const auto& c : cases_) {
    const OutputTable* table = find(c.output);
    std::vector<std::uint64_t> counts;
    for (std::size_t k = 0; k < table->categories.size(); ++k)
      counts.push_back(static_cast<std::uint64_t>(table->at("counts", c.element, k)));
    forecasts.push_back(forecast_case(c, counts));
  }
  return forecasts;
}

const OutputTable* ResultsFile::find(const std::string& name) const {
  for (const auto& o : outputs_)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace deterrence
