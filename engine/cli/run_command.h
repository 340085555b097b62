#pragma once
// `deterrence run`: config -> validated experiment -> draws -> statistics -> HDF5.
#include <cstdint>
#include <optional>
#include <string>

namespace deterrence {

struct RunCommandOptions {
  std::string config;
  std::optional<std::uint64_t> draws, seed;
  int threads = 0;
  std::string out;  // default: <config stem>.h5 in the working folder
  bool force = false;
  bool quiet = false;
};

// Returns the process exit code (0 success, 1 runtime failure, 2 bad input).
int run_command(const RunCommandOptions& options);
int validate_command(const std::string& config);

}  // namespace deterrence
