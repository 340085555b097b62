#pragma once
// `deterrence verify FILE...`: checks results files without merging them — the checksum of their
// exact partials, counts against draws, and every derived statistic against the partials.
#include <string>
#include <vector>

namespace deterrence {

int verify_command(const std::vector<std::string>& files);
// The same checks for one open file (used by `summary` before it prints); throws on a failure.
// Returns whether the root attributes carry their checksum (metadata_sha256; engine 0.4.0 on).
bool verify_results_file(const std::string& path);

}  // namespace deterrence
