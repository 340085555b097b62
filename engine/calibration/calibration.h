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
#include <string>
#include <vector>

#include "model/model.h"

namespace deterrence {

class World;

struct CalibrationSettings {
  std::uint64_t draws = 4000;    // outer draws: values of θ from its prior
  std::uint64_t inner = 200;     // K inner plays per draw and case
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 64;
  int threads = 0;
  long long hold_out_from = 0;   // 0: none; else fit on cases before this year, score the rest
  std::uint64_t rounds = 1;      // 1: importance sampling from the prior; more: adaptive (below)
  // Under MPI each rank plays its own chunks of every round's draws (the shard rule), then all
  // ranks share the results, so each fits the same next proposal: the same bits as one process.
  const World* world = nullptr;
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
  std::vector<double> round_ess;           // the effective sample size of each round
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
