#include "io/statistics_io.h"

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
    if (spec.kind == OutputKind::real)
      write_real(group, spec, statistics);
    else
      write_categorical(group, spec, statistics);
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
    if (count.size() != spec.size || sums.size() != spec.size * ExactSum::kDigits)
      throw h5::Error("output " + spec.name + ": partial sums do not match its shape");
    std::vector<std::uint64_t> sketch_counts;
    if (spec.quantiles) sketch_counts = h5::read_u64(group, "sketch");
    for (std::size_t e = 0; e < spec.size; ++e) {
      ExactSum::Digits a{}, b{};
      std::copy_n(sums.begin() + static_cast<long>(e * ExactSum::kDigits), ExactSum::kDigits, a.begin());
      std::copy_n(squares.begin() + static_cast<long>(e * ExactSum::kDigits), ExactSum::kDigits, b.begin());
      const std::size_t slot = spec.offset + e;
      // An element that never had a value stores NaN extremes; restore the empty state.
      const bool empty = count[e] == 0;
      statistics.restore_real(slot, count[e], ExactSum::from_digits(a), ExactSum::from_digits(b),
                              empty ? std::numeric_limits<double>::infinity() : min[e],
                              empty ? -std::numeric_limits<double>::infinity() : max[e]);
      if (spec.quantiles) {
        auto target = statistics.mutable_sketch(slot);
        std::copy_n(sketch_counts.begin() + static_cast<long>(e * target.size()), target.size(), target.begin());
      }
    }
  }
}

}  // namespace deterrence
