#include "io/metadata_digest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include "config/input_log.h"

namespace deterrence {

namespace {

constexpr std::size_t kValueBound = std::size_t{16} << 20;    // an attribute's values
constexpr std::size_t kDatasetBound = std::size_t{256} << 20;  // a dataset's values read for its digest

// The attributes of `object`, in name order (the digests themselves excluded at the root).
std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0)
    throw h5::Error("HDF5: cannot list the attributes");
  std::erase(names, std::string(kMetadataDigest));
  std::erase(names, std::string(kObjectsDigest));
  return names;
}

// An attribute's type class, shape and value as bytes (strings read as text, bounded).
std::string attribute_bytes(hid_t object, const std::string& name, const std::string& where) {
  h5::Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  h5::Handle type(H5Aget_type(attribute), H5Tclose, "get the type of attribute " + name);
  h5::Handle space(H5Aget_space(attribute), H5Sclose, "get the dataspace of attribute " + name);
  const H5T_class_t type_class = H5Tget_class(type);
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  std::string bytes = fmt::format("{}|{}|", static_cast<int>(type_class), points);
  if (type_class == H5T_STRING && H5Tis_variable_str(type) > 0) {
    if (H5Sget_simple_extent_type(space) == H5S_SCALAR) return bytes + h5::read_string_attribute(object, name);
    for (const auto& text : h5::read_strings_attribute(object, name)) bytes += text + '\0';
    return bytes;
  }
  // Object references (dimension scales' DIMENSION_LIST, REFERENCE_LIST) read into memory hold
  // pointers: covered by their type class and count only.
  if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tdetect_class(type, H5T_REFERENCE) > 0) return bytes + "refs";
  h5::Handle native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose, "get a native type");
  const std::size_t size = H5Tget_size(native);
  if (points < 0 || static_cast<std::size_t>(points) * size > kValueBound)
    throw h5::Error(fmt::format("attribute {} of {}: {} values, more than an attribute may hold", name, where, points));
  std::string value(static_cast<std::size_t>(points) * size, '\0');
  if (!value.empty() && H5Aread(attribute, native, value.data()) < 0) throw h5::Error("HDF5: cannot read attribute " + name);
  return bytes + value;
}

std::string attributes_bytes(hid_t object, const std::string& where) {
  std::string bytes;
  for (const auto& name : attribute_names(object)) bytes += name + '=' + attribute_bytes(object, name, where) + '\n';
  return bytes;
}

// A dataset's type class, shape and values. Variable-length strings are read as text; values of a
// dataset larger than the bound, a virtual one (its rows live in other files) or of a type without
// a fixed size are covered by their type and shape only.
std::string dataset_bytes(hid_t parent, const std::string& name, hid_t dataset, const std::string& where) {
  h5::Handle type(H5Dget_type(dataset), H5Tclose, "get the type of " + where);
  const H5T_class_t type_class = H5Tget_class(type);
  std::string bytes = fmt::format("{}|{}|", static_cast<int>(type_class), H5Tget_size(type));
  std::size_t points = 1;  // saturates: a crafted shape must not wrap to a small buffer
  for (const auto extent : h5::dataset_shape(dataset)) {
    bytes += fmt::format("{},", extent);
    points = extent != 0 && points > SIZE_MAX / extent ? SIZE_MAX : points * static_cast<std::size_t>(extent);
  }
  bytes += '|';
  h5::Handle plist(H5Dget_create_plist(dataset), H5Pclose, "get the creation properties of " + where);
  if (H5Pget_layout(plist) == H5D_VIRTUAL) return bytes + "virtual";
  if (H5Pget_external_count(plist) != 0) return bytes + "external";  // never read another file's bytes
  // The statistics' values are checked by content_sha256 and re-derived by verify_statistics.
  if (where.starts_with("/outputs/") && !h5::is_scale(parent, name)) return bytes + "statistics";
  if (type_class == H5T_STRING && H5Tis_variable_str(type) > 0) {
    if (points > kDatasetBound / 16) return bytes + "large";
    for (const auto& text : h5::read_strings(parent, name)) bytes += text + '\0';
    return bytes;
  }
  if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tdetect_class(type, H5T_REFERENCE) > 0 || H5Tis_variable_str(type) > 0)
    return bytes + "refs";
  h5::Handle native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose, "get a native type of " + where);
  const std::size_t size = H5Tget_size(native);
  if (size == 0 || points > kDatasetBound / size) return bytes + "large";
  std::string value(points * size, '\0');
  if (!value.empty() && H5Dread(dataset, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0)
    throw h5::Error("HDF5: cannot read " + where);
  return bytes + value;
}

// path -> digest of every hard-linked group and dataset below `group`, but /records.
void collect_objects(hid_t group, const std::string& prefix, std::map<std::string, std::string>& digests) {
  std::vector<std::pair<std::string, bool>> links;  // name, is a hard link
  const auto collect = [](hid_t, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    static_cast<std::vector<std::pair<std::string, bool>>*>(data)->emplace_back(name, info->type == H5L_TYPE_HARD);
    return 0;
  };
  hsize_t index = 0;
  if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &links) < 0)
    throw h5::Error(fmt::format("HDF5: cannot list the members of {}", prefix.empty() ? "/" : prefix));
  for (const auto& [name, hard] : links) {
    const std::string path = prefix + "/" + name;
    if (path == "/records") continue;  // per-draw rows: records_check compares them with the layout
    if (!hard) {
      digests[path] = "link";  // soft and external links: named, never followed
      continue;
    }
    H5O_info_t info;
    if (H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
      throw h5::Error("HDF5: cannot read the object " + path);
    if (info.type == H5O_TYPE_GROUP) {
      h5::Handle child = h5::open_group(group, name);
      digests[path] = sha256_hex("group\n" + attributes_bytes(child, path)).substr(0, 16);
      collect_objects(child, path, digests);
    } else if (info.type == H5O_TYPE_DATASET) {
      h5::Handle child = h5::open_dataset(group, name);
      digests[path] = sha256_hex(dataset_bytes(group, name, child, path) + '\n' + attributes_bytes(child, path)).substr(0, 16);
    } else {
      digests[path] = "other";
    }
  }
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

std::string join(const std::map<std::string, std::string>& digests) {
  std::string text;
  for (const auto& [name, digest] : digests) text += fmt::format("{}{}:{}", text.empty() ? "" : ";", name, digest);
  return text;
}

std::map<std::string, std::string> root_digests(hid_t file) {
  std::map<std::string, std::string> digests;
  for (const auto& name : attribute_names(file)) digests[name] = sha256_hex(attribute_bytes(file, name, "/")).substr(0, 16);
  return digests;
}

std::map<std::string, std::string> object_digests(hid_t file) {
  std::map<std::string, std::string> digests;
  collect_objects(file, "", digests);
  return digests;
}

// "a (altered), b (removed)…" for what differs between the stored and the present digests.
std::string differences(const std::map<std::string, std::string>& stored, const std::map<std::string, std::string>& now) {
  std::string list;
  const auto add = [&](const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
  for (const auto& [name, digest] : now) {
    const auto it = stored.find(name);
    if (it == stored.end())
      add(fmt::format("{} (added after the file was written)", name));
    else if (it->second != digest)
      add(fmt::format("{} (altered)", name));
  }
  for (const auto& [name, digest] : stored)
    if (!now.contains(name)) add(fmt::format("{} (removed)", name));
  return list;
}

}  // namespace

std::string metadata_digest(hid_t file) { return join(root_digests(file)); }
std::string objects_digest(hid_t file) { return join(object_digests(file)); }

void write_metadata_digest(hid_t file) {
  const std::string objects = objects_digest(file);
  if (h5::has_attribute(file, kObjectsDigest)) H5Adelete(file, kObjectsDigest);
  h5::write_attribute(file, kObjectsDigest, objects);
  const std::string digest = metadata_digest(file);
  if (h5::has_attribute(file, kMetadataDigest)) H5Adelete(file, kMetadataDigest);
  h5::write_attribute(file, kMetadataDigest, digest);
}

bool verify_metadata(hid_t file, const std::string& path) {
  if (!h5::has_attribute(file, kMetadataDigest)) return false;
  const std::string roots = differences(parse(h5::read_string_attribute(file, kMetadataDigest)), root_digests(file));
  if (!roots.empty())
    throw std::runtime_error(fmt::format("{}: its root attributes do not match their checksum ({}): {}", path,
                                         kMetadataDigest, roots));
  return true;
}

void verify_objects(hid_t file, const std::string& path) {
  if (!h5::has_attribute(file, kMetadataDigest)) return;  // before engine 0.4.0: nothing to check against
  if (!h5::has_attribute(file, kObjectsDigest)) {
    // Engine 0.4.0 wrote metadata_sha256 alone; from 0.4.1 on a missing objects_sha256 was removed.
    const std::string engine = h5::has_attribute(file, "engine_version") ? h5::read_string_attribute(file, "engine_version") : "";
    if (engine == "0.4.0") return;
    throw std::runtime_error(fmt::format("{}: has no checksum of its groups and datasets ({}), which engine {} writes",
                                         path, kObjectsDigest, engine));
  }
  const std::string objects = differences(parse(h5::read_string_attribute(file, kObjectsDigest)), object_digests(file));
  if (!objects.empty())
    throw std::runtime_error(fmt::format("{}: its groups and datasets do not match their checksum ({}): {}", path,
                                         kObjectsDigest, objects));
}

}  // namespace deterrence
