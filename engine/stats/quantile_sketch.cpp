#include "stats/quantile_sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace deterrence::sketch {

namespace {
const double kGamma = (1.0 + kRelativeAccuracy) / (1.0 - kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
const int kPerSign = static_cast<int>(std::ceil(std::log(kLargest / kSmallest) / kLogGamma));
}  // namespace

int buckets_per_sign() { return kPerSign; }
std::size_t size() { return 2 * static_cast<std::size_t>(kPerSign) + 1; }

std::size_t bucket_by_formula(double x) {
  const double magnitude = std::abs(x);
  if (!(magnitude >= kSmallest)) return static_cast<std::size_t>(kPerSign);
  // Clamped as a double: above about 1e302 the quotient overflows to +∞, which no int holds.
  const double k_real = std::ceil(std::log(magnitude / kSmallest) / kLogGamma);
  const int k = static_cast<int>(std::clamp(k_real, 1.0, static_cast<double>(kPerSign)));
  return static_cast<std::size_t>(x > 0 ? kPerSign + k : kPerSign - k);
}

namespace {

// Where each bucket of magnitudes starts, and a coarse index into those starts. The formula's
// bucket k ≥ 1 grows with the magnitude, so it is fixed by its least magnitude start[k], found
// by bisection on bit patterns (ordered like the values for positive doubles). A magnitude is
// located by its binary exponent and the top kMantissaBits of its mantissa: a slice spans a
// ratio of at most 1 + 2^-6 < g, so at most one bucket starts inside it, and one comparison
// settles which.
class BucketTable {
 public:
  static constexpr int kMantissaBits = 6;

  BucketTable() {
    start_.assign(static_cast<std::size_t>(kPerSign) + 2, std::numeric_limits<double>::infinity());
    start_[1] = kSmallest;
    for (int k = 2; k <= kPerSign; ++k) start_[static_cast<std::size_t>(k)] = least_with_bucket(k);
    first_exponent_ = exponent(kSmallest);
    const int last_exponent = exponent(start_[static_cast<std::size_t>(kPerSign)]);
    const int slices = (last_exponent - first_exponent_ + 1) << kMantissaBits;
    slice_bucket_.resize(static_cast<std::size_t>(slices));
    for (int slice = 0; slice < slices; ++slice) {
      const std::uint64_t bits = static_cast<std::uint64_t>((slice >> kMantissaBits) + first_exponent_ + 1023) << 52 |
                                 static_cast<std::uint64_t>(slice & ((1 << kMantissaBits) - 1)) << (52 - kMantissaBits);
      const double least = std::max(std::bit_cast<double>(bits), kSmallest);
      slice_bucket_[static_cast<std::size_t>(slice)] =
          static_cast<std::uint16_t>(bucket_by_formula(least) - static_cast<std::size_t>(kPerSign));
    }
  }

  void count(const double* x, std::size_t n, std::uint32_t* counts) const {
    // The table's pointers and bounds held in registers for the whole pass. A magnitude is
    // clamped into [kSmallest, start_[kPerSign]] (its bucket there is the clamped one: kPerSign
    // above, and below kSmallest bucket 0 is chosen after), then signed without a branch.
    const double* start = start_.data();
    const std::uint16_t* slice_bucket = slice_bucket_.data();
    const double top = start[kPerSign];
    const int first_exponent = first_exponent_;
    std::uint32_t* middle = counts + kPerSign;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[i];
      if (std::isnan(v)) continue;
      const double magnitude = std::abs(v);
      const double clamped = std::min(std::max(magnitude, kSmallest), top);
      const auto bits = std::bit_cast<std::uint64_t>(clamped);
      const int slice = ((static_cast<int>(bits >> 52) - 1023 - first_exponent) << kMantissaBits) |
                        static_cast<int>((bits >> (52 - kMantissaBits)) & ((1u << kMantissaBits) - 1));
      int k = slice_bucket[slice];
      k += clamped >= start[k + 1] ? 1 : 0;
      k = magnitude >= kSmallest ? k : 0;
      // −k below zero from the sign bit, not a branch (the sign is as random as the draws);
      // −0 counts in the middle as +0 does (k is 0).
      const int negative = static_cast<int>(std::bit_cast<std::uint64_t>(v) >> 63);
      ++middle[(k ^ -negative) + negative];
    }
  }

  // The bucket (1..kPerSign) of a magnitude ≥ kSmallest.
  int bucket(double magnitude) const {
    if (magnitude >= start_[static_cast<std::size_t>(kPerSign)]) return kPerSign;
    const auto bits = std::bit_cast<std::uint64_t>(magnitude);
    const auto slice = static_cast<std::size_t>(((static_cast<int>(bits >> 52) - 1023 - first_exponent_)
                                                 << kMantissaBits) |
                                                static_cast<int>((bits >> (52 - kMantissaBits)) &
                                                                 ((1u << kMantissaBits) - 1)));
    const int k = slice_bucket_[slice];
    return magnitude >= start_[static_cast<std::size_t>(k) + 1] ? k + 1 : k;
  }

 private:
  static int exponent(double positive) { return static_cast<int>(std::bit_cast<std::uint64_t>(positive) >> 52) - 1023; }

  static double least_with_bucket(int k) {
    const auto reaches = [k](std::uint64_t bits) {
      return bucket_by_formula(std::bit_cast<double>(bits)) >= static_cast<std::size_t>(kPerSign + k);
    };
    std::uint64_t low = std::bit_cast<std::uint64_t>(kSmallest);
    std::uint64_t high = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::max());
    while (high - low > 1) {  // reaches at high, not at low
      const std::uint64_t middle = low + (high - low) / 2;
      (reaches(middle) ? high : low) = middle;
    }
    return std::bit_cast<double>(high);
  }

  std::vector<double> start_;  // start_[k]: least magnitude in bucket k; start_[kPerSign + 1] = ∞
  std::vector<std::uint16_t> slice_bucket_;
  int first_exponent_ = 0;
};

// Built once when the program starts (after the constants above, which this file defines
// first), so bucket_of pays no guard of a function-local static and carries no construction
// code: it keeps its few registers instead of saving six on every call.
const BucketTable kBucketTable;

const BucketTable& bucket_table() { return kBucketTable; }

}  // namespace

std::size_t bucket_of(double x) {
  const double magnitude = std::abs(x);
  if (!(magnitude >= kSmallest)) return static_cast<std::size_t>(kPerSign);
  const int k = bucket_table().bucket(magnitude);
  return static_cast<std::size_t>(x > 0 ? kPerSign + k : kPerSign - k);
}

void count_buckets(const double* x, std::size_t n, std::uint32_t* counts) { bucket_table().count(x, n, counts); }

double value_of(std::size_t bucket) {
  const int k = static_cast<int>(bucket) - kPerSign;
  if (k == 0) return 0.0;
  const double magnitude = kSmallest * 2.0 * std::pow(kGamma, std::abs(k)) / (kGamma + 1.0);
  return k > 0 ? magnitude : -magnitude;
}

double quantile(std::span<const std::uint64_t> counts, std::uint64_t total, double q, double min,
                double max) {
  if (total == 0) return std::nan("");
  const auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(total - 1)));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    seen += counts[b];
    if (seen > rank) return std::clamp(value_of(b), min, max);
  }
  return max;
}

}  // namespace deterrence::sketch
