#include "cli/verify_command.h"

#include <fmt/format.h>

#include "io/metadata_digest.h"
#include "io/records_check.h"
#include "io/results_reader.h"
#include "run/shard.h"
#include "io/statistics_io.h"

namespace deterrence {

bool verify_results_file(const std::string& path) {
  h5::Handle file = open_results_file(path);
  const bool covered = verify_metadata(file, path);  // every root attribute a reader prints
  if (!h5::exists(file, "outputs")) {  // sweeps and calibrations hold no root statistics
    verify_objects(file, path);
    return covered;
  }
  const OutputLayout layout = read_layout(file);
  RunStatistics statistics(layout);
  verify_statistics(file, path, statistics, true);
  // The draw counts a reader prints, re-derived from the checked chunk range.
  const std::uint64_t total = h5::read_u64_attribute(file, "total_draws"), chunk = h5::read_u64_attribute(file, "chunk_size");
  const std::uint64_t first = h5::read_u64_attribute(file, "chunk_first"), end = h5::read_u64_attribute(file, "chunk_end");
  const std::uint64_t draws = h5::read_u64_attribute(file, "draws");
  if (chunk == 0 || end <= first || end > chunk_count(total, chunk) ||
      draws != draws_in({first, end}, total, chunk) || h5::read_u64_attribute(file, "first_draw") != first_draw_of(first, chunk))
    throw std::runtime_error(fmt::format("{}: its draws ({}), first_draw, total_draws ({}) and chunk_size ({}) do not fit "
                                         "its chunks {}-{}",
                                         path, draws, total, chunk, first, end));
  check_records(file, path, layout, draws);
  verify_objects(file, path);  // every group and dataset but the statistics (above) and records
  return covered;
}

int verify_command(const std::vector<std::string>& files) {
  int failures = 0;
  for (const auto& path : files) {
    try {
      const bool covered = verify_results_file(path);
      const std::string note = covered ? "" : " (its root attributes carry no checksum: written before engine 0.4.0)";
      h5::Handle file = open_results_file(path);
      if (h5::exists(file, "outputs"))
        fmt::print("{}: ok (content SHA-256 {}…, {} draws, chunks {}-{}){}\n", path,
                   h5::read_string_attribute(file, "content_sha256").substr(0, 16), h5::read_u64_attribute(file, "draws"),
                   h5::read_u64_attribute(file, "chunk_first"), h5::read_u64_attribute(file, "chunk_end"), note);
      else
        fmt::print("{}: ok (no root statistics: a sweep or a calibration; its groups and datasets match {}){}\n", path,
                   covered ? kObjectsDigest : "nothing", note);
    } catch (const std::exception& error) {
      fmt::print(stderr, "error: {}\n", error.what());
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace deterrence
