#pragma once
// Writes a run's results file (layout in README "HDF5 layout"). The file is built under a
// temporary name and renamed into place only by commit(); if anything fails first, the
// temporary file is removed, so a failed run never leaves a file that looks complete.
#include <string>

#include "config/experiment.h"
#include "io/h5.h"
#include "run/runner.h"
#include "stats/statistics.h"

namespace deterrence {

constexpr const char* kFileType = "deterrence.results";
constexpr std::uint64_t kFormatVersion = 3;  // 2: chunk ranges, shards, resumable runs; 3: dimension scales

struct RunInfo {
  int threads = 1;
  std::uint64_t first_draw = 0;
  std::uint64_t draw_count = 0;   // draws in this file
  std::uint64_t total_draws = 0;  // draws of the whole experiment
  std::uint64_t chunk_first = 0, chunk_end = 0;  // the chunks [first, end) this file holds
  std::string shard = "1/1";                     // "I/N" for shard files
  std::string start_time, end_time;
  double setup_seconds = 0.0, total_seconds = 0.0;
  RunTimings timings;
};

class ResultsWriter {
 public:
  // Throws std::runtime_error if `path` exists and overwrite is false.
  ResultsWriter(std::string path, bool overwrite);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  // Creates the per-draw record datasets the experiment asks for; row 0 is draw first_draw.
  void prepare_records(const Experiment& experiment, std::uint64_t first_draw);
  void write_records(const ChunkRecords& records);
  void write_results(const Experiment& experiment, const RunStatistics& statistics, const RunInfo& info);
  void commit();

  const std::string& temporary_path() const { return temporary_path_; }
  hid_t file() const { return file_; }

 private:
  std::string path_, temporary_path_;
  h5::Handle file_;
  std::vector<h5::AppendableDataset> code_records_;
  std::vector<std::size_t> code_record_widths_;
  std::vector<h5::AppendableDataset> aggregate_records_;  // records.aggregates, one per output
  std::vector<std::size_t> aggregate_record_widths_;
  h5::AppendableDataset parameter_records_;
  std::uint64_t first_draw_ = 0;
  bool committed_ = false;
};

std::string iso_time_now();

// The root attributes that say what a file is and which experiment made it (filetype, versions,
// model, config text, path and hash, the configs it extends), and /inputs.
void write_identity(hid_t file, const Experiment& experiment);

// Rows per HDF5 chunk of a per-draw record dataset: at most 1 MiB, tiling a run chunk exactly.
hsize_t record_chunk_rows(std::uint32_t run_chunk, std::size_t row_bytes);

}  // namespace deterrence
