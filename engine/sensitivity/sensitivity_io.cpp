#include "sensitivity/sensitivity_io.h"

#include <fmt/format.h>

#include <stdexcept>

#include "io/h5.h"

namespace deterrence {

void write_sensitivity(hid_t file, const StoredSensitivity& s) {
  const SaltelliResult result = estimate_saltelli(s.sums, s.shape);
  const std::size_t G = s.shape.groups;
  std::uint64_t rows = 0;
  for (auto r : result.rows_used) rows = std::max<std::uint64_t>(rows, r);
  h5::Handle root = h5::create_group(file, "sensitivity");
  h5::write_attribute(root, "design", std::string("saltelli"));
  h5::write_attribute(root, "estimators", std::string("first order: Saltelli (2010); total: Jansen (1999)"));
  h5::write_attribute(root, "rows", rows);
  h5::write_attribute(root, "bootstrap", static_cast<std::uint64_t>(s.shape.replicates - 1));
  h5::write_attribute(root, "interval", std::string("95% Poisson-bootstrap percentile interval over rows"));
  h5::write_attribute(root, "grouping", s.grouping);
  h5::write_strings(root, "groups", s.groups);
  h5::write_strings(root, "group_members", s.group_members);
  std::vector<std::int64_t> digits;
  digits.reserve(s.sums.size() * ExactSum::kDigits);
  for (const ExactSum& sum : s.sums) sum.append_digits(digits);
  h5::write_i64(root, "sums_exact", digits, {s.sums.size(), static_cast<hsize_t>(ExactSum::kDigits)});
  std::size_t t = 0;
  for (const auto& output : s.outputs) {
    h5::Handle group = h5::create_group(root, output.name);
    h5::write_attribute(group, "dims", output.dims);
    std::vector<hsize_t> shape(output.shape.begin(), output.shape.end());
    shape.push_back(G);
    std::vector<double> s1, s1_low, s1_high, st, st_low, st_high, mean, variance;
    std::vector<std::uint64_t> used;
    for (std::size_t e = 0; e < output.elements; ++e, ++t) {
      for (std::size_t g = 0; g < G; ++g) {
        s1.push_back(result.first_order[t][g].value);
        s1_low.push_back(result.first_order[t][g].low);
        s1_high.push_back(result.first_order[t][g].high);
        st.push_back(result.total[t][g].value);
        st_low.push_back(result.total[t][g].low);
        st_high.push_back(result.total[t][g].high);
      }
      mean.push_back(result.mean[t]);
      variance.push_back(result.variance[t]);
      used.push_back(result.rows_used[t]);
    }
    h5::write_doubles(group, "first_order", s1, shape);
    h5::write_doubles(group, "first_order_low", s1_low, shape);
    h5::write_doubles(group, "first_order_high", s1_high, shape);
    h5::write_doubles(group, "total", st, shape);
    h5::write_doubles(group, "total_low", st_low, shape);
    h5::write_doubles(group, "total_high", st_high, shape);
    shape.pop_back();
    h5::write_doubles(group, "mean", mean, shape);
    h5::write_doubles(group, "variance", variance, shape);
    h5::write_u64(group, "rows_used", used, shape);
    // Labelled axes (dimension scales, as xarray and netCDF read them): the output's dims with
    // the labels in /dims, then the parameter group.
    for (std::size_t axis = 0; axis < output.dims.size(); ++axis) {
      const std::string& d = output.dims[axis];
      std::vector<std::string> labels;
      if (h5::exists(file, "dims/" + d)) labels = h5::read_strings(h5::open_group(file, "dims"), d);
      if (labels.size() != output.shape[axis]) {
        labels.clear();
        for (std::size_t i = 0; i < output.shape[axis]; ++i) labels.push_back(std::to_string(i));
      }
      h5::write_strings(group, d, labels);
      h5::make_scale(group, d);
    }
    h5::write_strings(group, "group", s.groups);
    h5::make_scale(group, "group");
    for (const char* name : {"first_order", "first_order_low", "first_order_high", "total", "total_low", "total_high",
                             "mean", "variance", "rows_used"}) {
      for (unsigned axis = 0; axis < output.dims.size(); ++axis) h5::attach_scale(group, name, output.dims[axis], axis);
      if (std::string(name).starts_with("first") || std::string(name).starts_with("total"))
        h5::attach_scale(group, name, "group", static_cast<unsigned>(output.dims.size()));
    }
  }
}

StoredSensitivity read_sensitivity(hid_t file, const std::string& path) {
  if (!h5::exists(file, "sensitivity") || !h5::exists(file, "sensitivity/sums_exact"))
    throw std::runtime_error(fmt::format("{}: no sensitivity sums (not a `deterrence sensitivity` file)", path));
  StoredSensitivity s;
  h5::Handle root = h5::open_group(file, "sensitivity");
  s.groups = h5::read_strings(root, "groups");
  s.group_members = h5::read_strings(root, "group_members");
  s.grouping = h5::read_string_attribute(root, "grouping");
  s.shape.groups = s.groups.size();
  s.shape.replicates = h5::read_u64_attribute(root, "bootstrap") + 1;
  for (const auto& name : h5::children(root)) {
    if (name == "groups" || name == "group_members" || name == "sums_exact") continue;
    h5::Handle group = h5::open_group(root, name);
    SensitivityOutput output;
    output.name = name;
    output.dims = h5::read_strings_attribute(group, "dims");
    const auto shape = h5::shape_of(group, "first_order");
    for (std::size_t d = 0; d + 1 < shape.size(); ++d) {
      output.shape.push_back(shape[d]);
      output.elements *= shape[d];
    }
    s.shape.targets += output.elements;
    s.outputs.push_back(std::move(output));
  }
  const auto digits = h5::read_i64(root, "sums_exact");
  if (digits.size() != s.shape.width() * ExactSum::kDigits)
    throw std::runtime_error(fmt::format("{}: sensitivity sums do not match their outputs and groups", path));
  s.sums.resize(s.shape.width());
  for (std::size_t k = 0; k < s.sums.size(); ++k) {
    ExactSum::Digits d{};
    std::copy_n(digits.begin() + static_cast<long>(k * ExactSum::kDigits), ExactSum::kDigits, d.begin());
    try {
      s.sums[k] = ExactSum::from_digits(d);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(fmt::format("{}: sensitivity sums: {}", path, error.what()));
    }
  }
  return s;
}

}  // namespace deterrence
