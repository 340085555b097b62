#pragma once
// A mergeable quantile sketch on logarithmic buckets (the DDSketch idea): a value x is counted
// in the bucket (m*g^(k-1), m*g^k] of |x| and its sign. Any quantile it reports is within a
// relative error of kRelativeAccuracy of a true sample quantile, for |x| between kSmallest and
// kLargest; smaller magnitudes count as 0 and larger ones in the outermost bucket (the reported
// quantile is then clamped to the exact min/max). Counts are integers, so merging is exact.
#include <cstddef>
#include <cstdint>
#include <span>

namespace deterrence::sketch {

constexpr double kRelativeAccuracy = 0.01;
constexpr double kSmallest = 1e-6;
constexpr double kLargest = 1e9;

int buckets_per_sign();
std::size_t size();  // 2 * buckets_per_sign() + 1; the middle bucket holds zeros
// The bucket of x: ceil(ln(|x|/kSmallest) / ln g), clamped to 1..buckets_per_sign(), on x's side
// of the middle. bucket_of finds it from a table of where each bucket starts (no logarithm in
// the hot path); bucket_by_formula computes it, and the table is built from it, so the two agree.
std::size_t bucket_of(double x);
std::size_t bucket_by_formula(double x);
// ++counts[bucket_of(x[i])] for each of n values but NaN (counts: size() counters). bucket_of's
// buckets without its branches or call per value: a chunk's values counted in one pass.
void count_buckets(const double* x, std::size_t n, std::uint32_t* counts);
double value_of(std::size_t bucket);

// The q-quantile (0 <= q <= 1) from total bucket counts; clamped to [min, max].
double quantile(std::span<const std::uint64_t> counts, std::uint64_t total, double q, double min,
                double max);

}  // namespace deterrence::sketch
