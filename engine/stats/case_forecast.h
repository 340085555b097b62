#pragma once
// Forecasts of historical cases as a record observes them, and their scores against a
// leave-one-out base rate (docs/model.md §8; README "Historical cases").
#include <cstdint>
#include <string>
#include <vector>

#include "model/case_spec.h"

namespace deterrence {

struct CaseForecast {
  CaseSpec spec;
  std::uint64_t draws = 0;
  std::uint64_t condition_count = 0;           // draws in which the condition held (e.g. coerced)
  std::vector<std::uint64_t> class_counts;     // per class of spec.classes
  double p_condition = 0;                      // condition_count / draws
  std::vector<double> p_class;                 // P(class | condition): count ratios (NaN if never)
  double p_observed = 0;                       // Σ weight · P(class | condition) (NaN if never)
  double p_observed_low = 0, p_observed_high = 0;  // Wilson 95% (weighted cases: of each part, combined)
  bool never_conditioned() const { return condition_count == 0; }
};

// counts: the element's count per category of the output.
CaseForecast forecast_case(const CaseSpec& spec, const std::vector<std::uint64_t>& category_counts);

struct CaseScores {
  // Per case (NaN for a case never conditioned); means over the scored cases.
  std::vector<double> model_log, base_log, model_brier, base_brier;
  double mean_model_log = 0, mean_base_log = 0, mean_model_brier = 0, mean_base_brier = 0;
  std::size_t scored = 0;
};

// Log score −ln p(observed) with Jeffreys smoothing of the conditional counts (+1/2 per class),
// so an outcome no draw produced costs a finite amount bounded by the draw count; Brier score
// Σ_k (p_k − o_k)² with o_k the observed weight of class k. The base rate of a case is the
// leave-one-out frequency (+1/2 per class) of the other cases' observations that fall in its
// classes. A case whose condition never held is not scored, and is reported as such.
CaseScores score_cases(const std::vector<CaseForecast>& forecasts);

// The base-rate forecast of `spec`'s classes from other cases' observations (+1/2 per class), and
// the observed weight of each class of `spec`.
std::vector<double> base_rate(const CaseSpec& spec, const std::vector<const CaseSpec*>& others);
std::vector<double> observed_weights(const CaseSpec& spec);

}  // namespace deterrence
