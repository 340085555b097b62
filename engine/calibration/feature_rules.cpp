#include "calibration/feature_rules.h"

#include <cmath>
#include <limits>

#include "stats/case_forecast.h"

namespace deterrence {

namespace {

const std::string* feature_of(const CaseSpec& c, const std::string& key) {
  for (const auto& [k, v] : c.features)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace

void score_forecast(const std::vector<double>& p, const std::vector<double>& observed, double& log_score, double& brier) {
  double p_observed = 0;
  brier = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    p_observed += observed[k] * p[k];
    brier += (p[k] - observed[k]) * (p[k] - observed[k]);
  }
  log_score = -std::log(p_observed);
}

std::vector<FeatureRuleScores> score_feature_rules(const std::vector<CaseSpec>& cases, const std::vector<bool>& held_out) {
  const std::pair<const char*, const char*> rules[] = {
      {"one rate for all", ""}, {"rate per act", "act"}, {"rate per issue", "issue"}, {"rate per stance", "stance"}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t C = cases.size();
  std::vector<FeatureRuleScores> result;
  for (const auto& [name, feature] : rules) {
    FeatureRuleScores r;
    r.name = name;
    r.feature = feature;
    const std::string key = feature;
    // The cases that share case c's value of the feature (all of them for a case without it).
    const auto alike = [&](std::size_t c, std::size_t o) {
      if (key.empty()) return true;
      const std::string* mine = feature_of(cases[c], key);
      const std::string* theirs = feature_of(cases[o], key);
      return !mine || (theirs && *theirs == *mine);
    };
    for (std::size_t c = 0; c < C; ++c) {
      const std::vector<double> observed = observed_weights(cases[c]);
      std::vector<const CaseSpec*> others, train;
      for (std::size_t o = 0; o < C; ++o) {
        if (o == c || !alike(c, o)) continue;
        others.push_back(&cases[o]);
        if (!held_out.empty() && !held_out[o]) train.push_back(&cases[o]);
      }
      double log_score = 0, brier = 0;
      score_forecast(base_rate(cases[c], others), observed, log_score, brier);
      r.loo_log.push_back(log_score);
      r.loo_brier.push_back(brier);
      r.mean_loo_log += log_score / static_cast<double>(C);
      r.mean_loo_brier += brier / static_cast<double>(C);
      if (!held_out.empty() && held_out[c]) {
        score_forecast(base_rate(cases[c], train), observed, log_score, brier);
        r.held_log.push_back(log_score);
        r.held_brier.push_back(brier);
        ++r.held_out;
      } else {
        r.held_log.push_back(nan);
        r.held_brier.push_back(nan);
      }
    }
    for (std::size_t c = 0; c < C; ++c)
      if (!std::isnan(r.held_log[c])) {
        r.mean_held_log += r.held_log[c] / static_cast<double>(r.held_out);
        r.mean_held_brier += r.held_brier[c] / static_cast<double>(r.held_out);
      }
    if (r.held_out == 0) r.mean_held_log = r.mean_held_brier = nan;
    result.push_back(std::move(r));
  }
  return result;
}

}  // namespace deterrence
