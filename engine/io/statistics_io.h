#pragma once
// The statistics of a run as HDF5: /dims and /outputs written from a RunStatistics, and read
// back exactly (counts, exact sums, extremes, sketches) so that shards, checkpoints and resumed
// runs fold into the same bits as one uninterrupted run.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/output_layout.h"
#include "stats/statistics.h"

namespace deterrence {

extern const std::vector<double> kQuantileLevels;

void write_dims(hid_t file, const OutputLayout& layout);
void write_outputs(hid_t file, const OutputLayout& layout, const RunStatistics& statistics);
// The output layout a results file was written with (no model needed).
OutputLayout read_layout(hid_t file);
// Restores every output's partials into `statistics` (whose layout must match the file's).
void read_statistics(hid_t file, RunStatistics& statistics);

// A checksum of a file's canonical content: SHA-256 over every exact partial (counts, exact sums,
// extremes, sketches, category counts), the chunk range and the config hash. Written as the root
// attribute content_sha256 by every writer of statistics; checked by merge, --resume, summary and
// verify, so bit rot, a half-copied file or a hand edit is refused, not merged.
std::string content_digest(const RunStatistics& statistics, std::uint64_t chunk_first, std::uint64_t chunk_end,
                           const std::string& config_hash);
void write_content_digest(hid_t file, const RunStatistics& statistics, std::uint64_t chunk_first,
                          std::uint64_t chunk_end, const std::string& config_hash);
// Restores a file's statistics and checks them: the checksum, every real element's count at most
// the file's draws, every categorical element's counts summing to its draws. Throws
// std::runtime_error naming `path` and what disagrees. Files without statistics at the root
// (sweeps, calibrations) are not checked here.
void verify_statistics(hid_t file, const std::string& path, RunStatistics& statistics);
// The same, and with `derived` every statistic a reader shows (means, shares, intervals,
// quantiles) recomputed from the checked partials and compared byte for byte with the file's.
void verify_statistics(hid_t file, const std::string& path, RunStatistics& statistics, bool derived);

}  // namespace deterrence
