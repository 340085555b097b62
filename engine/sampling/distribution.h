#pragma once
// The marginal distributions of uncertain parameters. Every distribution is sampled by its
// inverse CDF from one uniform, so a parameter is a pure function of its uniform: that is what
// lets copulas, Latin hypercubes and quasi-Monte Carlo designs drive any parameter.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "simd/hermite.h"

namespace deterrence {

class ConfigNode;

enum class DistributionKind {
  constant, uniform, triangular, pert, normal, truncated_normal, lognormal, beta, gamma
};

// Cubic Hermite knots: values and slopes at first, first + step, ... (see prepare()), each
// knot's value and slope side by side, so one interpolation reads one run of four numbers
// (mostly one cache line: the tables of many parameters do not all stay in the core's caches).
struct HermiteKnots {
  double first = 0, step = 0;
  std::vector<double> knots;  // knot k: value at [2k], slope at [2k + 1]
  std::size_t size() const { return knots.size() / 2; }
  bool empty() const { return knots.empty(); }
  void add(double value, double slope) {
    knots.push_back(value);
    knots.push_back(slope);
  }
  // Asks for the four numbers at(t) reads, if t is inside (a hint: no result).
  void prefetch(double t) const {
    const double position = (t - first) / step;
    if (!(position >= 0.0) || !(position < static_cast<double>(size()) - 1.0)) return;
    const double* q = knots.data() + 2 * static_cast<std::size_t>(position);
    __builtin_prefetch(q, 0, 2);
    __builtin_prefetch(q + 3, 0, 2);
  }
  simd::HermiteGrid grid() const { return {first, step, knots.data(), size()}; }
  // The interpolant at t, or NaN outside [first, last knot] (simd::hermite_value: inline, on the hot path).
  double at(double t) const { return simd::hermite_value(grid(), t); }
};

// One tail in logarithms (ln z against ln u), in two pieces: far (u from 2^-64 to 2^-20), where it
// is nearly a straight line, and near (2^-20 to 0.02), where it bends.
struct TailKnots {
  HermiteKnots far, near;
  bool empty() const { return far.empty() || near.empty(); }
  double at(double log_u) const;  // ln z, or NaN outside
};

// Tables of a slow inverse CDF (beta, PERT) on the standard scale z = (x − min)/range: Q(u) on
// [0.02, 0.98], and each tail in logarithms, where a beta quantile behaves like a power —
// ln z against ln u below, ln(1 − z) against ln(1 − u) above.
struct QuantileTable {
  HermiteKnots middle;
  TailKnots lower, upper;  // either may be empty: that tail stays exact
  // z against a copula's normal score x (u = Φ(x)) on [−kScoreEdge, kScoreEdge], inside the
  // middle's range of u: a copula member's value straight from its score, without Φ (may be empty).
  HermiteKnots by_score;
};
// The scores by_score covers: Φ(±2.05) = 0.0202 and 0.9798, inside the middle table's [0.02, 0.98].
inline constexpr double kScoreEdge = 2.05;

struct Distribution {
  DistributionKind kind = DistributionKind::constant;
  // Parameters in canonical form (see the README's table):
  //   constant: a=value; uniform: a=min b=max; triangular/pert: a=min c=mode b=max;
  //   normal: a=mean b=sd; truncated_normal: a=mean b=sd lo/hi bounds;
  //   lognormal: a=mu (log of median) b=sigma; beta: a, b (on [0,1]); gamma: a=shape b=scale.
  double a = 0.0, b = 0.0, c = 0.0, lo = 0.0, hi = 0.0;

  // Canonical parameters as above, unchecked (configs go through parse_distribution).
  static Distribution of(DistributionKind kind, double a, double b, double c = 0, double lo = 0, double hi = 0);
  static Distribution constant(double value);
  static Distribution uniform(double min, double max);
  static Distribution normal(double mean, double sd);
  static Distribution beta(double a, double b);
  static Distribution beta_mean(double mean, double concentration);

  // u in (0, 1) -> value. No allocation, no exceptions on valid distributions.
  double quantile(double u) const;
  double exact_quantile(double u) const;
  // out[k·stride] = quantile(u[k·stride]) for k < count, the same bits: the kind and table are
  // looked up once for all of them.
  void quantiles(const double* u, double* out, std::size_t count, std::size_t stride) const;
  // out[k·stride] = quantile(copula_uniform(x[k])) for k < count, to within the tables' 1e-9 (the
  // by_score table where it has one: the same bits for any count); `scratch` holds count values.
  void quantiles_of_scores(const double* x, double* out, std::size_t count, std::size_t stride, double* scratch) const;
  bool has_score_table() const { return table && !table->by_score.empty(); }
  // Asks for the table lines quantiles() will read for these uniforms (a hint, no result): the
  // tables of many parameters outgrow the core's caches, and their reads otherwise wait one by one.
  void prefetch(const double* u, std::size_t count, std::size_t stride) const;
  // Builds interpolation tables for inverse CDFs that need an iterative solver (beta, PERT),
  // each kept only if it agrees with the exact quantile at every interval midpoint — the middle
  // to 1e-9 of the range, each tail to 1e-9 of its own z or 1 − z; outside them (and for a table
  // that fails its check) the exact quantile is used.
  void prepare();
  std::shared_ptr<const QuantileTable> table;

 private:
  void build_table();

 public:
  double cdf(double x) const;
  double mean() const;
  double variance() const;
  std::string describe() const;
};

// Reads `{dist: NAME, ...}`; every out-of-range argument is a ConfigError naming it.
// Empty when `d` can be sampled: its quantile finite and non-decreasing over (0, 1) (checked on a
// grid reaching 2^-54, the generator's smallest uniform, of either end); else what goes wrong, for a message naming the parameters.
std::string sampling_problem(const Distribution& d);

Distribution parse_distribution(const ConfigNode& node);

}  // namespace deterrence
