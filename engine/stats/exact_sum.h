#pragma once
// An exact sum of doubles (a fixed-point "superaccumulator" in radix 2^32). Chunk partial sums
// are folded into it, so the total is independent of the order and grouping of the fold: the
// same chunks give the same bits whether run in one process, in shards or after a restart.
#include <array>
#include <cstdint>
#include <vector>

namespace deterrence {

class ExactSum {
 public:
  static constexpr int kDigits = 70;  // covers every finite double and its carries
  using Digits = std::array<std::int64_t, kDigits>;

  void add(double x);
  void add(const ExactSum& other);
  // Canonical form: digits 0..n-2 in [0, 2^32), the top digit carries the sign.
  void normalize();
  double value() const;
  long double value_long() const;
  const Digits& digits() const { return digits_; }
  // Throws std::invalid_argument unless `digits` are canonical (as append_digits writes them).
  static ExactSum from_digits(const Digits& digits);
  // Appends the canonical digits (for files: shards, checkpoints and merges read them back).
  void append_digits(std::vector<std::int64_t>& out) const;
  bool operator==(const ExactSum& other) const;

 private:
  Digits digits_{};
  std::uint32_t pending_ = 0;  // additions since the last normalize
};

}  // namespace deterrence
