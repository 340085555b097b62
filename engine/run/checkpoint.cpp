#include "run/checkpoint.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/experiment.h"
#include "io/pieces.h"
#include "io/safe_files.h"
#include "run/experiment_run.h"
#include "version.h"

namespace deterrence {

namespace fs = std::filesystem;

std::string segment_name(std::uint64_t chunk_first) { return fmt::format("segment-{:012}.h5", chunk_first); }

// The checkpoint folder holds one results file per completed segment of chunks, and perhaps a
// segment's temporary file cut off by SIGKILL (debris, removed). Anything else was not written
// by this program: it is neither followed nor removed, and the resume is refused.
std::vector<std::string> completed_segments(const fs::path& folder) {
  refuse_symlink(folder, "the checkpoint folder");
  std::vector<std::string> segments;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (!is_own_file(entry.path(), "segment-"))
      throw UsageError(fmt::format("{} holds {}, which this program did not write; move it away and run again",
                                   folder.string(), entry.path().filename().string().substr(0, 80)));
    if (name.ends_with(".h5")) segments.push_back(entry.path().string());
    else fs::remove(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

// Removes a checkpoint folder: its segments and their temporary files, its rank subfolders, then
// the folder if empty. A link is never followed, and nothing else is touched.
void remove_checkpoint(const fs::path& folder) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(folder, error))) return;
  refuse_symlink(folder, "the checkpoint folder");
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (is_own_file(entry.path(), "segment-") || is_own_file(entry.path(), "point-") ||
        is_own_file(entry.path(), "round-") || is_own_file(entry.path(), "stage-"))
      fs::remove(entry.path());
    else if ((name.starts_with("rank-") || (name.starts_with("point-") && name.ends_with(".h5.checkpoint"))) &&
             !entry.is_symlink() && entry.is_directory())
      remove_checkpoint(entry.path());
  }
  if (!fs::remove(folder, error) && fs::exists(folder))
    fmt::print(stderr, "left {} in place: it holds files this program did not write\n", folder.string());
}

// True when `out` is the complete result of this experiment's range (config, seed, draws).
bool finished(const std::string& out, const Experiment& e, ChunkRange range) {
  try {
    const PieceSet set = read_pieces({out});
    const Piece& p = set.pieces.front();
    return set.config_hash == e.config_hash && set.engine_version == kEngineVersion && set.seed == e.seed &&
           set.total_draws == e.draws &&
           set.chunk_size == e.chunk_size && p.chunk_first == range.first && p.chunk_end == range.end;
  } catch (const std::exception&) {
    return false;
  }
}

// The output must be new (or --force), and a left-over checkpoint is resumed (--resume) or
// discarded (--force), never silently; --resume needs one. Removes a discarded checkpoint.
void check_output(const std::string& out, const fs::path& folder, bool force, bool resume, bool quiet) {
  refuse_symlink(out, "the output");
  refuse_symlink(folder, "the checkpoint folder");
  remove_dead_partials(out, quiet);
  if (fs::exists(out) && !force)
    throw UsageError(fmt::format("{} already exists; pass --force to overwrite it", out));
  const fs::path parent = fs::path(out).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw UsageError(fmt::format("cannot write {}: folder {} does not exist", out, parent.string()));
  if (fs::exists(folder)) {
    if (force && !resume) remove_checkpoint(folder);
    else if (!resume)
      throw UsageError(fmt::format("an interrupted run left its checkpoint in {}; pass --resume to continue it, or "
                                   "--force to start over",
                                   folder.string()));
  } else if (resume) {
    throw UsageError(fmt::format("nothing to resume: no checkpoint {}", folder.string()));
  }
}

// Checks, by the root rank only, of the output and the checkpoint folder before anything runs.
// Returns 0 to go on, -1 when a resumed run turns out to be complete already.
int prepare_output(const RunOptions& options, const Experiment& experiment, ChunkRange range,
                   const std::string& out, const fs::path& folder, int ranks) {
  if (options.resume && fs::exists(out) && fs::exists(folder) && finished(out, experiment, range)) {
    // Killed after the final file was in place but before the checkpoint was removed.
    remove_checkpoint(folder);
    if (!options.quiet) fmt::print(stderr, "{} was already complete; removed its checkpoint\n", out);
    return -1;
  }
  check_output(out, folder, options.force, options.resume, options.quiet);
  if (fs::exists(folder)) {
    // An MPI run checkpoints per rank (rank-R-of-K/); it resumes only with the same K ranks.
    for (const auto& entry : fs::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      const bool rank_folder = entry.is_directory() && name.starts_with("rank-");
      const std::string suffix = fmt::format("-of-{}", ranks);
      if ((rank_folder && (ranks == 1 || !name.ends_with(suffix))) || (!rank_folder && ranks > 1))
        throw UsageError(fmt::format("cannot resume: the checkpoint in {} was written by a run with {}; resume it the "
                                     "same way (this run has {} MPI rank(s))",
                                     folder.string(), rank_folder ? "MPI ranks (" + name + ")" : "one process",
                                     ranks));
    }
  }
  fs::create_directories(folder);
  return 0;
}

// Every completed segment under the checkpoint folder, rank subfolders included.
std::vector<std::string> all_segments(const fs::path& folder) {
  std::vector<std::string> segments;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("segment-") && name.ends_with(".h5"))
      segments.push_back(entry.path().string());
  }
  return segments;
}

int report(const std::exception& error, int code) {
  fmt::print(stderr, "error: {}\n", error.what());
  return code;
}

// A failure after segments were checkpointed (a full disk, a quota) loses none of them.
int report_keeping(const std::exception& error, const fs::path& folder) {
  fmt::print(stderr, "error: {}\n", error.what());
  std::error_code ignored;
  bool any = false;
  for (const auto& entry : fs::recursive_directory_iterator(folder, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("segment-") && name.ends_with(".h5")) any = true;
  }
  if (any)
    fmt::print(stderr, "the completed segments are kept in {}: fix the cause, then run the same command with "
                       "--resume\n",
               folder.string());
  return 1;
}

}  // namespace deterrence
