#include "io/statistics_io.h"

#include <fmt/format.h>

#include "config/input_log.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <algorithm>
#include <limits>
#include <optional>

#include "io/h5.h"
#include "stats/intervals.h"
#include "stats/quantile_sketch.h"

namespace deterrence {

const std::vector<double> kQuantileLevels = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};

void write_dims(hid_t file, const OutputLayout& layout) {
  h5::Handle dims = h5::create_group(file, "dims");
  std::vector<std::string> written;
  for (const auto& spec : layout.specs())
    for (const auto& d : spec.dims) {
      if (std::find(written.begin(), written.end(), d.name) != written.end()) continue;
      h5::write_strings(dims, d.name, d.labels);
      written.push_back(d.name);
    }
}

namespace {

std::vector<hsize_t> shape_with(const OutputSpec& spec, std::optional<hsize_t> trailing) {
  std::vector<hsize_t> shape;
  for (const auto& d : spec.dims) shape.push_back(d.labels.size());
  if (trailing) shape.push_back(*trailing);
  return shape;
}

void write_real(hid_t group, const OutputSpec& spec, const RunStatistics& s) {
  std::vector<std::uint64_t> count;
  std::vector<double> mean, variance, sd, half, min, max;
  std::vector<std::int64_t> sum_digits, sum_sq_digits;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const std::size_t slot = spec.offset + e;
    count.push_back(s.count(slot));
    mean.push_back(s.mean(slot));
    variance.push_back(s.variance(slot));
    sd.push_back(std::sqrt(variance.back()));
    half.push_back(mean_half_width(variance.back(), count.back()));
    min.push_back(s.count(slot) ? s.min(slot) : std::nan(""));
    max.push_back(s.count(slot) ? s.max(slot) : std::nan(""));
    s.sum(slot).append_digits(sum_digits);
    s.sum_sq(slot).append_digits(sum_sq_digits);
  }
  const auto shape = shape_with(spec, std::nullopt);
  h5::write_u64(group, "count", count, shape);
  h5::write_doubles(group, "mean", mean, shape);
  h5::write_doubles(group, "variance", variance, shape);
  h5::write_doubles(group, "sd", sd, shape);
  h5::write_doubles(group, "ci95_half_width", half, shape);
  h5::write_doubles(group, "min", min, shape);
  h5::write_doubles(group, "max", max, shape);
  h5::write_i64(group, "sum_exact", sum_digits, shape_with(spec, ExactSum::kDigits));
  h5::write_i64(group, "sum_sq_exact", sum_sq_digits, shape_with(spec, ExactSum::kDigits));
  if (!spec.quantiles) return;
  std::vector<double> quantiles;
  std::vector<std::uint64_t> sketch_counts;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const std::size_t slot = spec.offset + e;
    for (double q : kQuantileLevels) quantiles.push_back(s.quantile(slot, q));
    const auto counts = s.sketch(slot);
    sketch_counts.insert(sketch_counts.end(), counts.begin(), counts.end());
  }
  h5::write_doubles(group, "quantile_levels", kQuantileLevels, {kQuantileLevels.size()});
  h5::write_doubles(group, "quantiles", quantiles, shape_with(spec, kQuantileLevels.size()));
  h5::write_u64(group, "sketch", sketch_counts, shape_with(spec, sketch::size()));
  h5::write_attribute(group, "sketch_relative_accuracy", sketch::kRelativeAccuracy);
}

void write_categorical(hid_t group, const OutputSpec& spec, const RunStatistics& s) {
  const std::size_t k = spec.categories.size();
  std::vector<std::uint64_t> counts;
  std::vector<double> shares, low, high;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const auto c = s.category_counts(spec.offset + e);
    std::uint64_t total = 0;
    for (auto v : c) total += v;
    for (std::size_t j = 0; j < k; ++j) {
      counts.push_back(c[j]);
      shares.push_back(total ? static_cast<double>(c[j]) / static_cast<double>(total) : std::nan(""));
      const auto [lo, hi] = wilson_interval(c[j], total);
      low.push_back(lo);
      high.push_back(hi);
    }
  }
  h5::write_attribute(group, "categories", spec.categories);
  const auto shape = shape_with(spec, k);
  h5::write_u64(group, "counts", counts, shape);
  h5::write_doubles(group, "share", shares, shape);
  h5::write_doubles(group, "wilson95_low", low, shape);
  h5::write_doubles(group, "wilson95_high", high, shape);
}

// What each dataset of an output group holds, for its CF long_name.
std::string long_name_of(const std::string& dataset, const OutputSpec& spec) {
  static const std::pair<const char*, const char*> kinds[] = {
      {"count", "number of draws with a value of"},     {"mean", "mean over draws of"},
      {"variance", "variance over draws of"},           {"sd", "standard deviation over draws of"},
      {"ci95_half_width", "Monte Carlo 95% half-width of the mean of"},
      {"min", "smallest value over draws of"},          {"max", "largest value over draws of"},
      {"quantiles", "quantiles over draws of"},         {"counts", "number of draws in each category of"},
      {"share", "share of draws in each category of"},  {"wilson95_low", "Wilson 95% lower bound of the share of"},
      {"wilson95_high", "Wilson 95% upper bound of the share of"},
      {"sum_exact", "exact sum (radix-2^32 digits) of"}, {"sum_sq_exact", "exact sum of squares (radix-2^32 digits) of"},
      {"sketch", "quantile sketch bucket counts of"}};
  for (const auto& [name, text] : kinds)
    if (dataset == name) return fmt::format("{} {}", text, spec.description);
  return "";
}

// Names every axis of every dataset in an output group with HDF5 dimension scales, so xarray
// (engine="h5netcdf"), ncdump and HDFView show labelled arrays: the output's dims (labels as
// coordinate variables, in the group itself so that opening the group alone shows them), then
// the trailing axis: category, quantile_levels, or digit and sketch_bin (dimensions without
// values: no storage).
void label_axes(hid_t group, const OutputSpec& spec) {
  for (const auto& d : spec.dims) {
    h5::write_strings(group, d.name, d.labels);
    h5::make_scale(group, d.name);
  }
  std::vector<std::pair<std::string, std::string>> trailing;  // dataset -> scale of its last axis
  if (spec.kind == OutputKind::categorical) {
    h5::write_strings(group, "category", spec.categories);
    h5::make_scale(group, "category");
    for (const char* name : {"counts", "share", "wilson95_low", "wilson95_high"}) trailing.emplace_back(name, "category");
  } else {
    h5::write_dimension_only(group, "digit", ExactSum::kDigits);
    trailing = {{"sum_exact", "digit"}, {"sum_sq_exact", "digit"}};
    if (spec.quantiles) {
      h5::make_scale(group, "quantile_levels");
      h5::write_dimension_only(group, "sketch_bin", sketch::size());
      trailing.emplace_back("quantiles", "quantile_levels");
      trailing.emplace_back("sketch", "sketch_bin");
    }
  }
  const std::vector<std::string> per_element =
      spec.kind == OutputKind::categorical
          ? std::vector<std::string>{"counts", "share", "wilson95_low", "wilson95_high"}
          : std::vector<std::string>{"count", "mean", "variance", "sd", "ci95_half_width", "min", "max", "sum_exact",
                                     "sum_sq_exact"};
  std::vector<std::string> datasets = per_element;
  if (spec.kind == OutputKind::real && spec.quantiles) {
    datasets.push_back("quantiles");
    datasets.push_back("sketch");
  }
  for (const auto& name : datasets) {
    for (unsigned axis = 0; axis < spec.dims.size(); ++axis) h5::attach_scale(group, name, spec.dims[axis].name, axis);
    for (const auto& [dataset, scale] : trailing)
      if (dataset == name) h5::attach_scale(group, name, scale, static_cast<unsigned>(spec.dims.size()));
    const bool in_units = name == "mean" || name == "sd" || name == "ci95_half_width" || name == "min" ||
                          name == "max" || name == "quantiles";
    h5::write_cf_attributes(group, name, long_name_of(name, spec),
                            in_units ? spec.units : name == "share" || name.starts_with("wilson") ? "1" : "");
  }
}

}  // namespace

void write_outputs(hid_t file, const OutputLayout& layout, const RunStatistics& statistics) {
  h5::Handle outputs = h5::create_group(file, "outputs");
  for (const auto& spec : layout.specs()) {
    h5::Handle group = h5::create_group(outputs, spec.name);
    h5::write_attribute(group, "kind", std::string(spec.kind == OutputKind::real ? "real" : "categorical"));
    h5::write_attribute(group, "description", spec.description);
    std::vector<std::string> dim_names;
    for (const auto& d : spec.dims) dim_names.push_back(d.name);
    h5::write_attribute(group, "dims", dim_names);
    h5::write_attribute(group, "recorded", static_cast<std::uint64_t>(spec.record ? 1 : 0));
    if (!spec.units.empty()) h5::write_attribute(group, "units", spec.units);
    if (spec.kind == OutputKind::real)
      write_real(group, spec, statistics);
    else
      write_categorical(group, spec, statistics);
    label_axes(group, spec);
  }
}

OutputLayout read_layout(hid_t file) {
  OutputLayout layout;
  h5::Handle dims = h5::open_group(file, "dims");
  h5::Handle outputs = h5::open_group(file, "outputs");
  for (const auto& name : h5::children(outputs)) {
    h5::Handle group = h5::open_group(outputs, name);
    std::vector<Dimension> output_dims;
    for (const auto& d : h5::read_strings_attribute(group, "dims")) output_dims.push_back({d, h5::read_strings(dims, d)});
    const std::string description = h5::read_string_attribute(group, "description");
    if (h5::read_string_attribute(group, "kind") == "real") {
      layout.add_real(name, description, std::move(output_dims), h5::exists(group, "sketch"));
      if (h5::has_attribute(group, "units")) layout.set_units(name, h5::read_string_attribute(group, "units"));
    } else {
      const bool recorded = h5::has_attribute(group, "recorded") && h5::read_u64_attribute(group, "recorded") != 0;
      layout.add_categorical(name, description, std::move(output_dims), h5::read_strings_attribute(group, "categories"),
                             recorded);
    }
  }
  return layout;
}

void read_statistics(hid_t file, RunStatistics& statistics) {
  h5::Handle outputs = h5::open_group(file, "outputs");
  for (const auto& spec : statistics.layout().specs()) {
    h5::Handle group = h5::open_group(outputs, spec.name);
    if (spec.kind == OutputKind::categorical) {
      const auto counts = h5::read_u64(group, "counts");
      const std::size_t k = spec.categories.size();
      if (counts.size() != spec.size * k) throw h5::Error("output " + spec.name + ": counts do not match its shape");
      for (std::size_t e = 0; e < spec.size; ++e) {
        auto target = statistics.mutable_category_counts(spec.offset + e);
        std::copy_n(counts.begin() + static_cast<long>(e * k), k, target.begin());
      }
      continue;
    }
    const auto count = h5::read_u64(group, "count");
    const auto min = h5::read_doubles(group, "min"), max = h5::read_doubles(group, "max");
    const auto sums = h5::read_i64(group, "sum_exact"), squares = h5::read_i64(group, "sum_sq_exact");
    // Every array is checked against the layout before it is indexed (a hostile file may give
    // each its own shape; found by tests/fuzz/fuzz_results).
    if (count.size() != spec.size || min.size() != spec.size || max.size() != spec.size ||
        sums.size() != spec.size * ExactSum::kDigits || squares.size() != spec.size * ExactSum::kDigits)
      throw h5::Error("output " + spec.name + ": partial sums do not match its shape");
    std::vector<std::uint64_t> sketch_counts;
    if (spec.quantiles) {
      sketch_counts = h5::read_u64(group, "sketch");
      if (sketch_counts.size() != spec.size * sketch::size())
        throw h5::Error("output " + spec.name + ": its quantile sketch does not match its shape");
    }
    for (std::size_t e = 0; e < spec.size; ++e) {
      ExactSum::Digits a{}, b{};
      std::copy_n(sums.begin() + static_cast<long>(e * ExactSum::kDigits), ExactSum::kDigits, a.begin());
      std::copy_n(squares.begin() + static_cast<long>(e * ExactSum::kDigits), ExactSum::kDigits, b.begin());
      const std::size_t slot = spec.offset + e;
      // An element that never had a value stores NaN extremes; restore the empty state.
      const bool empty = count[e] == 0;
      ExactSum sum, sum_sq;
      try {
        sum = ExactSum::from_digits(a);
        sum_sq = ExactSum::from_digits(b);
      } catch (const std::invalid_argument& error) {
        throw h5::Error(fmt::format("output {}: {}", spec.name, error.what()));
      }
      statistics.restore_real(slot, count[e], sum, sum_sq,
                              empty ? std::numeric_limits<double>::infinity() : min[e],
                              empty ? -std::numeric_limits<double>::infinity() : max[e]);
      if (spec.quantiles) {
        auto target = statistics.mutable_sketch(slot);
        std::copy_n(sketch_counts.begin() + static_cast<long>(e * target.size()), target.size(), target.begin());
      }
    }
  }
}

std::string content_digest(const RunStatistics& statistics, std::uint64_t chunk_first, std::uint64_t chunk_end,
                           const std::string& config_hash) {
  const std::vector<std::uint64_t> words = statistics.to_words();
  std::string bytes;
  bytes.reserve(words.size() * 8 + 128);
  for (std::uint64_t w : words)
    for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<char>((w >> (8 * b)) & 0xff));  // little-endian, portable
  bytes += fmt::format("|chunks {}-{}|config {}", chunk_first, chunk_end, config_hash);
  return sha256_hex(bytes);
}

void write_content_digest(hid_t file, const RunStatistics& statistics, std::uint64_t chunk_first,
                          std::uint64_t chunk_end, const std::string& config_hash) {
  h5::write_attribute(file, "content_sha256", content_digest(statistics, chunk_first, chunk_end, config_hash));
}

namespace {

std::vector<unsigned char> raw_bytes(hid_t group, const std::string& name) {
  h5::Handle dataset = h5::open_dataset(group, name);
  h5::Handle type(H5Dget_type(dataset), H5Tclose, "get the type of " + name);
  h5::Handle native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose, "get a native type");
  h5::Handle space(H5Dget_space(dataset), H5Sclose, "get the dataspace of " + name);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (H5Tget_class(type) == H5T_STRING || n < 0 || n > (hssize_t{1} << 28)) return {};
  std::vector<unsigned char> bytes(static_cast<std::size_t>(n) * H5Tget_size(native));
  if (!bytes.empty() && H5Dread(dataset, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
    throw h5::Error("HDF5: cannot read " + name);
  return bytes;
}

// Every statistic a reader shows (means, shares, intervals, quantiles, counts) is recomputed from
// the verified partials, written to an in-memory file, and compared byte for byte with the file's.
void check_derived(hid_t file, const std::string& path, const RunStatistics& statistics) {
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties");
  H5Pset_fapl_core(fapl, 1 << 20, 0);  // in memory, never written to disk
  static std::atomic<unsigned> serial{0};
  const std::string name = fmt::format("deterrence-verify-{}-{}", getpid(), serial++);
  h5::Handle memory(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create an in-memory file");
  write_outputs(memory, statistics.layout(), statistics);
  h5::Handle mine = h5::open_group(memory, "outputs");
  h5::Handle theirs = h5::open_group(file, "outputs");
  for (const auto& spec : statistics.layout().specs()) {
    h5::Handle a = h5::open_group(mine, spec.name), b = h5::open_group(theirs, spec.name);
    for (const auto& dataset : h5::children(a)) {
      // Axis labels are not statistics (format 2 had none); the quantile levels are checked.
      if (dataset != "quantile_levels" && h5::is_scale(a, dataset)) continue;
      if (!h5::exists(b, dataset))
        throw std::runtime_error(fmt::format("{}: output {} has no {}", path, spec.name, dataset));
      if (raw_bytes(a, dataset) != raw_bytes(b, dataset))
        throw std::runtime_error(fmt::format("{}: outputs/{}/{} is not what its checked partials give: the file was "
                                             "altered after it was written",
                                             path, spec.name, dataset));
    }
  }
}

}  // namespace

void verify_statistics(hid_t file, const std::string& path, RunStatistics& statistics, bool derived) {
  verify_statistics(file, path, statistics);
  if (derived) check_derived(file, path, statistics);
}

void verify_statistics(hid_t file, const std::string& path, RunStatistics& statistics) {
  if (!h5::has_attribute(file, "content_sha256"))
    throw std::runtime_error(fmt::format("{}: has no checksum of its statistics (content_sha256): written by an older "
                                         "engine, or stripped; it cannot be trusted",
                                         path));
  read_statistics(file, statistics);
  const std::string stored = h5::read_string_attribute(file, "content_sha256");
  const std::string actual =
      content_digest(statistics, h5::read_u64_attribute(file, "chunk_first"), h5::read_u64_attribute(file, "chunk_end"),
                     h5::read_string_attribute(file, "config_hash"));
  if (stored != actual)
    throw std::runtime_error(fmt::format("{}: its statistics do not match their checksum (content_sha256 {}…, now {}…): "
                                         "the file changed after it was written (bit rot, a partial copy or an edit)",
                                         path, stored.substr(0, 12), actual.substr(0, 12)));
  const std::uint64_t draws = h5::read_u64_attribute(file, "draws");
  for (const auto& spec : statistics.layout().specs()) {
    for (std::size_t e = 0; e < spec.size; ++e) {
      const std::size_t slot = spec.offset + e;
      if (spec.kind == OutputKind::real) {
        if (statistics.count(slot) > draws)
          throw std::runtime_error(fmt::format("{}: output {} counts {} values in {} draws", path,
                                               spec.element_label(e).empty() ? spec.name : spec.name + "/" + spec.element_label(e),
                                               statistics.count(slot), draws));
      } else {
        std::uint64_t total = 0;
        for (auto c : statistics.category_counts(slot)) total += c;
        if (total != draws)
          throw std::runtime_error(fmt::format("{}: output {} has category counts summing to {}, not its {} draws", path,
                                               spec.name + "/" + spec.element_label(e), total, draws));
      }
    }
  }
}

}  // namespace deterrence
