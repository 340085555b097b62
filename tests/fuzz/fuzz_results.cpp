// libFuzzer target: the results-file readers (verify, summary, the case table, merge's shard
// reader). Structure-aware: the input does not replace a file's bytes (that would mostly fuzz
// HDF5's own parser, whose bugs we cannot fix here) but edits a valid results file through the
// HDF5 API, as a hostile or damaged file would differ from a good one: values overwritten in
// place (NaN, negative counts, random bytes), attributes and datasets replaced with another type
// or shape, deleted, or turned into soft or external links. Every reader must refuse cleanly
// (an exception: exit 1 or 2 from `main`) or accept; a crash, abort, leak or sanitizer report is
// a finding. The valid files come from $DETERRENCE_FUZZ_FILES (see tests/fuzz/run_fuzzers.sh).
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "cli/summary.h"
#include "cli/verify_command.h"
#include "io/pieces.h"
#include "io/results_reader.h"

namespace fs = std::filesystem;

namespace {

struct Target {
  std::string owner;      // path of the object ("/" for the root)
  std::string attribute;  // empty: the object itself is a dataset
};

struct BaseFile {
  fs::path path;
  std::vector<Target> targets;
};

std::vector<BaseFile> bases;
fs::path work_file;
std::FILE* sink = nullptr;

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* data) {
  auto* context = static_cast<std::pair<std::string, std::vector<Target>*>*>(data);
  context->second->push_back({context->first, name});
  return 0;
}

herr_t collect_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto* targets = static_cast<std::vector<Target>*>(data);
  const std::string path = std::string(name) == "." ? "/" : "/" + std::string(name);
  if (info->type == H5O_TYPE_DATASET) targets->push_back({path, ""});
  const hid_t object = H5Oopen(root, path.c_str(), H5P_DEFAULT);
  std::pair<std::string, std::vector<Target>*> context{path, targets};
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute, &context);
  H5Oclose(object);
  return 0;
}

hid_t numeric_type(int which) {
  switch (which) {
    case 0: return H5T_NATIVE_INT8;
    case 1: return H5T_NATIVE_INT32;
    case 2: return H5T_NATIVE_INT64;
    case 3: return H5T_NATIVE_UINT64;
    case 4: return H5T_NATIVE_FLOAT;
    default: return H5T_NATIVE_DOUBLE;
  }
}

// A dataspace of rank 0-2 with at most 8192 elements (or an empty one).
hid_t random_space(FuzzedDataProvider& input) {
  const int rank = input.ConsumeIntegralInRange(0, 2);
  if (rank == 0) return H5Screate(H5S_SCALAR);
  hsize_t dims[2] = {input.ConsumeIntegralInRange<hsize_t>(0, 8192), 1};
  if (rank == 2) dims[1] = input.ConsumeIntegralInRange<hsize_t>(0, 8192 / std::max<hsize_t>(1, dims[0]));
  return H5Screate_simple(rank, dims, nullptr);
}

// Fills n elements of `type` from the input, salted with the values readers must refuse.
std::vector<unsigned char> random_values(FuzzedDataProvider& input, hid_t type, hssize_t n) {
  const std::size_t size = H5Tget_size(type);
  std::vector<unsigned char> bytes(size * static_cast<std::size_t>(std::max<hssize_t>(0, n)));
  const int style = input.ConsumeIntegralInRange(0, 3);
  for (hssize_t i = 0; i < n; ++i) {
    unsigned char* at = bytes.data() + static_cast<std::size_t>(i) * size;
    if (H5Tget_class(type) == H5T_FLOAT && style == 1) {
      const double special[] = {std::nan(""), INFINITY, -INFINITY, -1.0, 1e308, -3.7, 0.5};
      const double v = special[input.ConsumeIntegralInRange(0, 6)];
      if (size == 8) std::memcpy(at, &v, 8);
      else {
        const float f = static_cast<float>(v);
        std::memcpy(at, &f, 4);
      }
    } else if (H5Tget_class(type) == H5T_INTEGER && style == 1) {
      const std::int64_t special[] = {-1, -3, 0, std::numeric_limits<std::int64_t>::max(),
                                      std::numeric_limits<std::int64_t>::min(), 1 << 30};
      const std::int64_t v = special[input.ConsumeIntegralInRange(0, 5)];
      std::memcpy(at, &v, std::min<std::size_t>(size, 8));
    } else {
      const auto raw = input.ConsumeBytes<unsigned char>(size);
      std::copy(raw.begin(), raw.end(), at);
    }
  }
  return bytes;
}

void replace(FuzzedDataProvider& input, hid_t file, const Target& target) {
  H5E_BEGIN_TRY {
    const hid_t owner = H5Oopen(file, target.owner.c_str(), H5P_DEFAULT);
    if (owner < 0) return;
    const hid_t space = random_space(input);
    const bool text = input.ConsumeBool();
    hid_t type = -1;
    if (text) {
      type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, input.ConsumeIntegralInRange<std::size_t>(1, 64));
    } else {
      type = H5Tcopy(numeric_type(input.ConsumeIntegralInRange(0, 5)));
    }
    const auto values = random_values(input, type, H5Sget_simple_extent_npoints(space));
    if (!target.attribute.empty()) {
      H5Adelete(owner, target.attribute.c_str());
      const hid_t attribute = H5Acreate2(owner, target.attribute.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
      if (attribute >= 0) {
        H5Awrite(attribute, type, values.data());
        H5Aclose(attribute);
      }
    } else {
      H5Ldelete(file, target.owner.c_str(), H5P_DEFAULT);
      const hid_t dataset = H5Dcreate2(file, target.owner.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (dataset >= 0) {
        H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        H5Dclose(dataset);
      }
    }
    H5Tclose(type);
    H5Sclose(space);
    H5Oclose(owner);
  }
  H5E_END_TRY;
}

void overwrite_in_place(FuzzedDataProvider& input, hid_t file, const Target& target) {
  H5E_BEGIN_TRY {
    const bool attribute = !target.attribute.empty();
    const hid_t object = attribute ? H5Aopen_by_name(file, target.owner.c_str(), target.attribute.c_str(),
                                                     H5P_DEFAULT, H5P_DEFAULT)
                                   : H5Dopen2(file, target.owner.c_str(), H5P_DEFAULT);
    if (object < 0) return;
    const hid_t type = attribute ? H5Aget_type(object) : H5Dget_type(object);
    const hid_t space = attribute ? H5Aget_space(object) : H5Dget_space(object);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    // Variable-length data (strings, and sequences such as the dimension scales' DIMENSION_LIST)
    // hold pointers in memory: only fixed-size values are overwritten byte by byte.
    if (H5Tis_variable_str(type) <= 0 && H5Tdetect_class(type, H5T_VLEN) <= 0 && n >= 0 && static_cast<std::size_t>(n) * H5Tget_size(type) <= (4u << 20)) {
      const auto values = random_values(input, type, n);
      if (attribute) H5Awrite(object, type, values.data());
      else H5Dwrite(object, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    }
    H5Sclose(space);
    H5Tclose(type);
    attribute ? H5Aclose(object) : H5Dclose(object);
  }
  H5E_END_TRY;
}

void remove_or_link(FuzzedDataProvider& input, hid_t file, const Target& target, const std::vector<Target>& all) {
  H5E_BEGIN_TRY {
    if (!target.attribute.empty()) {
      H5Adelete_by_name(file, target.owner.c_str(), target.attribute.c_str(), H5P_DEFAULT);
    } else {
      H5Ldelete(file, target.owner.c_str(), H5P_DEFAULT);
      const int how = input.ConsumeIntegralInRange(0, 2);
      const std::string other = all[input.ConsumeIntegralInRange<std::size_t>(0, all.size() - 1)].owner;
      if (how == 1) H5Lcreate_soft(other.c_str(), file, target.owner.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      if (how == 2) H5Lcreate_external("/etc/hostname", "/x", file, target.owner.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    }
  }
  H5E_END_TRY;
}

template <typename F>
void refused_or_read(F&& read) {
  try {
    read();
  } catch (const std::exception&) {
    // a clean refusal
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const char* folder = std::getenv("DETERRENCE_FUZZ_FILES");
  if (!folder) {
    std::fprintf(stderr, "set DETERRENCE_FUZZ_FILES to a folder of valid results files\n");
    std::abort();
  }
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".h5") continue;
    BaseFile base{entry.path(), {}};
    const hid_t file = H5Fopen(entry.path().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, collect_object, &base.targets, H5O_INFO_BASIC);
    H5Fclose(file);
    if (!base.targets.empty()) bases.push_back(std::move(base));
  }
  if (bases.empty()) std::abort();
  std::sort(bases.begin(), bases.end(), [](const BaseFile& a, const BaseFile& b) { return a.path < b.path; });
  std::string pattern = (fs::temp_directory_path() / "fuzz-results-XXXXXX").string();
  work_file = fs::path(mkdtemp(pattern.data())) / "fuzzed.h5";
  sink = std::fopen("/dev/null", "w");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const BaseFile& base = bases[input.ConsumeIntegralInRange<std::size_t>(0, bases.size() - 1)];
  fs::copy_file(base.path, work_file, fs::copy_options::overwrite_existing);
  const hid_t file = H5Fopen(work_file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return 0;
  const int edits = input.ConsumeIntegralInRange(1, 4);
  for (int e = 0; e < edits && input.remaining_bytes() > 0; ++e) {
    const Target& target = base.targets[input.ConsumeIntegralInRange<std::size_t>(0, base.targets.size() - 1)];
    switch (input.ConsumeIntegralInRange(0, 2)) {
      case 0: overwrite_in_place(input, file, target); break;
      case 1: replace(input, file, target); break;
      default: remove_or_link(input, file, target, base.targets); break;
    }
  }
  H5Fclose(file);
  const std::string path = work_file.string();
  refused_or_read([&] { deterrence::verify_results_file(path); });
  refused_or_read([&] {
    const deterrence::ResultsFile results(path);
    deterrence::print_summary(results, deterrence::SummaryFormat::table, sink);
    deterrence::print_summary(results, deterrence::SummaryFormat::json, sink);
    (void)results.case_forecasts();
  });
  refused_or_read([&] { (void)deterrence::read_pieces({path}); });
  return 0;
}
