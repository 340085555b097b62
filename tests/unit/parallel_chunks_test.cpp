// The engine's parallel loop (run/parallel_chunks.h) must fold chunks in chunk order, one at a
// time, whatever the thread count and however long each chunk takes; stop right after a fold
// that says so; and call window_done at the same points — so that results, checkpoints and where
// a run stops depend on the chunks alone.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "run/parallel_chunks.h"

namespace deterrence {
namespace {

struct Slot {
  std::uint64_t first = 0, draws = 0, sum = 0;  // what run() computed for its chunk
};

struct Trace {
  std::vector<std::uint64_t> folded;     // first draw of each chunk folded, in fold order
  std::vector<std::uint64_t> windows;    // draws_done at each window_done
  std::uint64_t sum = 0;                 // folded chunks' sums
  ChunkLoopResult result;
};

// A loop over `draws` draws in chunks of 10; chunk k takes a few hundred microseconds, more
// for some (so later chunks finish first); folding stops after `stop_after` chunks.
Trace run_loop(int threads, std::uint64_t draws, std::size_t stop_after = SIZE_MAX,
               const std::atomic<bool>* stop = nullptr) {
  ChunkPlan plan;
  plan.first_draw = 1000;
  plan.draw_count = draws;
  plan.chunk_size = 10;
  plan.threads = threads;
  plan.stop = stop;
  Trace trace;
  std::atomic<int> folding_now{0};
  trace.result = parallel_chunks(
      plan, [] { return std::make_unique<Slot>(); },
      [](Slot& s, std::uint64_t first, std::uint64_t n) {
        s.first = first;
        s.draws = n;
        s.sum = 0;
        for (std::uint64_t d = first; d < first + n; ++d) s.sum += d * d;
        std::this_thread::sleep_for(std::chrono::microseconds((first / 10) % 3 == 0 ? 900 : 100));
      },
      [&](Slot& s, std::uint64_t first, std::uint64_t n) {
        EXPECT_EQ(folding_now.fetch_add(1), 0) << "two folds at once";
        EXPECT_EQ(s.first, first);  // the slot holds this chunk's work, not another's
        EXPECT_EQ(s.draws, n);
        trace.folded.push_back(first);
        trace.sum += s.sum;
        folding_now.fetch_sub(1);
        return trace.folded.size() < stop_after;
      },
      [&](std::uint64_t done) { trace.windows.push_back(done); });
  return trace;
}

TEST(ParallelChunks, FoldsInChunkOrderWhateverTheThreads) {
  const Trace one = run_loop(1, 1234);
  ASSERT_EQ(one.folded.size(), 124u);
  for (std::size_t k = 0; k < one.folded.size(); ++k) EXPECT_EQ(one.folded[k], 1000 + 10 * k);
  EXPECT_EQ(one.result.draws_done, 1234u);
  EXPECT_FALSE(one.result.stopped);
  for (const int threads : {2, 3, 8}) {
    const Trace many = run_loop(threads, 1234);
    EXPECT_EQ(many.folded, one.folded) << threads << " threads";
    EXPECT_EQ(many.sum, one.sum) << threads << " threads";
    EXPECT_EQ(many.result.draws_done, 1234u);
    EXPECT_FALSE(many.result.stopped);
    // Windows of 4 chunks per thread: window_done after each, and after the last chunk.
    const std::uint64_t window = 4 * static_cast<std::uint64_t>(threads);
    std::vector<std::uint64_t> expected;
    for (std::uint64_t k = window; k < 124; k += window) expected.push_back(10 * k);
    expected.push_back(1234);
    EXPECT_EQ(many.windows, expected) << threads << " threads";
  }
}

TEST(ParallelChunks, AFoldThatSaysStopEndsTheLoopRightAfterItsChunk) {
  for (const int threads : {1, 2, 8}) {
    const Trace t = run_loop(threads, 1234, 37);
    EXPECT_EQ(t.folded.size(), 37u) << threads << " threads";
    EXPECT_EQ(t.result.draws_done, 370u);
    EXPECT_TRUE(t.result.stopped);
    ASSERT_FALSE(t.windows.empty());
    EXPECT_EQ(t.windows.back(), 370u);  // window_done told of the stopping chunk
  }
}

TEST(ParallelChunks, TheStopFlagEndsTheLoopAtAWindowBoundary) {
  const std::atomic<bool> stop{true};
  for (const int threads : {1, 2}) {
    const Trace t = run_loop(threads, 1234, SIZE_MAX, &stop);
    EXPECT_TRUE(t.folded.empty()) << threads << " threads";
    EXPECT_EQ(t.result.draws_done, 0u);
    EXPECT_TRUE(t.result.stopped);
  }
}

TEST(ParallelChunks, NothingToDoIsDone) {
  for (const int threads : {1, 2}) {
    const Trace t = run_loop(threads, 0);
    EXPECT_TRUE(t.folded.empty());
    EXPECT_EQ(t.result.draws_done, 0u);
    EXPECT_FALSE(t.result.stopped);
  }
}

}  // namespace
}  // namespace deterrence
