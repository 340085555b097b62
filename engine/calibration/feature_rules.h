#pragma once
// The forecasts an analyst makes without the model, scored as the model is: each case's classes
// forecast by the observed frequencies of the other cases (leave-one-out) — or of the cases a
// hold-out fits on — that share its value of one feature, with +½ pseudo-counts per class
// (stats/case_forecast.h base_rate). Rules: one rate for all; a rate per act (one-off or
// ongoing), per issue, per stance (forced or chosen). A rule whose feature a case does not code
// forecasts it from all the others.
#include <string>
#include <vector>

#include "model/case_spec.h"

namespace deterrence {

struct FeatureRuleScores {
  std::string name;     // "one rate for all", "rate per act", ...
  std::string feature;  // "" for one rate for all
  std::vector<double> loo_log, loo_brier;    // per case
  std::vector<double> held_log, held_brier;  // per case (NaN for cases not held out)
  double mean_loo_log = 0, mean_loo_brier = 0, mean_held_log = 0, mean_held_brier = 0;
  std::size_t held_out = 0;
};

// held_out[c]: case c is held out (the rest is what a hold-out fits on); none: no hold-out.
std::vector<FeatureRuleScores> score_feature_rules(const std::vector<CaseSpec>& cases, const std::vector<bool>& held_out);

// Log score −ln Σ_k o_k p_k and Brier Σ_k (p_k − o_k)² of a forecast p against observed weights o.
void score_forecast(const std::vector<double>& p, const std::vector<double>& observed, double& log_score, double& brier);

}  // namespace deterrence
