#include "io/h5.h"

#include <fmt/format.h>
#include <hdf5_hl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <numeric>

namespace deterrence::h5 {

namespace {
// HDF5's file drivers put the system's errno in the text of their error ("..., errno = 28,
// error message = 'No space left on device', ..."): the one cause a user can act on.
herr_t find_errno(unsigned, const H5E_error2_t* error, void* found) {
  const char* desc = error->desc ? std::strstr(error->desc, "errno = ") : nullptr;
  if (desc && *static_cast<int*>(found) == 0) *static_cast<int*>(found) = std::atoi(desc + 8);
  return 0;
}
}  // namespace

std::string describe_system_error(int code) {
  switch (code) {
    case ENOSPC: return "the disk is full (no space left on the device)";
    case EDQUOT: return "the disk quota is exceeded";
    case EFBIG: return "the file would exceed the largest file size allowed here";
    case EACCES:
    case EPERM: return "permission denied";
    case EROFS: return "the filesystem is read-only";
    case ENOENT: return "a folder on the path does not exist";
    case EIO: return "input/output error (a failing disk or network filesystem)";
    default: return std::strerror(code);
  }
}

std::string system_cause() {
  int found = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &found);
  return found > 0 ? ": " + describe_system_error(found) : "";
}

namespace {
hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw Error("HDF5: cannot " + what + system_cause());
  return id;
}
void check_status(herr_t status, const std::string& what) {
  if (status < 0) throw Error("HDF5: cannot " + what + system_cause());
}
Handle dataspace(const std::vector<hsize_t>& shape) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace");
  return Handle(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose,
                "create a dataspace");
}
hsize_t elements(const std::vector<hsize_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), hsize_t{1}, std::multiplies<>());
}
Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}
// Compress datasets above a few KiB; tiny ones are cheaper stored contiguously.
Handle creation_properties(const std::vector<hsize_t>& shape, std::size_t element_size) {
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  const hsize_t n = elements(shape);
  if (shape.empty() || n * element_size < 16 * 1024) return plist;
  std::vector<hsize_t> chunk = shape;
  // Chunks of at most ~256 KiB, cut along the first axis.
  const hsize_t row = n / shape[0];
  chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(shape[0], (256 * 1024) / std::max<hsize_t>(1, row * element_size)));
  H5Pset_chunk(plist, static_cast<int>(chunk.size()), chunk.data());
  H5Pset_shuffle(plist);
  H5Pset_deflate(plist, 4);
  return plist;
}
template <typename T>
void write_numbers(hid_t parent, const std::string& name, const std::vector<T>& data,
                   const std::vector<hsize_t>& shape, hid_t file_type, hid_t memory_type) {
  if (elements(shape) != data.size())
    throw Error(fmt::format("HDF5: dataset '{}' has {} values for its shape", name, data.size()));
  Handle space = dataspace(shape);
  Handle plist = creation_properties(shape, sizeof(T));
  Handle dataset(H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT),
                 H5Dclose, "create dataset " + name);
  if (!data.empty())
    check_status(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "write dataset " + name);
}
// Every read checks what the file holds before a buffer is filled: the class of its type, the
// number of elements (one for a scalar attribute), a bound on the size, and signs of counts.
// A file that fails is refused with the object's name and what was expected; never trusted.
constexpr hssize_t kMaxElements = hssize_t{1} << 28;  // 256 Mi values: far above any results file
// The most text a string attribute may hold (all its strings together): the bound on an input file,
// so a config's text fits and a crafted 200 MB attribute is refused, not copied from file to file.
constexpr std::size_t kMaxAttributeText = std::size_t{16} << 20;

// "FILE: dataset /outputs/y/count" (or "attribute seed of /"), for messages.
std::string describe_object(hid_t object, const std::string& kind, const std::string& name) {
  std::string file(1024, '\0'), path(1024, '\0');
  const ssize_t f = H5Fget_name(object, file.data(), file.size());
  const ssize_t p = H5Iget_name(object, path.data(), path.size());
  file.resize(f > 0 ? std::min<std::size_t>(static_cast<std::size_t>(f), 1023) : 0);
  path.resize(p > 0 ? std::min<std::size_t>(static_cast<std::size_t>(p), 1023) : 0);
  const std::string where = kind == "attribute" ? fmt::format("attribute {} of {}", name, path.empty() ? "/" : path)
                                                : fmt::format("dataset {}", path.empty() ? name : path);
  return file.empty() ? where : file + ": " + where;
}

std::string class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER: return "an integer";
    case H5T_FLOAT: return "a float";
    case H5T_STRING: return "a string";
    case H5T_ENUM: return "an enum";
    case H5T_COMPOUND: return "a compound";
    case H5T_ARRAY: return "an array";
    case H5T_VLEN: return "a variable-length sequence";
    default: return "another type";
  }
}

void expect_class(hid_t type, H5T_class_t expected, const std::string& what) {
  const H5T_class_t c = H5Tget_class(type);
  if (c != expected) throw Error(fmt::format("{} holds {}, expected {}", what, class_name(c), class_name(expected)));
}

hssize_t checked_points(hid_t space, const std::string& what) {
  if (H5Sget_simple_extent_type(space) == H5S_NULL) return 0;
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0 || n > kMaxElements) throw Error(fmt::format("{} has {} elements, more than a results file holds", what, n));
  return n;
}

void expect_one(hid_t space, const std::string& what) {
  const hssize_t n = checked_points(space, what);
  if (n != 1) throw Error(fmt::format("{} has {} elements, expected a single value", what, n));
}

// Numbers: floats for doubles, integers for integers (a float count is refused), and no negative
// value where the reader expects an unsigned count.
void expect_number_type(hid_t type, hid_t memory_type, const std::string& what) {
  const H5T_class_t c = H5Tget_class(type);
  const bool want_integer = H5Tget_class(memory_type) == H5T_INTEGER;
  if (want_integer && c != H5T_INTEGER) throw Error(fmt::format("{} holds {}, expected integers", what, class_name(c)));
  if (!want_integer && c != H5T_FLOAT && c != H5T_INTEGER)
    throw Error(fmt::format("{} holds {}, expected numbers", what, class_name(c)));
}

template <typename T>
void refuse_negative(const std::vector<T>& data, hid_t type, hid_t memory_type, hid_t read_from,
                     herr_t (*read)(hid_t, hid_t, void*), const std::string& what) {
  (void)data;
  if (memory_type != H5T_NATIVE_UINT64 || H5Tget_sign(type) != H5T_SGN_2) return;
  std::vector<std::int64_t> as_signed(data.size());
  if (!as_signed.empty()) check_status(read(read_from, H5T_NATIVE_INT64, as_signed.data()), "read " + what);
  for (auto v : as_signed)
    if (v < 0) throw Error(fmt::format("{} holds a negative count ({})", what, v));
}

herr_t read_whole_dataset(hid_t dataset, hid_t memory_type, void* buffer) {
  return H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}

template <typename T>
std::vector<T> read_numbers(hid_t parent, const std::string& name, hid_t memory_type) {
  Handle dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
  const std::string what = describe_object(dataset, "dataset", name);
  Handle space(H5Dget_space(dataset), H5Sclose, "get the dataspace of " + name);
  Handle type(H5Dget_type(dataset), H5Tclose, "get the type of " + name);
  expect_number_type(type, memory_type, what);
  std::vector<T> data(static_cast<std::size_t>(checked_points(space, what)));
  refuse_negative(data, type, memory_type, dataset, read_whole_dataset, what);
  if (!data.empty())
    check_status(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "read " + name);
  return data;
}

herr_t read_whole_attribute(hid_t attribute, hid_t memory_type, void* buffer) {
  return H5Aread(attribute, memory_type, buffer);
}

template <typename T>
T read_number_attribute(hid_t object, const std::string& name, hid_t memory_type) {
  const std::string what = describe_object(object, "attribute", name);
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  Handle space(H5Aget_space(attribute), H5Sclose, "get the dataspace of attribute " + name);
  Handle type(H5Aget_type(attribute), H5Tclose, "get the type of attribute " + name);
  expect_one(space, what);
  expect_number_type(type, memory_type, what);
  std::vector<T> value(1);
  refuse_negative(value, type, memory_type, attribute, read_whole_attribute, what);
  check_status(H5Aread(attribute, memory_type, value.data()), "read attribute " + name);
  return value[0];
}
}  // namespace

Handle::Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what)
    : id_(check(id, what)), close_(close) {}
Handle::~Handle() {
  if (id_ >= 0 && close_) close_(id_);
}
Handle::Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = H5I_INVALID_HID; }
Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Handle create_file(const std::string& path, bool exclusive) {
  // Track creation order so readers list outputs in the order the model declared them.
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create file properties");
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  hid_t id = H5I_INVALID_HID;
  H5E_BEGIN_TRY { id = H5Fcreate(path.c_str(), exclusive ? H5F_ACC_EXCL : H5F_ACC_TRUNC, fcpl, H5P_DEFAULT); }
  H5E_END_TRY;
  return Handle(id, H5Fclose, "create file " + path);
}
void make_scale(hid_t parent, const std::string& name) {
  Handle scale = open_dataset(parent, name);
  check_status(H5DSset_scale(scale, name.c_str()), "make " + name + " a dimension scale");
}

void write_dimension_only(hid_t parent, const std::string& name, hsize_t length) {
  Handle space = dataspace({length});
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  H5Pset_alloc_time(plist, H5D_ALLOC_TIME_LATE);  // never written: no storage at all
  H5Pset_fill_time(plist, H5D_FILL_TIME_NEVER);
  Handle dataset(H5Dcreate2(parent, name.c_str(), H5T_NATIVE_FLOAT, space, H5P_DEFAULT, plist, H5P_DEFAULT),
                 H5Dclose, "create dimension " + name);
  const std::string marker = fmt::format("This is a netCDF dimension but not a netCDF variable.{:10}", length);
  check_status(H5DSset_scale(dataset, marker.c_str()), "make " + name + " a dimension");
}

void attach_scale(hid_t parent, const std::string& dataset, const std::string& scale, unsigned axis) {
  Handle data = open_dataset(parent, dataset), dimension = open_dataset(parent, scale);
  check_status(H5DSattach_scale(data, dimension, axis), "attach dimension " + scale + " to " + dataset);
}

void copy_group(hid_t source, const std::string& name, hid_t target, const std::string& what) {
  check_status(H5Ocopy(source, name.c_str(), target, name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
               fmt::format("copy /{} from {}", name, what));
}

void copy_dataset_without_attributes(hid_t source, const std::string& name, hid_t target, const std::string& what) {
  Handle plist(H5Pcreate(H5P_OBJECT_COPY), H5Pclose, "create copy properties");
  H5Pset_copy_object(plist, H5O_COPY_WITHOUT_ATTR_FLAG);
  check_status(H5Ocopy(source, name.c_str(), target, name.c_str(), plist, H5P_DEFAULT),
               fmt::format("copy {} from {}", name, what));
}

bool is_scale(hid_t parent, const std::string& dataset) {
  Handle data = open_dataset(parent, dataset);
  return H5DSis_scale(data) > 0;
}

void write_cf_attributes(hid_t parent, const std::string& dataset, const std::string& long_name,
                         const std::string& units) {
  Handle data = open_dataset(parent, dataset);
  if (!long_name.empty()) write_attribute(data, "long_name", long_name);
  if (!units.empty()) write_attribute(data, "units", units);
}

void close_file(Handle& file, const std::string& path) {
  const hid_t id = file.release();
  if (id >= 0 && H5Fclose(id) < 0) throw Error("HDF5: cannot finish writing " + path + system_cause());
}

Handle open_file(const std::string& path) {
  return Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open file " + path);
}
Handle create_group(hid_t parent, const std::string& name) {
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create group properties");
  H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT), H5Gclose,
                "create group " + name);
}
Handle open_group(hid_t parent, const std::string& name) {
  return Handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "open group " + name);
}
bool exists(hid_t parent, const std::string& path) {
  return H5Lexists(parent, path.c_str(), H5P_DEFAULT) > 0;
}
std::vector<std::string> children(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  if (names.empty()) {
    // Groups created without creation-order tracking: fall back to name order.
    H5Literate(
        group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
          static_cast<std::vector<std::string>*>(data)->emplace_back(name);
          return 0;
        },
        &names);
  }
  return names;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space = dataspace({});
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  const char* text = value.c_str();
  check_status(H5Awrite(attribute, type, &text), "write attribute " + name);
}
void write_attribute(hid_t object, const std::string& name, double value) {
  Handle space = dataspace({});
  Handle attribute(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  check_status(H5Awrite(attribute, H5T_NATIVE_DOUBLE, &value), "write attribute " + name);
}
void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  Handle space = dataspace({});
  Handle attribute(H5Acreate2(object, name.c_str(), H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  check_status(H5Awrite(attribute, H5T_NATIVE_UINT64, &value), "write attribute " + name);
}
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  Handle type = string_type();
  // An empty list is an HDF5 null dataspace (h5py reads it as Empty), not a 0-length array.
  Handle space = values.empty() ? Handle(H5Screate(H5S_NULL), H5Sclose, "create a null dataspace")
                                : dataspace({values.size()});
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  if (values.empty()) return;
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  check_status(H5Awrite(attribute, type, texts.data()), "write attribute " + name);
}
bool has_attribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  {
    Handle space(H5Aget_space(attribute), H5Sclose, "get the dataspace of attribute " + name);
    Handle stored(H5Aget_type(attribute), H5Tclose, "get the type of attribute " + name);
    const std::string what = describe_object(object, "attribute", name);
    expect_one(space, what);
    expect_class(stored, H5T_STRING, what);
    if (H5Tis_variable_str(stored) <= 0) throw Error(what + " is a fixed-length string, expected a variable-length one");
  }
  Handle type = string_type();
  char* text = nullptr;
  check_status(H5Aread(attribute, type, &text), "read attribute " + name);
  const std::size_t length = text ? std::strlen(text) : 0;
  if (length > kMaxAttributeText) {
    H5free_memory(text);
    throw Error(fmt::format("{} holds {} bytes of text, more than the 16 MiB a string attribute may hold",
                            describe_object(object, "attribute", name), length));
  }
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}
double read_double_attribute(hid_t object, const std::string& name) {
  return read_number_attribute<double>(object, name, H5T_NATIVE_DOUBLE);
}
std::uint64_t read_u64_attribute(hid_t object, const std::string& name) {
  return read_number_attribute<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}
std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  Handle space(H5Aget_space(attribute), H5Sclose, "get attribute space");
  if (H5Sget_simple_extent_type(space) == H5S_NULL) return {};
  {
    Handle stored(H5Aget_type(attribute), H5Tclose, "get the type of attribute " + name);
    const std::string what = describe_object(object, "attribute", name);
    expect_class(stored, H5T_STRING, what);
    if (H5Tis_variable_str(stored) <= 0) throw Error(what + " is a fixed-length string, expected a variable-length one");
  }
  std::vector<char*> texts(static_cast<std::size_t>(checked_points(space, describe_object(object, "attribute", name))));
  Handle type = string_type();
  check_status(H5Aread(attribute, type, texts.data()), "read attribute " + name);
  std::size_t total = 0;
  for (char* t : texts) total += t ? std::strlen(t) : 0;
  if (total > kMaxAttributeText) {
    for (char* t : texts) H5free_memory(t);
    throw Error(fmt::format("{} holds {} bytes of text, more than the 16 MiB a string attribute may hold",
                            describe_object(object, "attribute", name), total));
  }
  std::vector<std::string> values;
  for (char* t : texts) {
    values.emplace_back(t ? t : "");
    H5free_memory(t);
  }
  return values;
}

void write_doubles(hid_t parent, const std::string& name, const std::vector<double>& data,
                   const std::vector<hsize_t>& shape) {
  write_numbers(parent, name, data, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}
void write_u64(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& data,
               const std::vector<hsize_t>& shape) {
  write_numbers(parent, name, data, shape, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}
void write_i64(hid_t parent, const std::string& name, const std::vector<std::int64_t>& data,
               const std::vector<hsize_t>& shape) {
  write_numbers(parent, name, data, shape, H5T_STD_I64LE, H5T_NATIVE_INT64);
}
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  Handle type = string_type();
  Handle space = dataspace({values.size()});
  Handle dataset(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose, "create dataset " + name);
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  if (!texts.empty())
    check_status(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()), "write " + name);
}

std::vector<hsize_t> shape_of(hid_t parent, const std::string& name) {
  Handle dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
  Handle space(H5Dget_space(dataset), H5Sclose, "get the dataspace of " + name);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  return shape;
}
std::vector<double> read_doubles(hid_t parent, const std::string& name) {
  return read_numbers<double>(parent, name, H5T_NATIVE_DOUBLE);
}
std::vector<std::uint64_t> read_u64(hid_t parent, const std::string& name) {
  return read_numbers<std::uint64_t>(parent, name, H5T_NATIVE_UINT64);
}
std::vector<std::int64_t> read_i64(hid_t parent, const std::string& name) {
  return read_numbers<std::int64_t>(parent, name, H5T_NATIVE_INT64);
}
std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  Handle dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
  Handle space(H5Dget_space(dataset), H5Sclose, "get the dataspace of " + name);
  {
    Handle stored(H5Dget_type(dataset), H5Tclose, "get the type of " + name);
    const std::string what = describe_object(dataset, "dataset", name);
    expect_class(stored, H5T_STRING, what);
    if (H5Tis_variable_str(stored) <= 0) throw Error(what + " is fixed-length strings, expected variable-length ones");
  }
  std::vector<char*> texts(static_cast<std::size_t>(checked_points(space, describe_object(dataset, "dataset", name))));
  Handle type = string_type();
  if (!texts.empty()) check_status(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()), "read " + name);
  std::vector<std::string> values;
  for (char* t : texts) {
    values.emplace_back(t ? t : "");
    H5free_memory(t);
  }
  return values;
}

Handle enum_type(const std::vector<std::string>& categories) {
  Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose, "create an enum type");
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const auto code = static_cast<std::uint8_t>(i);
    check_status(H5Tenum_insert(type, categories[i].c_str(), &code), "add enum member " + categories[i]);
  }
  return type;
}

Handle open_dataset(hid_t parent, const std::string& name) {
  return Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
}

std::vector<hsize_t> dataset_shape(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose, "get a dataspace");
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  return shape;
}

AppendableDataset::AppendableDataset(hid_t parent, const std::string& name, hid_t type,
                                     std::vector<hsize_t> row_shape, hsize_t chunk_rows)
    : type_copy_(H5Tcopy(type), H5Tclose, "copy a type"), row_shape_(std::move(row_shape)),
      chunk_rows_(std::max<hsize_t>(1, chunk_rows)) {
  std::vector<hsize_t> shape{0}, max_shape{H5S_UNLIMITED};
  shape.insert(shape.end(), row_shape_.begin(), row_shape_.end());
  max_shape.insert(max_shape.end(), row_shape_.begin(), row_shape_.end());
  std::vector<hsize_t> chunk = shape;
  chunk[0] = chunk_rows_;
  Handle space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), max_shape.data()), H5Sclose,
               "create a dataspace");
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  H5Pset_chunk(plist, static_cast<int>(chunk.size()), chunk.data());
  H5Pset_shuffle(plist);
  H5Pset_deflate(plist, 4);
  dataset_ = Handle(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose,
                    "create dataset " + name);
}

void AppendableDataset::write_rows(hsize_t first_row, hsize_t rows, const void* data) {
  std::vector<hsize_t> start(row_shape_.size() + 1, 0), count{rows};
  start[0] = first_row;
  count.insert(count.end(), row_shape_.begin(), row_shape_.end());
  std::vector<hsize_t> shape = dataset_shape(dataset_);
  if (shape[0] < first_row + rows) {
    shape[0] = first_row + rows;
    check_status(H5Dset_extent(dataset_, shape.data()), "extend a dataset");
  }
  Handle file_space(H5Dget_space(dataset_), H5Sclose, "get a dataspace");
  check_status(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
               "select rows");
  Handle memory_space = dataspace(count);
  check_status(H5Dwrite(dataset_, type_copy_, memory_space, file_space, H5P_DEFAULT, data), "write rows");
}

void AppendableDataset::copy_rows_from(hid_t source, hsize_t first_row) {
  const std::vector<hsize_t> shape = dataset_shape(source);
  if (!std::equal(shape.begin() + 1, shape.end(), row_shape_.begin(), row_shape_.end()))
    throw Error("HDF5: cannot copy rows between datasets of different row shapes");
  const hsize_t row_bytes = elements(row_shape_) * H5Tget_size(type_copy_);
  std::vector<unsigned char> buffer(chunk_rows_ * row_bytes);
  Handle file_space(H5Dget_space(source), H5Sclose, "get a dataspace");
  // Whole destination chunks at a time: memory stays at one chunk whatever the row count.
  for (hsize_t row = 0; row < shape[0]; row += chunk_rows_) {
    std::vector<hsize_t> start(shape.size(), 0), count = shape;
    start[0] = row;
    count[0] = std::min(chunk_rows_, shape[0] - row);
    check_status(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                 "select rows");
    Handle memory_space = dataspace(count);
    check_status(H5Dread(source, type_copy_, memory_space, file_space, H5P_DEFAULT, buffer.data()), "read rows");
    write_rows(first_row + row, count[0], buffer.data());
  }
}

void create_virtual_rows(hid_t parent, const std::string& name, hid_t type, const std::vector<hsize_t>& row_shape,
                         hsize_t total_rows, const std::vector<VirtualSource>& sources) {
  std::vector<hsize_t> shape{total_rows};
  shape.insert(shape.end(), row_shape.begin(), row_shape.end());
  Handle space = dataspace(shape);
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  for (const auto& source : sources) {
    std::vector<hsize_t> start(shape.size(), 0), count = shape;
    start[0] = source.first_row;
    count[0] = source.rows;
    Handle target(H5Scopy(space), H5Sclose, "copy a dataspace");
    check_status(H5Sselect_hyperslab(target, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                 "select rows");
    Handle source_space = dataspace(count);
    check_status(H5Pset_virtual(plist, target, source.file.c_str(), source.dataset.c_str(), source_space),
                 "map " + source.file + ":" + source.dataset);
  }
  Handle dataset(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose,
                 "create virtual dataset " + name);
}

std::vector<std::string> virtual_source_files(hid_t dataset) {
  Handle plist(H5Dget_create_plist(dataset), H5Pclose, "get dataset properties");
  if (H5Pget_layout(plist) != H5D_VIRTUAL) return {};
  size_t count = 0;
  check_status(H5Pget_virtual_count(plist, &count), "count virtual sources");
  std::vector<std::string> files;
  for (size_t i = 0; i < count; ++i) {
    const ssize_t length = H5Pget_virtual_filename(plist, i, nullptr, 0);
    if (length < 0) throw Error("HDF5: cannot read a virtual source name");
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Pget_virtual_filename(plist, i, name.data(), name.size());
    name.resize(static_cast<std::size_t>(length));
    files.push_back(name);
  }
  return files;
}

}  // namespace deterrence::h5
