#pragma once
// Accumulators for every output element of a model. A ChunkStatistics collects one chunk of
// draws in plain doubles and 32-bit counts (fast, allocation-free per draw); a RunStatistics
// holds totals in exact, order-free form (ExactSum, 64-bit counts) so that folding chunks,
// merging shards and resuming give the same bits.
#include <cstdint>
#include <span>
#include <vector>

#include "model/output_layout.h"
#include "stats/exact_sum.h"

namespace deterrence {

class ChunkStatistics {
 public:
  explicit ChunkStatistics(const OutputLayout& layout);
  void reset();
  // Adds one draw. Returns the first real slot holding a value that is no result — ±inf, or NaN
  // where the output always applies (a numerical failure) — or npos when every value is sound.
  std::size_t add(const DrawOutputs& draw);
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // Adds draws 0 .. count − 1 of a batch in that order: the same sums, bounds and counts as add()
  // on each, each slot's accumulators read once for the whole batch. The first value that is no
  // result, in draw order, is returned as its draw and slot (slot npos: every value sound).
  struct Unsound {
    std::size_t draw = 0, slot = npos;
  };
  Unsound add_batch(const BatchOutputs& batch, std::size_t count);

 private:
  friend class RunStatistics;
  // One value of real slot i added value by value: false if it is no result (±inf, or NaN where
  // the output always applies); a NaN where it may not apply is skipped.
  bool add_checked(std::size_t i, double v);
  const OutputLayout* layout_;
  std::vector<std::uint64_t> count_;
  std::vector<double> sum_, sum_sq_, min_, max_;
  std::vector<char> may_not_apply_;           // per real slot
  std::vector<std::size_t> sketched_;        // real slots that keep a sketch, in slot order
  std::vector<std::uint32_t> sketch_;        // sketched_.size() x sketch::size()
  std::vector<std::size_t> code_offset_;     // per code slot: first count in counts_
  std::vector<std::uint32_t> category_counts_;
};

class RunStatistics {
 public:
  explicit RunStatistics(const OutputLayout& layout);
  void fold(const ChunkStatistics& chunk);
  void merge(const RunStatistics& other);
  // Every partial as flat 64-bit words (to send between MPI ranks), and back: merging the
  // words of another RunStatistics of the same layout is exactly merge().
  std::vector<std::uint64_t> to_words() const;
  void merge_words(std::span<const std::uint64_t> words);

  // Per real slot.
  std::uint64_t count(std::size_t slot) const { return count_[slot]; }
  double mean(std::size_t slot) const;
  double variance(std::size_t slot) const;  // unbiased; NaN with fewer than two values
  double min(std::size_t slot) const { return min_[slot]; }
  double max(std::size_t slot) const { return max_[slot]; }
  const ExactSum& sum(std::size_t slot) const { return sum_[slot]; }
  const ExactSum& sum_sq(std::size_t slot) const { return sum_sq_[slot]; }
  // Sketch counts of a real slot that keeps quantiles (empty span otherwise).
  std::span<const std::uint64_t> sketch(std::size_t slot) const;
  double quantile(std::size_t slot, double q) const;

  // Per code slot: counts of each category.
  std::span<const std::uint64_t> category_counts(std::size_t code_slot) const;

  // For the reader: restore persisted partials.
  void restore_real(std::size_t slot, std::uint64_t count, const ExactSum& sum, const ExactSum& sum_sq,
                    double min, double max);
  std::span<std::uint64_t> mutable_sketch(std::size_t slot);
  std::span<std::uint64_t> mutable_category_counts(std::size_t code_slot);
  const OutputLayout& layout() const { return *layout_; }

 private:
  const OutputLayout* layout_;
  std::vector<std::uint64_t> count_;
  std::vector<ExactSum> sum_, sum_sq_;
  std::vector<double> min_, max_;
  std::vector<long> sketch_index_;  // per real slot: row in sketch_, or -1
  std::vector<std::uint64_t> sketch_;
  std::vector<std::size_t> code_offset_;
  std::vector<std::uint64_t> category_counts_;
};

}  // namespace deterrence
