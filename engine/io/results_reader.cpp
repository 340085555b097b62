#include "io/results_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "io/cases_io.h"
#include "io/inputs_io.h"
#include "io/h5.h"
#include "io/pieces.h"
#include "io/results_writer.h"

namespace deterrence {

namespace fs = std::filesystem;

std::string OutputTable::element_label(std::size_t element) const {
  std::string label;
  if (labels.empty()) return label;
  if (element >= elements) return std::to_string(element);  // past the end of a damaged table
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
  if (elements == 0) throw std::out_of_range("output " + name + " has no elements");
  const std::size_t width = it->second.size() / elements;
  return it->second.at(element * width + column);
}

namespace {

struct StructureWalk {
  std::string path, problem;
  std::vector<std::string> merged_from;
};

// Refuses what could pull other files' bytes into a reader or a merge: external links, soft
// links (the writer makes none), datasets with external storage, and virtual datasets other than
// per-draw records over the shard files the file itself was merged from.
herr_t check_link(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  auto& walk = *static_cast<StructureWalk*>(data);
  if (info->type == H5L_TYPE_EXTERNAL || info->type == H5L_TYPE_SOFT) {
    walk.problem = fmt::format("/{} is a {} link (results files hold none; it could point outside the file)", name,
                               info->type == H5L_TYPE_EXTERNAL ? "external" : "soft");
    return 1;
  }
  if (info->type != H5L_TYPE_HARD) {
    walk.problem = fmt::format("/{} is a link of an unknown kind", name);
    return 1;
  }
  hid_t object = H5I_INVALID_HID;
  H5E_BEGIN_TRY { object = H5Oopen(group, name, H5P_DEFAULT); }
  H5E_END_TRY;
  if (object < 0) {
    walk.problem = fmt::format("/{} cannot be opened", name);
    return 1;
  }
  h5::Handle owner(object, H5Oclose, "open /" + std::string(name));
  if (H5Iget_type(object) != H5I_DATASET) return 0;
  h5::Handle plist(H5Dget_create_plist(object), H5Pclose, "get dataset properties");
  if (H5Pget_external_count(plist) > 0) {
    walk.problem = fmt::format("dataset /{} stores its data in external files", name);
    return 1;
  }
  const std::string path = name;
  if (H5Pget_layout(plist) != H5D_VIRTUAL) {
    // Its type and size, by what the name says it holds (as the writer makes them).
    h5::Handle space(H5Dget_space(object), H5Sclose, "get the dataspace of /" + path);
    h5::Handle type(H5Dget_type(object), H5Tclose, "get the type of /" + path);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || n > (hssize_t{1} << 28)) {
      walk.problem = fmt::format("dataset /{} has {} elements, more than a results file holds", path, n);
      return 1;
    }
    const std::string leaf = path.substr(path.rfind('/') + 1);
    const H5T_class_t c = H5Tget_class(type);
    const bool in_dims = path.rfind("dims/", 0) == 0 || path.find("/dims/") != std::string::npos;
    const bool integer_leaf = leaf == "count" || leaf == "counts" || leaf == "sum_exact" || leaf == "sum_sq_exact" ||
                              leaf == "sketch";
    const bool real_leaf = leaf == "mean" || leaf == "sd" || leaf == "variance" || leaf == "share" || leaf == "min" ||
                           leaf == "max" || leaf == "ci95_half_width" || leaf == "quantiles";
    if (in_dims && c != H5T_STRING) walk.problem = fmt::format("dataset /{} holds no strings (dimension labels)", path);
    if (integer_leaf && c != H5T_INTEGER) walk.problem = fmt::format("dataset /{} holds no integers", path);
    if (real_leaf && c != H5T_FLOAT) walk.problem = fmt::format("dataset /{} holds no floating-point numbers", path);
    return walk.problem.empty() ? 0 : 1;
  }
  const bool records = path.rfind("records/", 0) == 0 ||
                       (path.rfind("points/", 0) == 0 && path.find("/records/") != std::string::npos);
  if (!records) {
    walk.problem = fmt::format("dataset /{} is virtual (only merged per-draw records may be)", name);
    return 1;
  }
  const fs::path folder = fs::absolute(walk.path).parent_path();
  for (const auto& source : h5::virtual_source_files(object)) {
    // merge names its sources relative to the merged file; merged_from names them as given.
    const fs::path resolved = fs::path(source).is_absolute() ? fs::path(source) : folder / source;
    const bool named = std::any_of(walk.merged_from.begin(), walk.merged_from.end(), [&](const std::string& shard) {
      return fs::path(shard).filename() == resolved.filename();
    });
    bool foreign = !named;
    std::error_code error;
    if (named && fs::exists(resolved, error)) {
      // The source must itself be a results file (not any readable file named like a shard).
      hid_t id = H5I_INVALID_HID;
      H5E_BEGIN_TRY { id = H5Fopen(resolved.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
      H5E_END_TRY;
      if (id < 0) {
        foreign = true;
      } else {
        h5::Handle source_file(id, H5Fclose, "open " + resolved.string());
        try {
          foreign = !h5::has_attribute(source_file, "filetype") ||
                    h5::read_string_attribute(source_file, "filetype") != kFileType;
        } catch (const std::exception&) {
          foreign = true;
        }
      }
    }
    if (foreign) {
      walk.problem = fmt::format("virtual dataset /{} reads {}, which is not one of the shard files it was merged from",
                                 name, source.substr(0, 200));
      return 1;
    }
  }
  return 0;
}

// The root attributes every reader relies on: each, where present, a single value of its kind.
void check_root_attributes(hid_t file) {
  for (const char* name : {"filetype", "engine_version", "git_commit", "model", "description", "config", "config_path",
                           "config_hash", "start_time", "end_time", "shard"})
    if (h5::has_attribute(file, name)) h5::read_string_attribute(file, name);
  for (const char* name : {"format_version", "seed", "draws", "first_draw", "total_draws", "chunk_size", "chunk_first",
                           "chunk_end", "threads", "sweep_points"})
    if (h5::has_attribute(file, name)) h5::read_u64_attribute(file, name);
  for (const char* name : {"merged_from", "config_extends", "config_extends_text"})
    if (h5::has_attribute(file, name)) h5::read_strings_attribute(file, name);
}

void check_structure(hid_t file, const std::string& path) {
  check_root_attributes(file);
  StructureWalk walk{path, "", {}};
  if (h5::has_attribute(file, "merged_from")) walk.merged_from = h5::read_strings_attribute(file, "merged_from");
  if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, check_link, &walk) < 0 && walk.problem.empty())
    walk.problem = "its structure cannot be read";
  if (!walk.problem.empty()) throw std::runtime_error(fmt::format("{}: refused: {}", path, walk.problem));
}

}  // namespace

h5::Handle open_results_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("{}: no such file", path));
  hid_t id = H5I_INVALID_HID;
  H5E_BEGIN_TRY { id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  if (id < 0) throw std::runtime_error(fmt::format("{}: not an HDF5 file (or an incomplete one)", path));
  h5::Handle file(id, H5Fclose, "open " + path);
  if (!h5::has_attribute(file, "filetype") || h5::read_string_attribute(file, "filetype") != kFileType)
    throw std::runtime_error(fmt::format("{}: not a deterrence results file (no filetype '{}')", path, kFileType));
  check_structure(file, path);
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
  inputs_ = read_inputs(file);
  if (h5::exists(file, "posterior")) {
    h5::Handle group = h5::open_group(file, "posterior");
    posterior_ = PosteriorInfo{h5::read_string_attribute(group, "calibration_file"),
                               h5::read_string_attribute(group, "parameters"),
                               h5::read_u64_attribute(group, "calibration_draws"),
                               h5::read_double_attribute(group, "effective_sample_size"),
                               h5::read_double_attribute(group, "pareto_k")};
  }
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
  // A calibration or a comparison of calibrations: no outputs of a run.
  if (!h5::exists(file, base + "dims") && (h5::exists(file, "calibration") || h5::exists(file, "comparison"))) return;
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
      // Every index and bound is one value per element and group: a file whose arrays disagree
      // would send the summary past the end of the shorter one.
      const std::size_t values = t.elements * groups.size();
      for (const auto* values_of : {&t.first_order, &t.first_order_low, &t.first_order_high, &t.total, &t.total_low,
                                    &t.total_high})
        if (values_of->size() != values)
          throw std::runtime_error(fmt::format(
              "{}: the Sobol indices of {} do not hold one value per element and group ({} groups, {} first-order "
              "values, {} lower and {} upper bounds, {} total, {} lower and {} upper bounds)",
              path, name, groups.size(), t.first_order.size(), t.first_order_low.size(), t.first_order_high.size(),
              t.total.size(), t.total_low.size(), t.total_high.size()));
      const OutputTable* table = find(name);
      if (table && table->elements != t.elements)
        throw std::runtime_error(fmt::format("{}: the Sobol indices of {} cover {} elements, the output {}", path, name,
                                             t.elements, table->elements));
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
    if (!table) throw std::runtime_error(fmt::format("{}: case {} names output {}, which the file lacks", path_, c.id, c.output));
    std::vector<std::uint64_t> counts;
    for (std::size_t k = 0; k < table->categories.size(); ++k) {
      const double count = table->at("counts", c.element, k);
      if (!(count >= 0.0 && count < 18446744073709551616.0))
        throw std::runtime_error(fmt::format("{}: output {} holds a count no run has ({})", path_, c.output, count));
      counts.push_back(static_cast<std::uint64_t>(count));
    }
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
