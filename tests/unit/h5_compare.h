#pragma once
// Bitwise comparison of HDF5 results files for the reproducibility tests: every dataset under
// a group must have the same shape and the same bytes (NaN payloads included).
#include <hdf5.h>

#include <cstring>
#include <string>
#include <vector>

namespace deterrence::testing {

struct DatasetBytes {
  std::vector<hsize_t> shape;
  std::vector<unsigned char> bytes;
};

inline DatasetBytes read_dataset_bytes(hid_t file, const std::string& name) {
  DatasetBytes out;
  const hid_t dataset = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  if (dataset < 0) return out;
  const hid_t space = H5Dget_space(dataset);
  const hid_t type = H5Dget_type(dataset);
  const hid_t memory_type = H5Tget_native_type(type, H5T_DIR_ASCEND);
  out.shape.resize(static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space))));
  H5Sget_simple_extent_dims(space, out.shape.data(), nullptr);
  const auto points = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
    std::vector<char*> texts(points);
    if (points) H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data());
    for (char* t : texts) {
      out.bytes.insert(out.bytes.end(), t, t + std::strlen(t) + 1);
      H5free_memory(t);
    }
  } else {
    out.bytes.resize(points * H5Tget_size(memory_type));
    if (points) H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.bytes.data());
  }
  H5Tclose(memory_type);
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(dataset);
  return out;
}

inline std::vector<std::string> datasets_under(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  if (H5Lexists(file, group.c_str(), H5P_DEFAULT) <= 0) return names;
  H5Ovisit_by_name2(
      file, group.c_str(), H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names, H5O_INFO_BASIC, H5P_DEFAULT);
  for (auto& n : names) n = group + "/" + n;
  return names;
}

// Empty when every dataset under `group` is bit-identical in both files; else what differs.
inline std::string bit_differences(const std::string& a, const std::string& b, const std::string& group,
                                   bool must_hold_data = true) {
  const hid_t fa = H5Fopen(a.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t fb = H5Fopen(b.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (fa < 0 || fb < 0) return "cannot open " + (fa < 0 ? a : b);
  std::string differences;
  const auto names_a = datasets_under(fa, group), names_b = datasets_under(fb, group);
  if (names_a != names_b) differences += "different datasets under " + group + "; ";
  if (names_a.empty() && must_hold_data) differences += "no datasets under " + group + "; ";
  for (const auto& name : names_a) {
    const DatasetBytes x = read_dataset_bytes(fa, name), y = read_dataset_bytes(fb, name);
    if (x.shape != y.shape || x.bytes != y.bytes) differences += name + " ";
  }
  H5Fclose(fa);
  H5Fclose(fb);
  return differences;
}

}  // namespace deterrence::testing
