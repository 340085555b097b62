#pragma once
// The statistics of a run as HDF5: /dims and /outputs written from a RunStatistics, and read
// back exactly (counts, exact sums, extremes, sketches) so that shards, checkpoints and resumed
// runs fold into the same bits as one uninterrupted run.
#include <hdf5.h>

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

}  // namespace deterrence
