#pragma once
// `deterrence sensitivity CONFIG`: grouped first-order and total Sobol indices of chosen outputs,
// written with the A rows' ordinary statistics into one results file (/sensitivity/<output>).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deterrence {

struct SensitivityCommandOptions {
  std::string config;
  std::uint64_t rows = 4096;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> outputs;  // default: the outputs the model marks for sensitivity
  bool by_parameter = false;         // default: by the parameters' groups (if any are labelled)
  int bootstrap = 100;
  int threads = 0;
  std::string shard;  // "I/N": only shard I of the design's rows; merge the shard files after
  std::string out;
  bool force = false;
  bool quiet = false;
};

class World;
// Under MPI (world.size() > 1) rank R runs rows of shard R+1 of K and rank 0 writes one file.
int sensitivity_command(const SensitivityCommandOptions& options, const World& world);

}  // namespace deterrence
