#pragma once
// `deterrence calibrate`: the experiment's global parameters θ (Model::calibration_parameters;
// for the game, the draw's shared scalars and the issue parameters) conditioned on the historical
// cases it declares (docs/model.md §8). Draw i's θ is the θ of draw i of `run` (same streams); each
// case's likelihood p_c(θ) = P(observed_c | condition, θ) is estimated from K inner plays of what
// the case leaves uncertain, on counter-based streams keyed by (seed, draw, inner play, parameter).
// The posterior is the prior draws weighted by Π_c p_c(θ); leave-one-out by Pareto-smoothed
// importance sampling; a held-out split by year.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "calibration/feature_rules.h"
#include "model/model.h"

namespace deterrence {

class World;

enum class CalibrationMethod { smc, importance };

struct CalibrationSettings {
  CalibrationMethod method = CalibrationMethod::smc;
  std::uint64_t draws = 4000;    // outer draws: values of θ from its prior (SMC: particles)
  std::uint64_t inner = 200;     // K inner plays per draw and case
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 64;
  int threads = 0;
  long long hold_out_from = 0;   // 0: none; else fit on cases before this year, score the rest
  std::vector<std::string> hold_out_ids;  // cases held out by name (with hold_out_from: either)
  std::uint64_t rounds = 1;      // 1: importance sampling from the prior; more: adaptive (below)
  // Under MPI each rank plays its own chunks of every round's draws (the shard rule), then all
  // ranks share the results, so each fits the same next proposal: the same bits as one process.
  const World* world = nullptr;
  // Sequential Monte Carlo (calibration/smc.h): the conditional ESS kept per stage, the moves'
  // cap and decorrelation target, and the Pareto k above which a case's leave-one-out is refitted.
  double cess_fraction = 0.5;
  std::uint32_t max_moves = 30;
  std::uint32_t refit_moves = 10;
  double decorrelation = 0.5;
  double refit_above_k = 0.7;
  bool held_out(const std::string& id, const std::string& year) const;
};


// Everything per draw, in draw order (bit-identical for any thread count).
struct CalibrationDraws {
  std::vector<std::size_t> globals;   // parameter indices of θ
  std::size_t cases = 0, classes = 0; // classes: the most any case has (others padded with NaN)
  std::vector<double> theta;          // [draw, global]
  std::vector<double> p_class;        // [draw, case, class]: smoothed P(class | condition, θ); NaN if never conditioned
  std::vector<std::uint32_t> conditioned;  // [draw, case]: inner plays meeting the condition
  std::vector<double> log_likelihood;      // [draw]: Σ_c ln p_c over conditioned cases
  std::vector<double> log_proposal;        // [draw]: ln q(θ)/prior(θ) of the round's proposal (0: the prior)
  std::vector<double> prior_theta;         // [draw, global]: round 0's draws (the prior itself)
  std::vector<double> round_ess;           // the effective sample size of each round (SMC: stage)
  // Sequential Monte Carlo only (empty or NaN for importance sampling):
  std::string method = "importance";
  std::vector<double> log_weight;          // [draw]: the final particles' log weights
  std::vector<double> stage_t, stage_acceptance, stage_correlation, stage_scale, stage_log_increment, stage_seconds;
  std::vector<std::uint32_t> stage_moves;
  double log_evidence = std::numeric_limits<double>::quiet_NaN();  // ln p(record), Σ of the stages' increments
  std::vector<double> replicate_log_likelihood;  // independent estimates of ln p(record | posterior mean θ)
  std::vector<std::uint8_t> loo_refit;     // [case]: 1 where leave-one-out was refitted exactly
  std::vector<double> loo_refit_p_class;   // [case, class]: the refit's predictive (NaN where PSIS)
  std::vector<double> loo_refit_log_ratio; // [case]: the refit path's ln p(record − c)/p(record)
  std::vector<std::uint32_t> loo_refit_stages;
  std::vector<double> held_p_class;        // [case, class]: predictive fitted without the held-out cases
  std::vector<std::string> category_names;     // of the cases' output
  std::vector<double> case_category_share;     // [case, category]: how the posterior's plays end
  double held_fit_ess = std::numeric_limits<double>::quiet_NaN();  // the hold-out refit's final ESS
  std::vector<double> posterior_log_weights() const;  // log_weight, or log_likelihood − log_proposal
};

struct ParameterPosterior {
  std::string name;
  double prior_mean = 0, prior_sd = 0, prior_q05 = 0, prior_q50 = 0, prior_q95 = 0;
  double mean = 0, sd = 0, q05 = 0, q50 = 0, q95 = 0;
  bool at_edge = false;  // the posterior median outside the prior's 5–95% range
};

struct CaseValidation {
  std::string id, year;
  double p_in_sample = 0;     // posterior predictive P(observed)
  double p_loo = 0;           // leave-one-out predictive P(observed) (PSIS)
  double k_hat = 0;           // Pareto k of its leave-one-out weights
  double loo_log = 0, base_log = 0, loo_brier = 0, base_brier = 0;
  bool loo_refit = false;     // leave-one-out by exact refit (k̂ above the threshold), not PSIS
  double p_obs_q05 = 0, p_obs_q50 = 0, p_obs_q95 = 0;  // P(observed | condition, θ) over the posterior
  bool missed_everywhere = false;  // P(observed | condition, θ) < 1% in every posterior draw
  std::vector<double> p_loo_class;  // the leave-one-out predictive of each class
  double unconditioned_share = 0;  // share of draws in which the case never met its condition
  bool held_out = false;
  double p_held_out = 0, held_log = 0, held_base_log = 0, held_brier = 0, held_base_brier = 0;
};

struct CalibrationSummary {
  std::vector<double> weights;  // [draw], normalised
  double ess = 0, k_hat = 0;    // of the posterior weights (prior draws → posterior)
  std::vector<ParameterPosterior> parameters;
  std::vector<CaseValidation> cases;
  double elpd_loo = 0, elpd_loo_se = 0;
  double mean_loo_log = 0, mean_base_log = 0, mean_loo_brier = 0, mean_base_brier = 0;
  std::size_t held_out_count = 0;
  double held_ess = 0, mean_held_log = 0, mean_held_base_log = 0, mean_held_brier = 0, mean_held_base_brier = 0;
  std::size_t loo_refits = 0;
  std::vector<FeatureRuleScores> rules;  // the forecasts made without the model, scored alike
  double distinct_draws = 0;  // distinct θ among the draws
};

// Called after each round but the last with the state the next round starts from (its draws,
// the prior's draws and the effective sample sizes so far), for a checkpoint.
using RoundDone = std::function<void(const CalibrationDraws& state)>;

// `resume_from`: a state a RoundDone saw (the rounds already done are its round_ess.size()); the
// calibration continues from it to the same bits as without the interruption.
CalibrationDraws run_calibration(const Model& model, const CalibrationSettings& settings,
                                 const CalibrationDraws* resume_from = nullptr, const RoundDone& round_done = {});
CalibrationSummary summarise_calibration(const Model& model, const CalibrationDraws& draws,
                                         const CalibrationSettings& settings);

}  // namespace deterrence
