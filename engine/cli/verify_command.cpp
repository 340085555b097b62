#include "cli/verify_command.h"

#include <fmt/format.h>

#include "io/results_reader.h"
#include "io/statistics_io.h"

namespace deterrence {

void verify_results_file(const std::string& path) {
  h5::Handle file = open_results_file(path);
  if (!h5::exists(file, "outputs")) return;  // sweeps and calibrations hold no root statistics
  const OutputLayout layout = read_layout(file);
  RunStatistics statistics(layout);
  verify_statistics(file, path, statistics, true);
}

int verify_command(const std::vector<std::string>& files) {
  int failures = 0;
  for (const auto& path : files) {
    try {
      verify_results_file(path);
      h5::Handle file = open_results_file(path);
      if (h5::exists(file, "outputs"))
        fmt::print("{}: ok (content SHA-256 {}…, {} draws, chunks {}-{})\n", path,
                   h5::read_string_attribute(file, "content_sha256").substr(0, 16), h5::read_u64_attribute(file, "draws"),
                   h5::read_u64_attribute(file, "chunk_first"), h5::read_u64_attribute(file, "chunk_end"));
      else
        fmt::print("{}: structure ok (no root statistics to check: a sweep or a calibration)\n", path);
    } catch (const std::exception& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace deterrence
