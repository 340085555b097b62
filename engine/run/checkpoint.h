#pragma once
// The files a run keeps while it works: OUT.checkpoint/ holds one results file per completed
// segment of chunks (per MPI rank in rank-R-of-K/, per sweep point in point-K.h5.checkpoint/), so
// that an interrupted run resumes to the same bits. These helpers check, list and remove them, and
// decide what happens to an existing output before a run starts.
#include <cstdint>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "run/shard.h"

namespace deterrence {

struct Experiment;
struct RunOptions;

// How a run was asked for is wrong (exit 2), as opposed to a failure while it ran (exit 1).
class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string segment_name(std::uint64_t chunk_first);
// The completed segments in one checkpoint folder, sorted (removes a segment's temporary file cut
// off by SIGKILL; refuses a folder holding anything this program did not write).
std::vector<std::string> completed_segments(const std::filesystem::path& folder);
// Every completed segment under the checkpoint folder, rank subfolders included.
std::vector<std::string> all_segments(const std::filesystem::path& folder);
// Removes a checkpoint folder: its segments, sweep points and calibration rounds and their
// temporary files, its rank subfolders, then the folder if empty. A link is never followed, and nothing else is touched.
void remove_checkpoint(const std::filesystem::path& folder);

// The output must be new (or --force), and a left-over checkpoint is resumed (--resume) or
// discarded (--force), never silently; --resume needs one. Removes a discarded checkpoint.
// Shared by `run`, sweeps and `calibrate`.
void check_output(const std::string& out, const std::filesystem::path& folder, bool force, bool resume, bool quiet);
// Checks, by the root rank only, of the output and the checkpoint folder before anything runs.
// Returns 0 to go on, -1 when a resumed run turns out to be complete already.
int prepare_output(const RunOptions& options, const Experiment& experiment, ChunkRange range, const std::string& out,
                   const std::filesystem::path& folder, int ranks);
// True when `out` is the complete result of this experiment's range (config, seed, draws).
bool finished(const std::string& out, const Experiment& e, ChunkRange range);

// Prints "error: ..." and returns `code`.
int report(const std::exception& error, int code);
// A failure after segments were checkpointed (a full disk, a quota) loses none of them: says where
// they are and how to resume; returns 1.
int report_keeping(const std::exception& error, const std::filesystem::path& folder);

}  // namespace deterrence
