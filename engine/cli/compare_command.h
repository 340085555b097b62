#pragma once
// `deterrence compare CALIB.h5...`: nested models' calibrations set against each other
// (engine/calibration/comparison.h), written to FILE and printed.
#include <string>
#include <vector>

namespace deterrence {

struct CompareCommandOptions {
  std::vector<std::string> calibrations;
  std::string out = "comparison.h5";
  bool force = false, quiet = false;
};

int compare_command(const CompareCommandOptions& options);

}  // namespace deterrence
