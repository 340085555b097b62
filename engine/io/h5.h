#pragma once
// A thin RAII layer over the HDF5 C API: just what the results writer and reader use.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace deterrence::h5 {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Owns one HDF5 identifier and closes it with the right function.
// ": the disk is full …" when the HDF5 call that just failed met a system error, else "".
std::string system_cause();
// A short sentence for errno `code` (disk full, quota, permission…).
std::string describe_system_error(int code);

class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t id() const { return id_; }
  operator hid_t() const { return id_; }
  hid_t release() {  // the caller closes it now
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

// Closes a file and reports a failure to flush it (a full disk shows up here, too).
void close_file(Handle& file, const std::string& path);

// exclusive: fail if anything (a file, a link) is at `path` (O_CREAT|O_EXCL, no link followed).
Handle create_file(const std::string& path, bool exclusive = false);
Handle open_file(const std::string& path);  // read-only
Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);
bool exists(hid_t parent, const std::string& path);
std::vector<std::string> children(hid_t group);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
std::string read_string_attribute(hid_t object, const std::string& name);
double read_double_attribute(hid_t object, const std::string& name);
std::uint64_t read_u64_attribute(hid_t object, const std::string& name);
std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name);
bool has_attribute(hid_t object, const std::string& name);

// Small whole datasets, compressed when large enough to matter.
void write_doubles(hid_t parent, const std::string& name, const std::vector<double>& data,
                   const std::vector<hsize_t>& shape);
void write_u64(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& data,
               const std::vector<hsize_t>& shape);
void write_i64(hid_t parent, const std::string& name, const std::vector<std::int64_t>& data,
               const std::vector<hsize_t>& shape);
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values);

std::vector<hsize_t> shape_of(hid_t parent, const std::string& name);
std::vector<double> read_doubles(hid_t parent, const std::string& name);
std::vector<std::uint64_t> read_u64(hid_t parent, const std::string& name);
std::vector<std::int64_t> read_i64(hid_t parent, const std::string& name);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);

// An HDF5 enum type on uint8 whose names are `categories` (code i is categories[i]).
Handle enum_type(const std::vector<std::string>& categories);

Handle open_dataset(hid_t parent, const std::string& name);

// Dimension scales (HDF5's DS API), the way netCDF-4, xarray (h5netcdf) and HDFView name axes.
// Makes parent/name a scale for the dimension `name` (its values are the coordinate).
void make_scale(hid_t parent, const std::string& name);
// A dimension of `length` with no coordinate values: a scale with no storage, marked the way
// netCDF-4 marks "a dimension but not a variable".
void write_dimension_only(hid_t parent, const std::string& name, hsize_t length);
// Attaches the scale parent/scale to axis `axis` of parent/dataset.
void attach_scale(hid_t parent, const std::string& dataset, const std::string& scale, unsigned axis);
// Copies source/name (a group and everything in it) to target/name. Object references inside the
// copy (dimension scales) would still point into the source file, so copy only groups without
// scales; labelled datasets are written again (write_outputs, label_records).
void copy_group(hid_t source, const std::string& name, hid_t target, const std::string& what);

bool is_scale(hid_t parent, const std::string& dataset);
// Copies one dataset's values (not its attributes: a scale's references would be stale).
void copy_dataset_without_attributes(hid_t source, const std::string& name, hid_t target, const std::string& what);

// CF-style descriptive attributes ("long_name", "units").
void write_cf_attributes(hid_t parent, const std::string& dataset, const std::string& long_name,
                         const std::string& units);
std::vector<hsize_t> dataset_shape(hid_t dataset);

// A dataset that grows along its first axis (per-draw records), written in whole chunks of
// `chunk_rows` rows. It starts empty; writing past the end extends it.
class AppendableDataset {
 public:
  AppendableDataset() = default;
  AppendableDataset(hid_t parent, const std::string& name, hid_t type, std::vector<hsize_t> row_shape,
                    hsize_t chunk_rows);
  // Writes rows [first_row, first_row + rows) from a contiguous buffer of the dataset's type.
  void write_rows(hsize_t first_row, hsize_t rows, const void* data);
  // Copies every row of `source` (same type and row shape) to rows starting at first_row.
  void copy_rows_from(hid_t source, hsize_t first_row);
  explicit operator bool() const { return dataset_.id() >= 0; }

 private:
  Handle dataset_;
  Handle type_copy_;
  std::vector<hsize_t> row_shape_;
  hsize_t chunk_rows_ = 1;
};

// A virtual dataset whose rows are read from datasets in other files. HDF5 reads a missing
// source file as fill values without any error, so readers must check virtual_source_files.
struct VirtualSource {
  std::string file;  // relative to the virtual dataset's file, or absolute
  std::string dataset;
  hsize_t first_row = 0, rows = 0;
};
void create_virtual_rows(hid_t parent, const std::string& name, hid_t type, const std::vector<hsize_t>& row_shape,
                         hsize_t total_rows, const std::vector<VirtualSource>& sources);
std::vector<std::string> virtual_source_files(hid_t dataset);  // empty unless the dataset is virtual

}  // namespace deterrence::h5
