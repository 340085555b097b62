#pragma once
// `deterrence compare`: calibrations of nested models on the same case library and draws, set
// against each other by how well each forecasts cases it was not fitted to — PSIS leave-one-out
// elpd with its standard error, pairwise differences with theirs (Vehtari, Gelman & Gabry 2017),
// Pareto-k diagnostics, the held-out (by year) score — and stacking weights, the mixture of the
// models' leave-one-out predictive distributions that forecasts best (Yao, Vehtari, Simpson &
// Gelman 2018). Each model's prior-data conflicts (posterior median outside the prior's 5–95%)
// are listed beside.
#include <cstdio>
#include <string>
#include <vector>

#include "io/h5.h"

namespace deterrence {

struct ComparedModel {
  std::string name;         // the calibration file's stem
  std::string file, description;
  std::vector<double> pointwise;  // per case: ln p_loo (its elpd contribution)
  double elpd = 0, elpd_se = 0;
  double k_max = 0;
  std::size_t k_over_07 = 0;      // cases whose printed leave-one-out rests on PSIS with Pareto k > 0.7
  std::size_t refits = 0;         // cases whose leave-one-out was refitted exactly (SMC)
  double log_evidence = 0;        // ln p(record) (NaN for importance sampling)
  std::string method;             // smc or importance
  double effective_sample_size = 0;
  double mean_held_log = 0;       // held-out mean log score (NaN without a hold-out)
  std::size_t held_out = 0;
  double stacking_weight = 0;
  std::vector<std::string> at_prior_edge;  // prior-data conflicts
};

struct ModelComparison {
  std::vector<std::string> cases;
  std::vector<ComparedModel> models;
  std::vector<double> difference, difference_se;  // [row model, column model]: elpd_row - elpd_col
  double mean_base_log = 0, mean_held_base_log = 0;
  // The forecasts made without the game (the first file's /calibration/feature_rules).
  std::vector<std::string> rules;
  std::vector<double> rule_loo_log, rule_held_log;
};

// Reads the calibrations and compares them. Throws std::runtime_error naming the file when they
// were not made on the same model, seed, cases and observations, or when fewer than two are given.
ModelComparison compare_calibrations(const std::vector<std::string>& files);

// Stacking weights: the w on the simplex maximising Σ_i ln Σ_k w_k p[k][i], for predictive
// densities p[model][case] > 0 (an EM fixed point; the objective is concave).
std::vector<double> stacking_weights(const std::vector<std::vector<double>>& p);

void write_comparison(hid_t file, const ModelComparison& comparison);
// Prints /comparison (for `deterrence compare` and `summary`); false if the file has none.
bool print_comparison(hid_t file, std::FILE* out);

}  // namespace deterrence
