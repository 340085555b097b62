#pragma once
// /sensitivity in a results file: the indices a reader wants, and the exact sums behind them
// (digits, like /outputs' sum_exact) so that shard files merge into the single-process bits.
#include <hdf5.h>

#include <string>
#include <vector>

#include "sensitivity/saltelli.h"

namespace deterrence {

struct SensitivityOutput {
  std::string name;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;  // per dim
  std::size_t elements = 1;
};

struct StoredSensitivity {
  SaltelliShape shape;
  std::vector<SensitivityOutput> outputs;  // in target order
  std::vector<std::string> groups, group_members;
  std::string grouping;
  std::vector<ExactSum> sums;
};

void write_sensitivity(hid_t file, const StoredSensitivity& stored);
// Throws std::runtime_error naming `path` when it holds no readable /sensitivity.
StoredSensitivity read_sensitivity(hid_t file, const std::string& path);

}  // namespace deterrence
