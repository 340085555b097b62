#pragma once
// The engine's one parallel loop: a range of draws cut into fixed chunks, run in parallel (TBB,
// each chunk into its own slot) and folded one at a time in chunk order. Results depend only on
// the chunks, never on the thread count or scheduling. The runner, the calibration and the
// sensitivity design all run through it.
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace deterrence {

struct ChunkPlan {
  std::uint64_t first_draw = 0, draw_count = 0;
  std::uint64_t chunk_size = 1024;
  int threads = 1;
  const std::atomic<bool>* stop = nullptr;  // checked between windows
};

struct ChunkLoopResult {
  std::uint64_t draws_done = 0;  // the first draws_done draws of the range are folded
  bool stopped = false;          // `stop` or the fold ended the loop early
  double parallel_seconds = 0.0, fold_seconds = 0.0;
};

// make_slot() -> std::unique_ptr<Slot>; run(Slot&, first_draw, draws) runs one chunk (in
// parallel); fold(Slot&, first_draw, draws) -> bool folds it (in chunk order, one at a time, on
// any thread; false stops the loop right after this chunk); window_done(draws_done) runs after
// the fold of each window's last chunk (and of a chunk that stops the loop), in the fold's turn.
template <typename MakeSlot, typename Run, typename Fold, typename WindowDone>
ChunkLoopResult parallel_chunks(const ChunkPlan& plan, MakeSlot make_slot, Run run, Fold fold, WindowDone window_done) {
  using Clock = std::chrono::steady_clock;
  ChunkLoopResult result;
  const std::uint64_t chunk = plan.chunk_size;
  const std::uint64_t chunks = (plan.draw_count + chunk - 1) / chunk;
  // At most a window of chunks is in flight (each has its slot); its size only bounds memory.
  const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(chunks, 4 * std::max(1, plan.threads)));
  using Slot = typename decltype(make_slot())::element_type;
  std::vector<std::unique_ptr<Slot>> slots;
  for (std::size_t i = 0; i < window; ++i) slots.push_back(make_slot());
  if (plan.threads <= 1 || chunks <= 1) {
    // The serial fallback for one thread or tiny work: each window run, then folded.
    std::vector<std::uint64_t> first(window), count(window);
    for (std::uint64_t start = 0; start < chunks; start += window) {
      if (plan.stop && plan.stop->load()) {
        result.stopped = true;
        break;
      }
      const std::size_t batch = static_cast<std::size_t>(std::min<std::uint64_t>(window, chunks - start));
      for (std::size_t i = 0; i < batch; ++i) {
        const std::uint64_t offset = (start + i) * chunk;
        first[i] = plan.first_draw + offset;
        count[i] = std::min(chunk, plan.draw_count - offset);
      }
      const auto t0 = Clock::now();
      for (std::size_t i = 0; i < batch; ++i) run(*slots[i], first[i], count[i]);
      const auto t1 = Clock::now();
      result.parallel_seconds += std::chrono::duration<double>(t1 - t0).count();
      bool go_on = true;
      for (std::size_t i = 0; i < batch && go_on; ++i) {
        go_on = fold(*slots[i], first[i], count[i]);
        result.draws_done += count[i];
      }
      result.fold_seconds += std::chrono::duration<double>(Clock::now() - t1).count();
      window_done(result.draws_done);
      if (!go_on) {
        result.stopped = true;
        break;
      }
    }
    return result;
  }
  // Several threads: a pipeline of at most `window` chunks in flight. Chunks start in order, run
  // on any thread, and are folded in order as soon as their turn comes — while later chunks run,
  // so no thread waits for a window's fold or its slowest chunk. Chunk k uses slot k mod window:
  // the fold stage frees chunks in order, so when k starts, chunk k − window has been folded.
  // The stop flag is read, and window_done called, at the same window boundaries as above: where
  // a run stops or checkpoints depends on the chunks alone.
  const auto t0 = Clock::now();
  std::uint64_t next = 0;               // the input stage's next chunk
  bool stop_seen = false;               // the input stage's: the stop flag was set at a window boundary
  std::atomic<bool> folding{true};      // false once a fold ended the loop; then the input stage
                                        // starts no chunk (the two stages may run at once)
  tbb::task_arena arena(plan.threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        window,
        tbb::make_filter<void, std::uint64_t>(tbb::filter_mode::serial_in_order,
                                              [&](tbb::flow_control& control) -> std::uint64_t {
                                                if (next < chunks && next % window == 0 && plan.stop && plan.stop->load())
                                                  stop_seen = true;
                                                if (next >= chunks || stop_seen || !folding.load()) {
                                                  control.stop();
                                                  return 0;
                                                }
                                                return next++;
                                              }) &
            tbb::make_filter<std::uint64_t, std::uint64_t>(
                tbb::filter_mode::parallel,
                [&](std::uint64_t k) {
                  const std::uint64_t offset = k * chunk;
                  run(*slots[k % window], plan.first_draw + offset, std::min(chunk, plan.draw_count - offset));
                  return k;
                }) &
            tbb::make_filter<std::uint64_t, void>(tbb::filter_mode::serial_in_order, [&](std::uint64_t k) {
              if (!folding.load()) return;  // a chunk started before the fold that ended the loop
              const auto t1 = Clock::now();
              const std::uint64_t offset = k * chunk;
              const std::uint64_t draws = std::min(chunk, plan.draw_count - offset);
              const bool go_on = fold(*slots[k % window], plan.first_draw + offset, draws);
              result.draws_done += draws;
              result.fold_seconds += std::chrono::duration<double>(Clock::now() - t1).count();
              if (!go_on || (k + 1) % window == 0 || k + 1 == chunks) window_done(result.draws_done);
              if (!go_on) folding.store(false);
            }));
  });
  // Folds overlap the chunks that run meanwhile: the loop's time less its folds' is counted as
  // running chunks.
  result.parallel_seconds = std::chrono::duration<double>(Clock::now() - t0).count() - result.fold_seconds;
  result.stopped = !folding.load() || stop_seen;
  return result;
}

}  // namespace deterrence
