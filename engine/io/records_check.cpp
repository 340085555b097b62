#include "io/records_check.h"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

namespace deterrence {

void check_records(hid_t file, const std::string& path, const OutputLayout& layout, std::uint64_t draws) {
  if (!h5::exists(file, "records")) return;
  h5::Handle group = h5::open_group(file, "records");
  const auto refuse = [&](const std::string& name, const std::string& what) {
    return std::runtime_error(fmt::format("{}: records/{} {}", path, name, what));
  };
  for (const auto& name : h5::children(group)) {
    if (name == "parameter_names" || h5::is_scale(group, name)) continue;  // labels, not records
    h5::Handle dataset = h5::open_dataset(group, name);
    h5::Handle type(H5Dget_type(dataset), H5Tclose, "get the type of records/" + name);
    const std::vector<hsize_t> shape = h5::dataset_shape(dataset);
    std::vector<hsize_t> row;
    bool codes = false;
    if (name == "parameters") {
      if (!h5::exists(group, "parameter_names")) throw refuse(name, "has no parameter_names beside it");
      row = {static_cast<hsize_t>(h5::read_strings(group, "parameter_names").size())};
    } else {
      const OutputSpec* spec = layout.find(name);
      if (!spec) throw refuse(name, "is not a record of any output of the file's layout");
      codes = spec->kind == OutputKind::categorical;
      for (const auto& d : spec->dims) row.push_back(d.labels.size());
    }
    std::vector<hsize_t> expected{draws};
    expected.insert(expected.end(), row.begin(), row.end());
    if (shape != expected) {
      const auto text = [](const std::vector<hsize_t>& s) {
        std::string t;
        for (hsize_t v : s) t += (t.empty() ? "" : " x ") + std::to_string(v);
        return s.empty() ? std::string("a scalar") : t;
      };
      throw refuse(name, fmt::format("has shape {}, the layout and the file's {} draws give {}", text(shape), draws,
                                     text(expected)));
    }
    const H5T_class_t type_class = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (codes && !(type_class == H5T_ENUM && size == 1))
      throw refuse(name, "is not an 8-bit enum of its output's categories");
    if (!codes && !(type_class == H5T_FLOAT && size == 8)) throw refuse(name, "is not 64-bit floating point");
  }
}

}  // namespace deterrence
