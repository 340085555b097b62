// The exact accumulator, the quantile sketch and the intervals.
#include <gtest/gtest.h>

#include <numeric>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "model/output_layout.h"
#include "stats/exact_sum.h"
#include "stats/intervals.h"
#include "stats/quantile_sketch.h"
#include "stats/statistics.h"

namespace deterrence {
namespace {

TEST(ExactSum, IsIndependentOfOrderAndGrouping) {
  std::mt19937_64 gen(1);
  std::lognormal_distribution<double> big(0.0, 8.0);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) values.push_back((i % 2 ? -1 : 1) * big(gen));
  ExactSum forward, grouped;
  for (double v : values) forward.add(v);
  std::reverse(values.begin(), values.end());
  for (std::size_t start = 0; start < values.size(); start += 777) {
    ExactSum part;
    for (std::size_t i = start; i < std::min(values.size(), start + 777); ++i) part.add(values[i]);
    grouped.add(part);
  }
  EXPECT_TRUE(forward == grouped);
  EXPECT_EQ(forward.value(), grouped.value());
}

TEST(ExactSum, SumsWithoutRoundingLoss) {
  ExactSum s;
  s.add(1e100);
  s.add(1.0);
  s.add(-1e100);
  EXPECT_EQ(s.value(), 1.0);
  ExactSum t;
  for (int i = 0; i < 10; ++i) t.add(0.1);
  // Ten 0.1s sum to 1 + 5.55e-17 exactly, which rounds to 1.0 (a naive double loop gives 0.9999999999999999).
  EXPECT_EQ(t.value(), 1.0);
  ExactSum tiny;
  tiny.add(4.9406564584124654e-324);
  tiny.add(4.9406564584124654e-324);
  EXPECT_EQ(tiny.value(), 2 * 4.9406564584124654e-324);
}

TEST(QuantileSketch, QuantilesAreWithinTheDocumentedRelativeError) {
  std::mt19937_64 gen(2);
  std::normal_distribution<double> normal(5.0, 3.0);
  std::vector<double> x;
  std::vector<std::uint64_t> counts(sketch::size(), 0);
  for (int i = 0; i < 100000; ++i) {
    x.push_back(normal(gen));
    ++counts[sketch::bucket_of(x.back())];
  }
  std::sort(x.begin(), x.end());
  for (double q : {0.01, 0.1, 0.5, 0.9, 0.99}) {
    const double exact = x[static_cast<std::size_t>(std::floor(q * (x.size() - 1)))];
    const double estimate = sketch::quantile(counts, x.size(), q, x.front(), x.back());
    EXPECT_LE(std::abs(estimate - exact), sketch::kRelativeAccuracy * std::abs(exact) + 1e-12) << q;
  }
}

// The sketch's table lookup must put every value in the bucket its formula gives: around every
// bucket start (±256 ulps of where g^k puts it, wider than the logarithm's rounding moves it),
// over a million values spread over all the magnitudes, and at the edges.
TEST(QuantileSketch, TableLookupIsTheFormulasBucket) {
  const auto same = [](double x) {
    ASSERT_EQ(sketch::bucket_of(x), sketch::bucket_by_formula(x)) << std::hexfloat << x;
    ASSERT_EQ(sketch::bucket_of(-x), sketch::bucket_by_formula(-x)) << std::hexfloat << -x;
  };
  const double gamma = (1.0 + sketch::kRelativeAccuracy) / (1.0 - sketch::kRelativeAccuracy);
  for (int k = 0; k <= sketch::buckets_per_sign() + 1; ++k) {
    double x = sketch::kSmallest * std::pow(gamma, k);
    for (int step = 0; step < 256; ++step) x = std::nextafter(x, 0.0);
    for (int step = 0; step < 512; ++step, x = std::nextafter(x, HUGE_VAL)) same(x);
  }
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> log10_magnitude(-8.0, 11.0);
  for (int i = 0; i < 1000000; ++i) same(std::pow(10.0, log10_magnitude(gen)));
  for (const double x : {0.0, 4.9406564584124654e-324, 2.2250738585072014e-308, sketch::kSmallest,
                         std::nextafter(sketch::kSmallest, 0.0), sketch::kLargest, 1e300,
                         std::numeric_limits<double>::max()})
    same(x);
  EXPECT_EQ(sketch::bucket_of(std::nan("")), sketch::bucket_by_formula(std::nan("")));
  // The largest magnitudes count in the outermost buckets (until engine 0.3.0 the formula's
  // overflow put those above about 1e302 in the innermost).
  EXPECT_EQ(sketch::bucket_of(std::numeric_limits<double>::max()), sketch::size() - 1);
  EXPECT_EQ(sketch::bucket_of(-1e303), 0u);
}

// Counting a chunk's values in one pass (count_buckets, as the statistics do) must count each in
// its formula's bucket: both signs around every bucket start, spread magnitudes, the edges,
// zeros, infinities — and skip NaN.
TEST(QuantileSketch, CountingInOnePassIsTheFormulasBuckets) {
  std::vector<double> values;
  const double gamma = (1.0 + sketch::kRelativeAccuracy) / (1.0 - sketch::kRelativeAccuracy);
  for (int k = 0; k <= sketch::buckets_per_sign() + 1; ++k) {
    double x = sketch::kSmallest * std::pow(gamma, k);
    for (int step = 0; step < 8; ++step) x = std::nextafter(x, 0.0);
    for (int step = 0; step < 16; ++step, x = std::nextafter(x, HUGE_VAL)) {
      values.push_back(x);
      values.push_back(-x);
    }
  }
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> log10_magnitude(-8.0, 11.0);
  for (int i = 0; i < 100000; ++i) values.push_back((i % 3 ? 1.0 : -1.0) * std::pow(10.0, log10_magnitude(gen)));
  for (const double x : {0.0, -0.0, 4.9406564584124654e-324, -2.2250738585072014e-308, sketch::kSmallest,
                         -std::nextafter(sketch::kSmallest, 0.0), sketch::kLargest, -1e300,
                         std::numeric_limits<double>::max(), std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity(), std::nan(""), -std::nan("")})
    values.push_back(x);
  std::vector<std::uint32_t> expected(sketch::size(), 0), counted(sketch::size(), 0);
  std::size_t not_nan = 0;
  for (const double x : values)
    if (!std::isnan(x)) {
      ++expected[sketch::bucket_by_formula(x)];
      ++not_nan;
    }
  sketch::count_buckets(values.data(), values.size(), counted.data());
  EXPECT_EQ(counted, expected);
  EXPECT_EQ(std::accumulate(counted.begin(), counted.end(), std::size_t{0}), not_nan);
}

// A chunk takes a draw of finite values on its fast path and any other draw value by value: the
// same totals either way; NaN where an output may not apply is skipped, ±∞ refuses the draw.
TEST(ChunkStatistics, FastAndValueByValuePathsAgree) {
  OutputLayout layout;
  layout.add_real("x", "", {Dimension{"k", {"a", "b", "c", "d", "e"}}}, false);
  layout.add_real("maybe", "", {}, false);
  layout.set_may_not_apply("maybe");
  ChunkStatistics chunk(layout);
  std::vector<double> reals(6);
  std::vector<std::uint8_t> codes;
  std::mt19937_64 gen(4);
  std::normal_distribution<double> normal(0.0, 5.0);
  ExactSum expected_sum[6];
  double low[6], high[6];
  std::uint64_t expected_count[6] = {};
  std::fill(low, low + 6, HUGE_VAL);
  std::fill(high, high + 6, -HUGE_VAL);
  for (int draw = 0; draw < 1000; ++draw) {
    for (double& x : reals) x = normal(gen);
    if (draw % 3 == 0) reals[5] = std::nan("");  // does not apply: the value-by-value path
    if (draw == 7) reals[2] = -0.0;
    ASSERT_EQ(chunk.add({reals, codes}), ChunkStatistics::npos);
    for (std::size_t i = 0; i < 6; ++i) {
      if (std::isnan(reals[i])) continue;
      ++expected_count[i];
      expected_sum[i].add(reals[i]);
      low[i] = std::min(low[i], reals[i]);
      high[i] = std::max(high[i], reals[i]);
    }
  }
  RunStatistics totals(layout);
  totals.fold(chunk);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(totals.count(i), expected_count[i]) << i;
    EXPECT_EQ(totals.min(i), low[i]) << i;
    EXPECT_EQ(totals.max(i), high[i]) << i;
    // The chunk sums in doubles: within rounding of the exact sum.
    EXPECT_NEAR(totals.sum(i).value(), expected_sum[i].value(), 1e-9) << i;
  }
  EXPECT_EQ(totals.count(5), 666u);
  reals[3] = HUGE_VAL;
  EXPECT_EQ(chunk.add({reals, codes}), 3u);  // no result: refused, naming the slot
  reals[3] = std::nan("");
  EXPECT_EQ(chunk.add({reals, codes}), 3u);  // NaN where the output always applies: refused too
}

// Draws side by side (BatchOutputs, as a batched model writes them) give a chunk exactly what the
// same draws give one by one: every count, sum, bound, sketch and category count, bit for bit
// (the run totals' words) — full batches on the fast path, batches with a "does not apply" NaN
// or fewer draws than lanes value by value. The first unsound value is found in draw order.
TEST(ChunkStatistics, ABatchAddsAsItsDrawsOneByOne) {
  OutputLayout layout;
  std::vector<std::string> labels;
  for (int k = 0; k < 40; ++k) labels.push_back(std::to_string(k));
  layout.add_real("x", "", {Dimension{"k", labels}}, false);
  layout.add_real("q", "", {}, true);
  layout.add_real("maybe", "", {}, false);
  layout.set_may_not_apply("maybe");
  layout.add_categorical("c", "", {Dimension{"k", {"a", "b", "c"}}}, {"u", "v", "w", "z"}, false);
  const std::size_t reals = layout.real_slots(), codes = layout.code_slots();
  for (const std::size_t lanes : {std::size_t{2}, std::size_t{4}, std::size_t{8}}) {
    ChunkStatistics one_by_one(layout), batched(layout);
    std::mt19937_64 gen(lanes);
    std::normal_distribution<double> normal(0.0, 3.0);
    std::vector<double> lane_reals(lanes * reals), draw_reals(reals);
    std::vector<std::uint8_t> lane_codes(lanes * codes), draw_codes(codes);
    const BatchOutputs batch{lane_reals, lane_codes, lanes};
    for (int group = 0; group < 300; ++group) {
      const std::size_t count = group % 5 == 2 ? 1 + group % lanes : lanes;
      for (std::size_t b = 0; b < lanes; ++b) {
        // Slot 0 only signed zeros (−0 first, +0 last: its min and max are the first zero, as
        // std::min and std::max keep the first of equals), others now and then one.
        for (std::size_t i = 0; i < reals; ++i)
          batch.real(i, b) = gen() % 16 == 0 ? (gen() % 2 ? 0.0 : -0.0) : normal(gen);
        batch.real(0, b) = (static_cast<std::size_t>(group) * lanes + b) % 3 == 0 ? -0.0 : 0.0;
        // A quarter of the batches has a NaN (the value-by-value path), the rest are all finite
        // (the vectorised path, transposed at 8 lanes).
        if (group % 4 == 1 && b == static_cast<std::size_t>(group) % lanes) batch.real(reals - 1, b) = std::nan("");
        for (std::size_t c = 0; c < codes; ++c) batch.code(c, b) = static_cast<std::uint8_t>(gen() % 4);
      }
      ASSERT_EQ(batched.add_batch(batch, count).slot, ChunkStatistics::npos);
      for (std::size_t b = 0; b < count; ++b) {
        for (std::size_t i = 0; i < reals; ++i) draw_reals[i] = batch.real(i, b);
        for (std::size_t c = 0; c < codes; ++c) draw_codes[c] = batch.code(c, b);
        ASSERT_EQ(one_by_one.add({draw_reals, draw_codes}), ChunkStatistics::npos);
      }
    }
    RunStatistics a(layout), b(layout);
    a.fold(one_by_one);
    b.fold(batched);
    EXPECT_EQ(a.to_words(), b.to_words()) << lanes << " lanes";
    EXPECT_GT(a.count(0), 0u);
    EXPECT_TRUE(std::signbit(b.min(0)) && std::signbit(b.max(0))) << lanes << " lanes";
    // Unsound values in draws 1 (slot 30) and 0 (the NaN of an output that always applies, slot
    // 5): draw 0's is the first; with draw 0 sound, draw 1's.
    for (std::size_t b = 0; b < lanes; ++b)
      for (std::size_t i = 0; i < reals; ++i) batch.real(i, b) = 1.0;
    batch.real(30, 1) = HUGE_VAL;
    batch.real(5, 0) = std::nan("");
    ChunkStatistics::Unsound bad = batched.add_batch(batch, lanes);
    EXPECT_EQ(bad.draw, 0u);
    EXPECT_EQ(bad.slot, 5u);
    batch.real(5, 0) = 1.0;
    bad = batched.add_batch(batch, lanes);
    EXPECT_EQ(bad.draw, 1u);
    EXPECT_EQ(bad.slot, 30u);
  }
}

TEST(WilsonInterval, MatchesAKnownValueAndStaysInsideZeroOne) {
  const auto [lo, hi] = wilson_interval(81, 263);  // textbook example: 0.2553 .. 0.3662
  EXPECT_NEAR(lo, 0.2553, 5e-4);
  EXPECT_NEAR(hi, 0.3662, 5e-4);
  const auto [zlo, zhi] = wilson_interval(0, 10);
  EXPECT_EQ(zlo, 0.0);
  EXPECT_GT(zhi, 0.0);
  const auto [olo, ohi] = wilson_interval(10, 10);
  EXPECT_LT(olo, 1.0);
  EXPECT_NEAR(ohi, 1.0, 1e-12);
}

}  // namespace
}  // namespace deterrence

namespace deterrence {
namespace {

// Found by tests/fuzz/fuzz_results: digits read from a file that no sum can have (a digit
// outside [0, 2^32), a huge top digit) overflowed the carries. They are refused.
TEST(ExactSumDigits, OnlyCanonicalDigitsAreAccepted) {
  ExactSum sum;
  for (double x : {1.5, -2.25e300, 3e-310, 7.0}) sum.add(x);
  std::vector<std::int64_t> written;
  sum.append_digits(written);
  ExactSum::Digits digits{};
  std::copy(written.begin(), written.end(), digits.begin());
  EXPECT_EQ(ExactSum::from_digits(digits), sum);
  ExactSum::Digits negative = digits;
  negative[0] = -1;
  EXPECT_THROW(ExactSum::from_digits(negative), std::invalid_argument);
  ExactSum::Digits wide = digits;
  wide[5] = std::int64_t{1} << 32;
  EXPECT_THROW(ExactSum::from_digits(wide), std::invalid_argument);
  ExactSum::Digits top = digits;
  top[ExactSum::kDigits - 1] = std::numeric_limits<std::int64_t>::max();
  EXPECT_THROW(ExactSum::from_digits(top), std::invalid_argument);
}

}  // namespace
}  // namespace deterrence
