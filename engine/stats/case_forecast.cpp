#include "stats/case_forecast.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/intervals.h"

namespace deterrence {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index of the class holding a label (a class's own label, or a category it contains named the
// same way), or -1.
int class_of(const CaseSpec& spec, const std::string& label) {
  for (std::size_t k = 0; k < spec.classes.size(); ++k)
    if (spec.classes[k].label == label) return static_cast<int>(k);
  return -1;
}

// Where another case's observation falls among this case's classes: by label, or, for a label
// that is a union of categories (e.g. CAPITULATION under COERCED), by category containment.
int class_holding(const CaseSpec& spec, const CaseSpec& other, const std::string& label) {
  if (int k = class_of(spec, label); k >= 0) return k;
  const int o = class_of(other, label);
  if (o < 0) return -1;
  const auto& cats = other.classes[static_cast<std::size_t>(o)].categories;
  for (std::size_t k = 0; k < spec.classes.size(); ++k) {
    const auto& mine = spec.classes[k].categories;
    if (std::all_of(cats.begin(), cats.end(), [&](std::size_t c) { return std::find(mine.begin(), mine.end(), c) != mine.end(); }))
      return static_cast<int>(k);
  }
  return -1;
}

}  // namespace

CaseForecast forecast_case(const CaseSpec& spec, const std::vector<std::uint64_t>& category_counts) {
  CaseForecast f;
  f.spec = spec;
  for (auto n : category_counts) f.draws += n;
  for (const auto& cls : spec.classes) {
    std::uint64_t n = 0;
    for (std::size_t c : cls.categories) n += category_counts.at(c);
    f.class_counts.push_back(n);
    f.condition_count += n;
  }
  f.p_condition = f.draws ? static_cast<double>(f.condition_count) / static_cast<double>(f.draws) : kNaN;
  f.p_observed = f.condition_count ? 0.0 : kNaN;
  f.p_observed_low = f.p_observed_high = f.p_observed;
  for (std::size_t k = 0; k < spec.classes.size(); ++k)
    f.p_class.push_back(f.condition_count ? static_cast<double>(f.class_counts[k]) / static_cast<double>(f.condition_count) : kNaN);
  if (f.condition_count) {
    double low = 0, high = 0;
    for (const auto& o : spec.observed) {
      const auto k = static_cast<std::size_t>(class_of(spec, o.label));
      f.p_observed += o.weight * f.p_class[k];
      const auto [lo, hi] = wilson_interval(f.class_counts[k], f.condition_count);
      low += o.weight * lo;
      high += o.weight * hi;
    }
    f.p_observed_low = low;
    f.p_observed_high = high;
  }
  return f;
}

std::vector<double> base_rate(const CaseSpec& spec, const std::vector<const CaseSpec*>& others) {
  const std::size_t k = spec.classes.size();
  std::vector<double> base(k, 0.5);
  double total = 0.5 * static_cast<double>(k);
  for (const CaseSpec* other : others)
    for (const auto& o : other->observed) {
      const int j = class_holding(spec, *other, o.label);
      if (j < 0) continue;
      base[static_cast<std::size_t>(j)] += o.weight;
      total += o.weight;
    }
  for (double& b : base) b /= total;
  return base;
}

std::vector<double> observed_weights(const CaseSpec& spec) {
  std::vector<double> observed(spec.classes.size(), 0.0);
  for (const auto& o : spec.observed) observed[static_cast<std::size_t>(class_of(spec, o.label))] += o.weight;
  return observed;
}

CaseScores score_cases(const std::vector<CaseForecast>& forecasts) {
  CaseScores s;
  const std::size_t n = forecasts.size();
  double sums[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    const CaseForecast& f = forecasts[i];
    const std::size_t k = f.spec.classes.size();
    if (f.never_conditioned()) {
      for (auto* v : {&s.model_log, &s.base_log, &s.model_brier, &s.base_brier}) v->push_back(kNaN);
      continue;
    }
    std::vector<double> observed(k, 0.0);
    for (const auto& o : f.spec.observed) observed[static_cast<std::size_t>(class_of(f.spec, o.label))] += o.weight;
    double p_smoothed = 0, brier = 0;
    const double denominator = static_cast<double>(f.condition_count) + 0.5 * static_cast<double>(k);
    for (std::size_t j = 0; j < k; ++j) {
      p_smoothed += observed[j] * (static_cast<double>(f.class_counts[j]) + 0.5) / denominator;
      brier += std::pow(f.p_class[j] - observed[j], 2);
    }
    std::vector<double> base(k, 0.5);
    double total = 0.5 * static_cast<double>(k);
    for (std::size_t other = 0; other < n; ++other) {
      if (other == i) continue;
      for (const auto& o : forecasts[other].spec.observed) {
        const int j = class_holding(f.spec, forecasts[other].spec, o.label);
        if (j < 0) continue;
        base[static_cast<std::size_t>(j)] += o.weight;
        total += o.weight;
      }
    }
    double p_base = 0, base_brier = 0;
    for (std::size_t j = 0; j < k; ++j) {
      p_base += observed[j] * base[j] / total;
      base_brier += std::pow(base[j] / total - observed[j], 2);
    }
    s.model_log.push_back(-std::log(p_smoothed));
    s.base_log.push_back(-std::log(p_base));
    s.model_brier.push_back(brier);
    s.base_brier.push_back(base_brier);
    sums[0] += s.model_log.back();
    sums[1] += s.base_log.back();
    sums[2] += brier;
    sums[3] += base_brier;
    ++s.scored;
  }
  const double m = s.scored ? static_cast<double>(s.scored) : kNaN;
  s.mean_model_log = sums[0] / m;
  s.mean_base_log = sums[1] / m;
  s.mean_model_brier = sums[2] / m;
  s.mean_base_brier = sums[3] / m;
  return s;
}

}  // namespace deterrence
