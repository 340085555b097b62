#include "io/metadata_digest.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

#include "config/input_log.h"

namespace deterrence {

namespace {

// Every root attribute but the digest itself, in name order.
std::vector<std::string> root_attribute_names(hid_t file) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0)
    throw h5::Error("HDF5: cannot list the root attributes");
  std::erase(names, std::string(kMetadataDigest));
  return names;
}

// An attribute's type class, shape and value as bytes (strings read as text, bounded).
std::string attribute_bytes(hid_t file, const std::string& name) {
  h5::Handle attribute(H5Aopen(file, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  h5::Handle type(H5Aget_type(attribute), H5Tclose, "get the type of attribute " + name);
  h5::Handle space(H5Aget_space(attribute), H5Sclose, "get the dataspace of attribute " + name);
  const H5T_class_t type_class = H5Tget_class(type);
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  std::string bytes = fmt::format("{}|{}|", static_cast<int>(type_class), points);
  if (type_class == H5T_STRING) {
    if (H5Sget_simple_extent_type(space) == H5S_SCALAR) return bytes + h5::read_string_attribute(file, name);
    for (const auto& text : h5::read_strings_attribute(file, name)) bytes += text + '\0';
    return bytes;
  }
  h5::Handle native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose, "get a native type");
  const std::size_t size = H5Tget_size(native);
  if (points < 0 || static_cast<std::size_t>(points) * size > (std::size_t{16} << 20))
    throw h5::Error(fmt::format("attribute {} of /: {} values, more than an attribute may hold", name, points));
  std::string value(static_cast<std::size_t>(points) * size, '\0');
  if (!value.empty() && H5Aread(attribute, native, value.data()) < 0) throw h5::Error("HDF5: cannot read attribute " + name);
  return bytes + value;
}

std::map<std::string, std::string> parse(const std::string& text) {
  std::map<std::string, std::string> digests;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string part = text.substr(start, end - start);
    const std::size_t colon = part.rfind(':');
    if (colon != std::string::npos) digests[part.substr(0, colon)] = part.substr(colon + 1);
    start = end + 1;
  }
  return digests;
}

}  // namespace

std::string metadata_digest(hid_t file) {
  std::string text;
  for (const auto& name : root_attribute_names(file))
    text += fmt::format("{}{}:{}", text.empty() ? "" : ";", name, sha256_hex(attribute_bytes(file, name)).substr(0, 16));
  return text;
}

void write_metadata_digest(hid_t file) {
  const std::string digest = metadata_digest(file);
  if (h5::has_attribute(file, kMetadataDigest)) H5Adelete(file, kMetadataDigest);
  h5::write_attribute(file, kMetadataDigest, digest);
}

bool verify_metadata(hid_t file, const std::string& path) {
  if (!h5::has_attribute(file, kMetadataDigest)) return false;
  const auto stored = parse(h5::read_string_attribute(file, kMetadataDigest));
  std::vector<std::string> problems;
  const auto names = root_attribute_names(file);
  for (const auto& name : names) {
    const auto it = stored.find(name);
    if (it == stored.end())
      problems.push_back(fmt::format("{} (added after the file was written)", name));
    else if (it->second != sha256_hex(attribute_bytes(file, name)).substr(0, 16))
      problems.push_back(fmt::format("{} (altered)", name));
  }
  for (const auto& [name, digest] : stored)
    if (std::find(names.begin(), names.end(), name) == names.end()) problems.push_back(fmt::format("{} (removed)", name));
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : ", ") + p;
    throw std::runtime_error(fmt::format("{}: its root attributes do not match their checksum ({}): {}", path,
                                         kMetadataDigest, list));
  }
  return true;
}

}  // namespace deterrence
