#include "stats/statistics.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <cmath>
#include <cstring>
#include <limits>

#include "stats/quantile_sketch.h"

namespace deterrence {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::size_t> code_offsets(const OutputLayout& layout, std::size_t& total) {
  std::vector<std::size_t> offsets(layout.code_slots());
  total = 0;
  for (const auto& spec : layout.specs()) {
    if (spec.kind != OutputKind::categorical) continue;
    for (std::size_t e = 0; e < spec.size; ++e) {
      offsets[spec.offset + e] = total;
      total += spec.categories.size();
    }
  }
  return offsets;
}

std::vector<std::size_t> sketched_slots(const OutputLayout& layout) {
  std::vector<std::size_t> slots;
  for (const auto& spec : layout.specs())
    if (spec.kind == OutputKind::real && spec.quantiles)
      for (std::size_t e = 0; e < spec.size; ++e) slots.push_back(spec.offset + e);
  return slots;
}
}  // namespace

ChunkStatistics::ChunkStatistics(const OutputLayout& layout) : layout_(&layout) {
  const std::size_t n = layout.real_slots();
  count_.resize(n);
  sum_.resize(n);
  sum_sq_.resize(n);
  min_.resize(n);
  max_.resize(n);
  may_not_apply_.assign(n, 0);
  for (const auto& spec : layout.specs())
    if (spec.kind == OutputKind::real && spec.may_not_apply)
      std::fill_n(may_not_apply_.begin() + static_cast<long>(spec.offset), spec.size, 1);
  sketched_ = sketched_slots(layout);
  sketch_.resize(sketched_.size() * sketch::size());
  std::size_t total = 0;
  code_offset_ = code_offsets(layout, total);
  category_counts_.resize(total);
  reset();
}

void ChunkStatistics::reset() {
  std::fill(count_.begin(), count_.end(), 0);
  std::fill(sum_.begin(), sum_.end(), 0.0);
  std::fill(sum_sq_.begin(), sum_sq_.end(), 0.0);
  std::fill(min_.begin(), min_.end(), kInf);
  std::fill(max_.begin(), max_.end(), -kInf);
  std::fill(sketch_.begin(), sketch_.end(), 0);
  std::fill(category_counts_.begin(), category_counts_.end(), 0);
}

namespace {
// Whether every value is finite: an exponent field of all ones (±∞, NaN) plus one carries into
// the sign bit, and no other does. Integer arithmetic with no early exit, so the compiler checks
// several values per instruction.
// Compiled also for AVX-512 and AVX2, chosen at run time (target_clones): integer tests and
// per-slot IEEE arithmetic, never fused, so every version gives the same bits.
__attribute__((target_clones("avx512f", "avx2", "default"))) bool all_finite(const double* x, std::size_t n) {
  std::uint64_t carried = 0;
  for (std::size_t i = 0; i < n; ++i)
    carried |= (std::bit_cast<std::uint64_t>(x[i]) & 0x7ff0000000000000ULL) + 0x0010000000000000ULL;
  return (carried >> 63) == 0;
}

// One draw of finite values into the chunk's arrays. They never overlap (restrict), and there is
// no branch, so the compiler adds several slots per instruction.
__attribute__((target_clones("avx512f", "avx2", "default"))) void add_finite(
    const double* __restrict x, std::size_t n, std::uint64_t* __restrict count, double* __restrict sum,
    double* __restrict sum_sq, double* __restrict low, double* __restrict high) {
  for (std::size_t i = 0; i < n; ++i) {
    ++count[i];
    sum[i] += x[i];
    sum_sq[i] += x[i] * x[i];
    low[i] = std::min(low[i], x[i]);
    high[i] = std::max(high[i], x[i]);
  }
}
// The same for `lanes` draws side by side (slot i of draw b at x[i · lanes + b]): each slot's
// run of lanes read in order, its accumulators kept in registers meanwhile (a one-output model
// such as Ishigami adds 64 draws into one slot: through memory, each add waited on the last store).
__attribute__((target_clones("avx512f", "avx2", "default"))) void add_finite_lanes(
    const double* __restrict x, std::size_t n, std::size_t lanes, std::uint64_t* __restrict count,
    double* __restrict sum, double* __restrict sum_sq, double* __restrict low, double* __restrict high) {
  for (std::size_t i = 0; i < n; ++i) {
    double s = sum[i], q = sum_sq[i], lo = low[i], hi = high[i];
    const double* v = x + i * lanes;
    for (std::size_t b = 0; b < lanes; ++b) {
      s += v[b];
      q += v[b] * v[b];
      lo = std::min(lo, v[b]);
      hi = std::max(hi, v[b]);
    }
    sum[i] = s;
    sum_sq[i] = q;
    low[i] = lo;
    high[i] = hi;
    count[i] += lanes;
  }
}

// The same for eight draws side by side, the coercion model's batch: eight slots' eight lanes
// (eight registers) transposed into eight registers of one draw's eight slots, then added draw by
// draw as above — each slot's sums still in draw order, so the bits are add_finite_lanes'. The
// accumulators are read and written once per eight draws, and no value is gathered lane by lane.
using Eight = double __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "avx2", "default"))) void add_finite_8_lanes(
    const double* __restrict x, std::size_t n, std::uint64_t* __restrict count, double* __restrict sum,
    double* __restrict sum_sq, double* __restrict low, double* __restrict high) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Eight row[8];  // row[j]: slot i + j's eight draws
    std::memcpy(row, x + i * 8, sizeof row);
    // Three rounds of pairing: within pairs of lanes, of two, of four.
    Eight t[8], u[8], draw[8];
    for (int j = 0; j < 8; j += 2) {
      t[j] = __builtin_shufflevector(row[j], row[j + 1], 0, 8, 2, 10, 4, 12, 6, 14);
      t[j + 1] = __builtin_shufflevector(row[j], row[j + 1], 1, 9, 3, 11, 5, 13, 7, 15);
    }
    for (int j = 0; j < 8; j += 4)
      for (int h = 0; h < 2; ++h) {
        u[j + h] = __builtin_shufflevector(t[j + h], t[j + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[j + h + 2] = __builtin_shufflevector(t[j + h], t[j + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
      }
    for (int h = 0; h < 4; ++h) {
      draw[h] = __builtin_shufflevector(u[h], u[h + 4], 0, 1, 2, 3, 8, 9, 10, 11);
      draw[h + 4] = __builtin_shufflevector(u[h], u[h + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
    Eight s, q, lo, hi;
    std::memcpy(&s, sum + i, sizeof s);
    std::memcpy(&q, sum_sq + i, sizeof q);
    std::memcpy(&lo, low + i, sizeof lo);
    std::memcpy(&hi, high + i, sizeof hi);
    for (int b = 0; b < 8; ++b) {
      const Eight v = draw[b];
      s += v;
      q += v * v;
      lo = v < lo ? v : lo;  // std::min(lo, v)
      hi = hi < v ? v : hi;  // std::max(hi, v)
    }
    std::memcpy(sum + i, &s, sizeof s);
    std::memcpy(sum_sq + i, &q, sizeof q);
    std::memcpy(low + i, &lo, sizeof lo);
    std::memcpy(high + i, &hi, sizeof hi);
    for (int j = 0; j < 8; ++j) count[i + static_cast<std::size_t>(j)] += 8;
  }
  // The last n mod 8 slots as other widths take them.
  add_finite_lanes(x + i * 8, n - i, 8, count + i, sum + i, sum_sq + i, low + i, high + i);
}
}  // namespace

inline bool ChunkStatistics::add_checked(std::size_t i, double v) {
  if (!std::isfinite(v)) {
    // NaN where the output may not apply: not counted. Anything else is no result: refuse the
    // draw before it reaches a sum.
    return std::isnan(v) && may_not_apply_[i];
  }
  ++count_[i];
  sum_[i] += v;
  sum_sq_[i] += v * v;
  min_[i] = std::min(min_[i], v);
  max_[i] = std::max(max_[i], v);
  return true;
}

ChunkStatistics::Unsound ChunkStatistics::add_batch(const BatchOutputs& batch, std::size_t count) {
  const std::size_t n = count_.size(), lanes = batch.lanes;
  const double* x = batch.reals.data();
  // A full batch of finite values takes the vectorised path (a model with one output, as
  // Ishigami, fills it with its lanes).
  if (count == lanes && n * lanes >= 16 && all_finite(x, n * lanes)) {
    if (lanes == 8)
      add_finite_8_lanes(x, n, count_.data(), sum_.data(), sum_sq_.data(), min_.data(), max_.data());
    else
      add_finite_lanes(x, n, lanes, count_.data(), sum_.data(), sum_sq_.data(), min_.data(), max_.data());
  } else {
    // A partial batch, or a value that is not finite: add()'s checks, draw by draw.
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t i = 0; i < n; ++i)
        if (!add_checked(i, x[i * lanes + b])) return {b, i};
  }
  for (std::size_t k = 0; k < sketched_.size(); ++k)
    sketch::count_buckets(x + sketched_[k] * lanes, count, sketch_.data() + k * sketch::size());
  for (std::size_t c = 0; c < code_offset_.size(); ++c)
    for (std::size_t b = 0; b < count; ++b) ++category_counts_[code_offset_[c] + batch.codes[c * lanes + b]];
  return {};
}

std::size_t ChunkStatistics::add(const DrawOutputs& draw) {
  const std::size_t n = count_.size();
  const double* x = draw.reals.data();
  // A few values (Ishigami's one): the value-by-value loop is quicker than choosing a SIMD path.
  if (n >= 16 && all_finite(x, n)) {
    // The usual draw: the same updates as below.
    add_finite(x, n, count_.data(), sum_.data(), sum_sq_.data(), min_.data(), max_.data());
  } else {
    for (std::size_t i = 0; i < n; ++i)
      if (!add_checked(i, x[i])) return i;
  }
  for (std::size_t k = 0; k < sketched_.size(); ++k)
    sketch::count_buckets(&draw.reals[sketched_[k]], 1, sketch_.data() + k * sketch::size());
  for (std::size_t c = 0; c < code_offset_.size(); ++c) ++category_counts_[code_offset_[c] + draw.codes[c]];
  return npos;
}

RunStatistics::RunStatistics(const OutputLayout& layout) : layout_(&layout) {
  const std::size_t n = layout.real_slots();
  count_.assign(n, 0);
  sum_.resize(n);
  sum_sq_.resize(n);
  min_.assign(n, kInf);
  max_.assign(n, -kInf);
  sketch_index_.assign(n, -1);
  const auto sketched = sketched_slots(layout);
  for (std::size_t k = 0; k < sketched.size(); ++k) sketch_index_[sketched[k]] = static_cast<long>(k);
  sketch_.assign(sketched.size() * sketch::size(), 0);
  std::size_t total = 0;
  code_offset_ = code_offsets(layout, total);
  category_counts_.assign(total, 0);
}

void RunStatistics::fold(const ChunkStatistics& chunk) {
  for (std::size_t i = 0; i < count_.size(); ++i) {
    if (chunk.count_[i] == 0) continue;
    count_[i] += chunk.count_[i];
    sum_[i].add(chunk.sum_[i]);
    sum_sq_[i].add(chunk.sum_sq_[i]);
    min_[i] = std::min(min_[i], chunk.min_[i]);
    max_[i] = std::max(max_[i], chunk.max_[i]);
  }
  for (std::size_t k = 0; k < sketch_.size(); ++k) sketch_[k] += chunk.sketch_[k];
  for (std::size_t k = 0; k < category_counts_.size(); ++k) category_counts_[k] += chunk.category_counts_[k];
}

void RunStatistics::merge(const RunStatistics& other) {
  for (std::size_t i = 0; i < count_.size(); ++i) {
    count_[i] += other.count_[i];
    sum_[i].add(other.sum_[i]);
    sum_sq_[i].add(other.sum_sq_[i]);
    min_[i] = std::min(min_[i], other.min_[i]);
    max_[i] = std::max(max_[i], other.max_[i]);
  }
  for (std::size_t k = 0; k < sketch_.size(); ++k) sketch_[k] += other.sketch_[k];
  for (std::size_t k = 0; k < category_counts_.size(); ++k) category_counts_[k] += other.category_counts_[k];
}

std::vector<std::uint64_t> RunStatistics::to_words() const {
  std::vector<std::uint64_t> words;
  words.reserve(count_.size() * (3 + 2 * ExactSum::kDigits) + sketch_.size() + category_counts_.size());
  for (std::size_t i = 0; i < count_.size(); ++i) {
    words.push_back(count_[i]);
    std::vector<std::int64_t> digits;
    for (const ExactSum* sum : {&sum_[i], &sum_sq_[i]}) sum->append_digits(digits);  // canonical digits
    for (std::int64_t digit : digits) words.push_back(std::bit_cast<std::uint64_t>(digit));
    words.push_back(std::bit_cast<std::uint64_t>(min_[i]));
    words.push_back(std::bit_cast<std::uint64_t>(max_[i]));
  }
  words.insert(words.end(), sketch_.begin(), sketch_.end());
  words.insert(words.end(), category_counts_.begin(), category_counts_.end());
  return words;
}

void RunStatistics::merge_words(std::span<const std::uint64_t> words) {
  const std::size_t expected = count_.size() * (3 + 2 * ExactSum::kDigits) + sketch_.size() + category_counts_.size();
  if (words.size() != expected) throw std::invalid_argument("statistics words do not match the output layout");
  RunStatistics other(*layout_);
  std::size_t w = 0;
  for (std::size_t i = 0; i < count_.size(); ++i) {
    other.count_[i] = words[w++];
    for (ExactSum* sum : {&other.sum_[i], &other.sum_sq_[i]}) {
      ExactSum::Digits digits{};
      for (auto& digit : digits) digit = std::bit_cast<std::int64_t>(words[w++]);
      *sum = ExactSum::from_digits(digits);
    }
    other.min_[i] = std::bit_cast<double>(words[w++]);
    other.max_[i] = std::bit_cast<double>(words[w++]);
  }
  for (auto& v : other.sketch_) v = words[w++];
  for (auto& v : other.category_counts_) v = words[w++];
  merge(other);
}

double RunStatistics::mean(std::size_t slot) const {
  if (count_[slot] == 0) return std::nan("");
  return static_cast<double>(sum_[slot].value_long() / static_cast<long double>(count_[slot]));
}

double RunStatistics::variance(std::size_t slot) const {
  const std::uint64_t n = count_[slot];
  if (n < 2) return std::nan("");
  const long double s1 = sum_[slot].value_long(), s2 = sum_sq_[slot].value_long();
  const long double nn = static_cast<long double>(n);
  const long double v = (s2 - s1 * s1 / nn) / (nn - 1.0L);
  return v > 0.0L ? static_cast<double>(v) : 0.0;
}

std::span<const std::uint64_t> RunStatistics::sketch(std::size_t slot) const {
  const long row = sketch_index_[slot];
  if (row < 0) return {};
  return {sketch_.data() + static_cast<std::size_t>(row) * sketch::size(), sketch::size()};
}

std::span<std::uint64_t> RunStatistics::mutable_sketch(std::size_t slot) {
  const long row = sketch_index_[slot];
  if (row < 0) return {};
  return {sketch_.data() + static_cast<std::size_t>(row) * sketch::size(), sketch::size()};
}

double RunStatistics::quantile(std::size_t slot, double q) const {
  const auto counts = sketch(slot);
  if (counts.empty()) return std::nan("");
  return sketch::quantile(counts, count_[slot], q, min_[slot], max_[slot]);
}

std::span<const std::uint64_t> RunStatistics::category_counts(std::size_t code_slot) const {
  const std::size_t begin = code_offset_[code_slot];
  const std::size_t end = code_slot + 1 < code_offset_.size() ? code_offset_[code_slot + 1]
                                                              : category_counts_.size();
  return {category_counts_.data() + begin, end - begin};
}

std::span<std::uint64_t> RunStatistics::mutable_category_counts(std::size_t code_slot) {
  const std::size_t begin = code_offset_[code_slot];
  const std::size_t end = code_slot + 1 < code_offset_.size() ? code_offset_[code_slot + 1]
                                                              : category_counts_.size();
  return {category_counts_.data() + begin, end - begin};
}

void RunStatistics::restore_real(std::size_t slot, std::uint64_t count, const ExactSum& sum,
                                 const ExactSum& sum_sq, double min, double max) {
  count_[slot] = count;
  sum_[slot] = sum;
  sum_sq_[slot] = sum_sq;
  min_[slot] = min;
  max_[slot] = max;
}

}  // namespace deterrence
