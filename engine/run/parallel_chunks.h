#pragma once
// The engine's one parallel loop: a range of draws cut into fixed chunks, a window of chunks
// run in parallel (TBB, each chunk into its own slot), then folded on this thread in chunk
// order. Results depend only on the chunks, never on the thread count or scheduling. The
// runner and the sensitivity design both run through it.
#include <oneapi/tbb/parallel_for.h>
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
// parallel); fold(Slot&, first_draw, draws) -> bool folds it (in chunk order; false stops the
// loop right after this chunk); window_done(draws_done) runs after each window's fold.
template <typename MakeSlot, typename Run, typename Fold, typename WindowDone>
ChunkLoopResult parallel_chunks(const ChunkPlan& plan, MakeSlot make_slot, Run run, Fold fold, WindowDone window_done) {
  using Clock = std::chrono::steady_clock;
  ChunkLoopResult result;
  const std::uint64_t chunk = plan.chunk_size;
  const std::uint64_t chunks = (plan.draw_count + chunk - 1) / chunk;
  // A window of chunks runs in parallel, then folds in order; its size only bounds memory.
  const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(chunks, 4 * std::max(1, plan.threads)));
  using Slot = typename decltype(make_slot())::element_type;
  std::vector<std::unique_ptr<Slot>> slots;
  for (std::size_t i = 0; i < window; ++i) slots.push_back(make_slot());
  std::vector<std::uint64_t> first(window), count(window);
  tbb::task_arena arena(std::max(1, plan.threads));
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
    if (plan.threads <= 1 || batch == 1) {  // the serial fallback for tiny work
      for (std::size_t i = 0; i < batch; ++i) run(*slots[i], first[i], count[i]);
    } else {
      arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, batch, 1), [&](const auto& range) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) run(*slots[i], first[i], count[i]);
        });
      });
    }
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

}  // namespace deterrence
