#include "sampling/distribution.h"

#include <fmt/format.h>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <oneapi/tbb/parallel_invoke.h>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <vector>

#include "config/config_node.h"
#include "sampling/normal_quantile.h"
#include "simd/vector_math.h"

namespace deterrence {

namespace {

// Compute special functions in double, not long double: 3-5x faster and accurate to a few ulp,
// far below Monte Carlo error.
// Errors become values (inf, NaN), never exceptions or aborts: a legal distribution that Boost
// cannot evaluate somewhere is refused by sampling_problem() with its parameters named.
using DoublePolicy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>,
    boost::math::policies::rounding_error<boost::math::policies::errno_on_error>>;
constexpr DoublePolicy kDouble{};

constexpr double kSqrt2 = std::numbers::sqrt2;

double std_normal_cdf(double x) { return 0.5 * std::erfc(-x / kSqrt2); }
double std_normal_quantile(double u) { return standard_normal_quantile(u); }
double std_normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

// PERT is a beta on [min, max] with these shape parameters (the classic lambda = 4).
void pert_shape(const Distribution& d, double& alpha, double& beta) {
  const double range = d.b - d.a;
  alpha = 1.0 + 4.0 * (d.c - d.a) / range;
  beta = 1.0 + 4.0 * (d.b - d.c) / range;
}

}  // namespace

Distribution Distribution::of(DistributionKind kind, double a, double b, double c, double lo, double hi) {
  Distribution d;
  d.kind = kind;
  d.a = a;
  d.b = b;
  d.c = c;
  d.lo = lo;
  d.hi = hi;
  return d;
}

Distribution Distribution::constant(double value) {
  Distribution d;
  d.kind = DistributionKind::constant;
  d.a = value;
  return d;
}
Distribution Distribution::uniform(double min, double max) {
  Distribution d;
  d.kind = DistributionKind::uniform;
  d.a = min;
  d.b = max;
  return d;
}
Distribution Distribution::normal(double mean, double sd) {
  Distribution d;
  d.kind = DistributionKind::normal;
  d.a = mean;
  d.b = sd;
  return d;
}
Distribution Distribution::beta(double a, double b) {
  Distribution d;
  d.kind = DistributionKind::beta;
  d.a = a;
  d.b = b;
  return d;
}
Distribution Distribution::beta_mean(double mean, double concentration) {
  return beta(mean * concentration, (1.0 - mean) * concentration);
}

namespace {
// The middle table's range of u (the tails' ranges of ln u are set in build_table).
constexpr double kMiddleFirst = 0.02, kMiddleLast = 0.98;
}  // namespace

double TailKnots::at(double log_u) const { return log_u < near.first ? far.at(log_u) : near.at(log_u); }

double Distribution::quantile(double u) const {
  if (table) {
    // On the standard scale z; PERT maps back to [min, max] (beta: a + range·z is z itself).
    const bool pert = kind == DistributionKind::pert;
    const double origin = pert ? a : 0.0, range = pert ? b - a : 1.0;
    double z = std::numeric_limits<double>::quiet_NaN();
    if (u >= kMiddleFirst && u <= kMiddleLast) z = table->middle.at(u);
    else if (u < kMiddleFirst && !table->lower.empty()) z = std::exp(table->lower.at(std::log(u)));
    else if (u > kMiddleLast && !table->upper.empty()) z = 1.0 - std::exp(table->upper.at(std::log(1.0 - u)));
    if (!std::isnan(z)) return origin + range * z;
  }
  return exact_quantile(u);
}

void Distribution::prefetch(const double* u, std::size_t count, std::size_t stride) const {
  if (!table) return;
  for (std::size_t k = 0; k < count; ++k) {
    const double v = u[k * stride];
    if (v >= kMiddleFirst && v <= kMiddleLast) table->middle.prefetch(v);  // quantiles()' middle
  }
}

void Distribution::quantiles(const double* u, double* out, std::size_t count, std::size_t stride) const {
  switch (kind) {
    case DistributionKind::constant:
      for (std::size_t k = 0; k < count; ++k) out[k * stride] = a;
      return;
    case DistributionKind::uniform: {
      const double range = b - a;  // exact_quantile's a + (b − a)·u
      for (std::size_t k = 0; k < count; ++k) out[k * stride] = a + range * u[k * stride];
      return;
    }
    default:
      break;
  }
  if (table) {
    // quantile()'s middle inline; the tails (and any NaN the table gives) through quantile() itself.
    const bool pert = kind == DistributionKind::pert;
    const double origin = pert ? a : 0.0, range = pert ? b - a : 1.0;
    // Eight at a time through simd::hermite_values (hermite_value's bits, as middle.at gives).
    const simd::HermiteGrid middle = table->middle.grid();
    constexpr std::size_t kAtOnce = 8;
    double v[kAtOnce], z[kAtOnce];
    for (std::size_t k0 = 0; k0 < count; k0 += kAtOnce) {
      const std::size_t m = std::min(kAtOnce, count - k0);
      for (std::size_t j = 0; j < m; ++j) v[j] = u[(k0 + j) * stride];
      simd::hermite_values(middle, v, z, m);
      for (std::size_t j = 0; j < m; ++j) {
        // quantile()'s choice: the middle inside [kMiddleFirst, kMiddleLast] (where its grid can
        // answer), and the tails or the exact quantile elsewhere.
        const bool middle_u = v[j] >= kMiddleFirst && v[j] <= kMiddleLast && !std::isnan(z[j]);
        out[(k0 + j) * stride] = middle_u ? origin + range * z[j] : quantile(v[j]);
      }
    }
    return;
  }
  for (std::size_t k = 0; k < count; ++k) out[k * stride] = quantile(u[k * stride]);
}

void Distribution::quantiles_of_scores(const double* x, double* out, std::size_t count, std::size_t stride,
                                       double* scratch) const {
  if (has_score_table()) {
    const bool pert = kind == DistributionKind::pert;
    const double origin = pert ? a : 0.0, range = pert ? b - a : 1.0;
    simd::hermite_values(table->by_score.grid(), x, scratch, count);
    for (std::size_t k = 0; k < count; ++k) {
      const double z = scratch[k];  // NaN beyond ±kScoreEdge: through u and the tails
      out[k * stride] = std::isnan(z) ? quantile(copula_uniform(x[k])) : origin + range * z;
    }
    return;
  }
  for (std::size_t k = 0; k < count; ++k) out[k * stride] = quantile(copula_uniform(x[k]));
}

void Distribution::prepare() {
  if (kind != DistributionKind::beta && kind != DistributionKind::pert) return;
  // Tables are a pure function of the distribution: a sweep that reloads its config for every
  // point (and the many parameters sharing a distribution) build each one once per process.
  static std::mutex cache_mutex;
  static std::map<std::array<double, 6>, std::shared_ptr<const QuantileTable>> cache;
  const std::array<double, 6> key{static_cast<double>(kind), a, b, c, lo, hi};
  {
    std::lock_guard lock(cache_mutex);
    if (auto it = cache.find(key); it != cache.end()) {
      table = it->second;
      return;
    }
  }
  build_table();
  std::lock_guard lock(cache_mutex);
  cache.emplace(key, table);  // a null table (exact sampling) is remembered too
}

void Distribution::build_table() {
  table.reset();
  double alpha = a, beta_shape = b;
  if (kind == DistributionKind::pert) pert_shape(*this, alpha, beta_shape);
  const double origin = kind == DistributionKind::pert ? a : 0.0, range = kind == DistributionKind::pert ? b - a : 1.0;
  const auto exact_z = [&](double u) { return (exact_quantile(u) - origin) / range; };
  // 1 / pdf, or NaN where the density is not a finite positive number (then no table: a knot
  // at an infinite density would flatten the interpolant).
  const auto inverse_density = [](double first_shape, double second_shape, double z) {
    const double density = boost::math::ibeta_derivative(first_shape, second_shape, z, kDouble);
    return density > 0.0 && std::isfinite(density) ? 1.0 / density : std::numeric_limits<double>::quiet_NaN();
  };
  // Knots of g(t) at t = first + k·step, with g'(t) from dQ/du = 1/pdf(Q(u)); empty when a knot
  // is not finite or the value at an interval midpoint is not `within` the exact one.
  const auto build = [&](std::size_t intervals, double first, double last, const auto& g, const auto& slope,
                         const auto& within) {
    HermiteKnots knots;
    knots.first = first;
    knots.step = (last - first) / static_cast<double>(intervals);
    for (std::size_t k = 0; k <= intervals; ++k) {
      const double t = first + static_cast<double>(k) * knots.step;
      const double value = g(t), d = slope(t);
      if (!std::isfinite(value) || !std::isfinite(d)) return HermiteKnots{};
      knots.add(value, d);
    }
    for (std::size_t k = 0; k < intervals; ++k) {
      const double t = first + (static_cast<double>(k) + 0.5) * knots.step;
      if (!within(knots.at(t), t)) return HermiteKnots{};
    }
    return knots;
  };
  // Each tail from its own end, so no precision is lost to 1 − u or 1 − z: the lower tail is
  // ln z against ln u; the upper one is ln(1 − z) against ln(1 − u), and 1 − z of Beta(α, β) at
  // 1 − u is the lower quantile of Beta(β, α). Slopes d ln z / d ln u = u / (z·pdf(z)).
  const auto piece = [&](double first_shape, double second_shape, std::size_t intervals, double first, double last) {
    const auto z_at = [&, first_shape, second_shape](double t) {
      return boost::math::ibeta_inv(first_shape, second_shape, std::exp(t), kDouble);
    };
    return build(
        intervals, first, last, [&](double t) { return std::log(z_at(t)); },
        [&](double t) {
          const double z = z_at(t);
          return std::exp(t) / z * inverse_density(first_shape, second_shape, z);
        },
        [&](double log_z, double t) {
          const double z = z_at(t);
          return std::abs(std::exp(log_z) - z) <= 1e-9 * z;
        });
  };
  const auto tail = [&](double first_shape, double second_shape) {
    const double first = std::log(0x1.0p-64), bend = std::log(0x1.0p-20), last = std::log(kMiddleFirst);
    return TailKnots{piece(first_shape, second_shape, 128, first, bend), piece(first_shape, second_shape, 256, bend, last)};
  };
  // By score, the fewest of 256, 512, 1 024 or 2 048 intervals that pass: smaller tables stay in
  // the core's caches (a draw reads one per copula member). z against x is smooth enough for 256
  // at every salience beta; the middle in u is not (it needs 2 048 even there), so it keeps 2 048.
  const auto fewest = [&](double first, double last, const auto& g, const auto& slope, const auto& within) {
    for (const std::size_t intervals : {256, 512, 1024, 2048})
      if (HermiteKnots knots = build(intervals, first, last, g, slope, within); !knots.empty()) return knots;
    return HermiteKnots{};
  };
  // The middle is z against u, to 1e-9 of the range; by score, z against a copula member's score
  // x, to the same 1e-9, with dz/dx = φ(x)/pdf(z). The four tables are independent: built side by
  // side (set-up only; each is a pure function of the distribution).
  const auto z_of_score = [&](double x) { return exact_z(copula_uniform(x)); };
  const auto density_of_score = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi); };
  auto built = std::make_shared<QuantileTable>();
  tbb::parallel_invoke(
      [&] {
        built->middle = build(
            2048, kMiddleFirst, kMiddleLast, exact_z, [&](double u) { return inverse_density(alpha, beta_shape, exact_z(u)); },
            [&](double z, double u) { return std::abs(z - exact_z(u)) <= 1e-9; });
      },
      [&] { built->lower = tail(alpha, beta_shape); }, [&] { built->upper = tail(beta_shape, alpha); },
      [&] {
        built->by_score = fewest(
            -kScoreEdge, kScoreEdge, z_of_score,
            [&](double x) { return density_of_score(x) * inverse_density(alpha, beta_shape, z_of_score(x)); },
            [&](double z, double x) { return std::abs(z - z_of_score(x)) <= 1e-9; });
      });
  if (built->middle.empty()) return;  // keep exact sampling
  table = built;
}

double Distribution::exact_quantile(double u) const {
  switch (kind) {
    case DistributionKind::constant:
      return a;
    case DistributionKind::uniform:
      return a + (b - a) * u;
    case DistributionKind::triangular: {
      const double split = (c - a) / (b - a);
      if (u < split) return a + std::sqrt(u * (b - a) * (c - a));
      return b - std::sqrt((1.0 - u) * (b - a) * (b - c));
    }
    case DistributionKind::pert: {
      double alpha = 0.0, beta_shape = 0.0;
      pert_shape(*this, alpha, beta_shape);
      return a + (b - a) * boost::math::ibeta_inv(alpha, beta_shape, u, kDouble);
    }
    case DistributionKind::normal:
      return a + b * std_normal_quantile(u);
    case DistributionKind::truncated_normal: {
      const double p_lo = std_normal_cdf((lo - a) / b);
      const double p_hi = std_normal_cdf((hi - a) / b);
      const double x = a + b * std_normal_quantile(p_lo + u * (p_hi - p_lo));
      return std::min(hi, std::max(lo, x));  // guard the last ulp at extreme tails
    }
    case DistributionKind::lognormal:
      return simd::exponential(a + b * std_normal_quantile(u));  // the sampler's bits (engine 0.5.0)
    case DistributionKind::beta:
      return boost::math::ibeta_inv(a, b, u, kDouble);
    case DistributionKind::gamma:
      return b * boost::math::gamma_p_inv(a, u, kDouble);
  }
  return a;
}

double Distribution::cdf(double x) const {
  switch (kind) {
    case DistributionKind::constant:
      return x < a ? 0.0 : 1.0;
    case DistributionKind::uniform:
      return x <= a ? 0.0 : x >= b ? 1.0 : (x - a) / (b - a);
    case DistributionKind::triangular:
      if (x <= a) return 0.0;
      if (x >= b) return 1.0;
      if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
      return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
    case DistributionKind::pert: {
      double alpha = 0.0, beta_shape = 0.0;
      pert_shape(*this, alpha, beta_shape);
      if (x <= a) return 0.0;
      if (x >= b) return 1.0;
      return boost::math::ibeta(alpha, beta_shape, (x - a) / (b - a), kDouble);
    }
    case DistributionKind::normal:
      return std_normal_cdf((x - a) / b);
    case DistributionKind::truncated_normal: {
      if (x <= lo) return 0.0;
      if (x >= hi) return 1.0;
      const double p_lo = std_normal_cdf((lo - a) / b);
      const double p_hi = std_normal_cdf((hi - a) / b);
      return (std_normal_cdf((x - a) / b) - p_lo) / (p_hi - p_lo);
    }
    case DistributionKind::lognormal:
      return x <= 0.0 ? 0.0 : std_normal_cdf((std::log(x) - a) / b);
    case DistributionKind::beta:
      return x <= 0.0 ? 0.0 : x >= 1.0 ? 1.0 : boost::math::ibeta(a, b, x, kDouble);
    case DistributionKind::gamma:
      return x <= 0.0 ? 0.0 : boost::math::gamma_p(a, x / b, kDouble);
  }
  return 0.0;
}

double Distribution::mean() const {
  switch (kind) {
    case DistributionKind::constant:
      return a;
    case DistributionKind::uniform:
      return 0.5 * (a + b);
    case DistributionKind::triangular:
      return (a + b + c) / 3.0;
    case DistributionKind::pert:
      return (a + 4.0 * c + b) / 6.0;
    case DistributionKind::normal:
      return a;
    case DistributionKind::truncated_normal: {
      const double alpha = (lo - a) / b, beta_z = (hi - a) / b;
      const double z = std_normal_cdf(beta_z) - std_normal_cdf(alpha);
      return a + b * (std_normal_pdf(alpha) - std_normal_pdf(beta_z)) / z;
    }
    case DistributionKind::lognormal:
      return std::exp(a + 0.5 * b * b);
    case DistributionKind::beta:
      return a / (a + b);
    case DistributionKind::gamma:
      return a * b;
  }
  return 0.0;
}

double Distribution::variance() const {
  switch (kind) {
    case DistributionKind::constant:
      return 0.0;
    case DistributionKind::uniform:
      return (b - a) * (b - a) / 12.0;
    case DistributionKind::triangular:
      return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    case DistributionKind::pert: {
      double alpha = 0.0, beta_shape = 0.0;
      pert_shape(*this, alpha, beta_shape);
      const double s = alpha + beta_shape;
      return (b - a) * (b - a) * alpha * beta_shape / (s * s * (s + 1.0));
    }
    case DistributionKind::normal:
      return b * b;
    case DistributionKind::truncated_normal: {
      const double alpha = (lo - a) / b, beta_z = (hi - a) / b;
      const double z = std_normal_cdf(beta_z) - std_normal_cdf(alpha);
      const double pa = std_normal_pdf(alpha), pb = std_normal_pdf(beta_z);
      const double t1 = (alpha * pa - beta_z * pb) / z;
      const double t2 = (pa - pb) / z;
      return b * b * (1.0 + t1 - t2 * t2);
    }
    case DistributionKind::lognormal:
      return (std::exp(b * b) - 1.0) * std::exp(2.0 * a + b * b);
    case DistributionKind::beta: {
      const double s = a + b;
      return a * b / (s * s * (s + 1.0));
    }
    case DistributionKind::gamma:
      return a * b * b;
  }
  return 0.0;
}

std::string Distribution::describe() const {
  switch (kind) {
    case DistributionKind::constant: return fmt::format("constant({})", a);
    case DistributionKind::uniform: return fmt::format("uniform({}, {})", a, b);
    case DistributionKind::triangular: return fmt::format("triangular({}, {}, {})", a, c, b);
    case DistributionKind::pert: return fmt::format("pert({}, {}, {})", a, c, b);
    case DistributionKind::normal: return fmt::format("normal({}, {})", a, b);
    case DistributionKind::truncated_normal:
      return fmt::format("truncated_normal({}, {}, [{}, {}])", a, b, lo, hi);
    case DistributionKind::lognormal: return fmt::format("lognormal(mu={}, sigma={})", a, b);
    case DistributionKind::beta: return fmt::format("beta({}, {})", a, b);
    case DistributionKind::gamma: return fmt::format("gamma(shape={}, scale={})", a, b);
  }
  return "?";
}

namespace {

double positive(const ConfigNode& node, const std::string& key) {
  const ConfigNode child = node.at(key);
  const double value = child.as_double();
  if (value <= 0.0) child.fail(fmt::format("{}", value), "a number > 0");
  return value;
}

void require_order(const ConfigNode& node, double min, double max, bool allow_equal) {
  if (min > max || (!allow_equal && min == max))
    node.fail_message(fmt::format("min ({}) must be {} max ({})", min,
                                  allow_equal ? "at most" : "below", max));
}

}  // namespace

Distribution parse_distribution(const ConfigNode& node) {
  if (!node.is_map()) {
    // A bare number is a constant: the common case for fixed scalars.
    if (node.is_scalar()) return Distribution::constant(node.as_double());
    node.fail("a list", "a number or a map like {dist: uniform, min: 0, max: 1}");
  }
  const ConfigNode dist_node = node.at("dist");
  const std::string name = dist_node.as_string();
  Distribution d;
  if (name == "constant") {
    d = Distribution::constant(node.at("value").as_double());
  } else if (name == "uniform") {
    d = Distribution::uniform(node.at("min").as_double(), node.at("max").as_double());
    require_order(node, d.a, d.b, false);
  } else if (name == "triangular" || name == "pert") {
    d.kind = name == "pert" ? DistributionKind::pert : DistributionKind::triangular;
    d.a = node.at("min").as_double();
    d.c = node.at("mode").as_double();
    d.b = node.at("max").as_double();
    require_order(node, d.a, d.b, false);
    if (d.c < d.a || d.c > d.b)
      node.at("mode").fail(fmt::format("{}", d.c), fmt::format("a mode in [min, max] = [{}, {}]", d.a, d.b));
  } else if (name == "normal") {
    d = Distribution::normal(node.at("mean").as_double(), positive(node, "sd"));
  } else if (name == "truncated_normal") {
    d.kind = DistributionKind::truncated_normal;
    d.a = node.at("mean").as_double();
    d.b = positive(node, "sd");
    d.lo = node.at("min").as_double();
    d.hi = node.at("max").as_double();
    require_order(node, d.lo, d.hi, false);
    const double mass = std_normal_cdf((d.hi - d.a) / d.b) - std_normal_cdf((d.lo - d.a) / d.b);
    if (!(mass > 1e-12))
      node.fail_message("the interval [min, max] holds no probability mass of the normal");
  } else if (name == "lognormal") {
    d.kind = DistributionKind::lognormal;
    const bool by_median = node.has("median") || node.has("log_sd");
    const bool by_moments = node.has("mean") || node.has("sd");
    if (by_median && by_moments)
      node.fail_message("give either {median, log_sd} or {mean, sd}, not both");
    if (by_moments) {
      const double mean = positive(node, "mean"), sd = positive(node, "sd");
      const double ratio = sd / mean;  // (sd/mean)^2, not sd^2/mean^2: no underflow at tiny scales
      d.b = std::sqrt(std::log1p(ratio * ratio));
      d.a = std::log(mean) - 0.5 * d.b * d.b;
    } else {
      d.a = std::log(positive(node, "median"));
      d.b = positive(node, "log_sd");
    }
  } else if (name == "beta") {
    d.kind = DistributionKind::beta;
    const bool by_shape = node.has("a") || node.has("b");
    const bool by_mean = node.has("mean") || node.has("concentration");
    if (by_shape && by_mean)
      node.fail_message("give either {a, b} or {mean, concentration}, not both");
    if (by_mean) {
      const ConfigNode mean_node = node.at("mean");
      const double mean = mean_node.as_double();
      if (mean <= 0.0 || mean >= 1.0) mean_node.fail(fmt::format("{}", mean), "a mean in (0, 1)");
      d = Distribution::beta_mean(mean, positive(node, "concentration"));
    } else {
      d = Distribution::beta(positive(node, "a"), positive(node, "b"));
    }
  } else if (name == "gamma") {
    d.kind = DistributionKind::gamma;
    d.a = positive(node, "shape");
    if (node.has("rate") && node.has("scale")) node.fail_message("give either scale or rate, not both");
    d.b = node.has("rate") ? 1.0 / positive(node, "rate") : positive(node, "scale");
  } else {
    dist_node.fail(fmt::format("'{}'", excerpt(name)),
                   "one of constant, uniform, triangular, pert, normal, truncated_normal, "
                   "lognormal, beta, gamma");
  }
  node.reject_unknown_keys();
  // Beyond these shapes Boost's incomplete beta and gamma inverses lose their accuracy or run
  // for unbounded time (beta(1e300, 1e12) did not return in 30 s): refused before evaluating.
  constexpr double kMinShape = 1e-12, kMaxShape = 1e9;
  for (double v : {d.a, d.b, d.c, d.lo, d.hi})
    if (!std::isfinite(v))
      node.fail_message(fmt::format("{} cannot be sampled: its parameters overflow or underflow", d.describe()));
  if (d.kind == DistributionKind::lognormal && !(d.b > 0.0))
    node.fail_message(fmt::format("{} cannot be sampled: its log-scale spread underflows to 0", d.describe()));
  const auto shape_ok = [&](double s) { return s >= kMinShape && s <= kMaxShape; };
  if ((d.kind == DistributionKind::beta && !(shape_ok(d.a) && shape_ok(d.b))) ||
      (d.kind == DistributionKind::gamma && !shape_ok(d.a)))
    node.fail_message(fmt::format("{} cannot be sampled: its shape parameters must lie in [{:g}, {:g}]", d.describe(),
                                  kMinShape, kMaxShape));
  if (const std::string problem = sampling_problem(d); !problem.empty())
    node.fail_message(fmt::format("{} cannot be sampled: {} (choose parameters away from this edge)", d.describe(), problem));
  return d;
}

std::string sampling_problem(const Distribution& d) {
  // Memoised: many parameters share a distribution, and sweeps reload their config per point.
  static std::mutex mutex;
  static std::map<std::array<double, 6>, std::string> verdicts;
  const std::array<double, 6> key{static_cast<double>(d.kind), d.a, d.b, d.c, d.lo, d.hi};
  {
    std::lock_guard lock(mutex);
    if (auto it = verdicts.find(key); it != verdicts.end()) return it->second;
  }
  std::string problem;
  Distribution prepared = d;
  try {
    prepared.prepare();
    // Its quantile must be finite and non-decreasing over every uniform a draw can use: from
    // 2^-54 (the smallest the generator gives) through a fine grid to 1 - 2^-53 (the largest).
    std::vector<double> grid{0x1.0p-54, 1e-15, 1e-12, 1e-9, 1e-6, 1e-4};
    for (int k = 1; k < 1000; ++k) grid.push_back(k / 1000.0);
    for (double tail : {1e-4, 1e-6, 1e-9, 1e-12, 1e-15, 0x1.0p-53}) grid.push_back(1.0 - tail);
    double previous = -std::numeric_limits<double>::infinity();
    for (double u : grid) {
      const double x = prepared.quantile(u);
      if (!std::isfinite(x)) {
        problem = fmt::format("its quantile at u = {:g} is {}", u, x);
        break;
      }
      if (x < previous) {
        problem = fmt::format("its quantile decreases at u = {:g} (the numerics fail at these parameters)", u);
        break;
      }
      previous = x;
    }
  } catch (const std::exception& error) {
    problem = fmt::format("evaluating it fails ({})", std::string(error.what()).substr(0, 120));
  }
  std::lock_guard lock(mutex);
  verdicts.emplace(key, problem);
  return problem;
}

}  // namespace deterrence
