#pragma once
// `deterrence merge`: shard files -> one results file identical in its statistics to a
// single-process run of the same config and seed.
#include <string>
#include <vector>

namespace deterrence {

struct MergeCommandOptions {
  std::vector<std::string> shards;
  std::string out;
  bool copy = false;  // copy per-draw records instead of a virtual dataset over the shard files
  bool force = false;
  bool quiet = false;
};

// Returns the process exit code: 0 merged, 1 the shards do not make one run (nothing written).
int merge_command(const MergeCommandOptions& options);

}  // namespace deterrence
