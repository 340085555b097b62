#pragma once
#include <stdexcept>
// Runs a model over a range of draws: fixed-size chunks in parallel (TBB), each into its own
// accumulator, folded in chunk order. Results depend only on (config, seed, draw range), never
// on the number of threads or on scheduling.
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>

#include <vector>

#include "model/model.h"
#include "sampling/design.h"
#include "sampling/resampled_parameters.h"
#include "run/progress.h"
#include "stats/statistics.h"

namespace deterrence {

// A draw produced a value that is no result (see ChunkStatistics::add).
class NumericalFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunSettings {
  std::uint64_t first_draw = 0;
  std::uint64_t draw_count = 0;
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 1024;
  int threads = 0;  // 0: all cores
  bool record_codes = false;
  bool record_parameters = false;
  bool record_aggregates = false;  // per-draw values of the outputs the model marks as aggregates
  // Checked between windows of chunks: when set, the run stops after folding the chunks
  // already started (a SIGTERM handler sets it). Null: never stop early.
  const std::atomic<bool>* stop = nullptr;
  // The sampling design (null: plain Monte Carlo) and, for designs with replicates, one
  // accumulator per replicate of replicate_draws draws (chunks never straddle replicates).
  const Design* design = nullptr;
  std::vector<RunStatistics>* replicates = nullptr;
  std::uint64_t replicate_draws = 0;
  // Parameters taken from a weighted table instead of their priors (a posterior run), or null.
  const ResampledParameters* resampled = nullptr;
};

// Receives a chunk's per-draw records, in chunk order, on the folding thread.
struct ChunkRecords {
  std::uint64_t first_draw = 0;
  std::uint64_t draws = 0;
  std::span<const std::uint8_t> codes;   // draws x recorded code slots (empty unless asked)
  std::span<const double> parameters;    // draws x parameters (empty unless asked)
  std::span<const double> aggregates;    // draws x aggregate real slots (empty unless asked)
};
using RecordSink = std::function<void(const ChunkRecords&)>;

struct RunTimings {
  double sampling_and_model_seconds = 0.0;  // wall time of the parallel phase
  double fold_seconds = 0.0;
  double record_seconds = 0.0;
  std::uint64_t draws_done = 0;  // the first draws_done draws of the range are folded
  bool stopped = false;          // true when `stop` or a precision target ended the run early
  bool reached_target = false;   // true when chunk_folded ended it (a precision target was met)
};

// Called on the folding thread after each window of chunks is folded, with the draws folded so
// far; the caller may checkpoint `totals` there (it may also reset it).
using WindowDone = std::function<void(std::uint64_t draws_done)>;
// Called after each chunk is folded, in chunk order; returning false stops the run right after
// that chunk (the chunks after it in the window are discarded), so where a run stops depends on
// the chunks alone, never on the thread count. Used for precision targets (--until).
using ChunkFolded = std::function<bool(std::uint64_t draws_done)>;

RunTimings run_draws(const Model& model, const RunSettings& settings, RunStatistics& totals,
                     const RecordSink& sink, Progress* progress, const WindowDone& window_done = {},
                     const ChunkFolded& chunk_folded = {});

int effective_threads(int requested);

}  // namespace deterrence
