#pragma once
// Tempered sequential Monte Carlo (Del Moral, Doucet & Jasra 2006; Chopin & Papaspiliopoulos
// 2020, ch. 17): particles drawn from the prior are carried to the posterior through the
// targets π_t(θ) ∝ prior(θ) Π_c p_c(θ)^{e_c(t)}, the exponents moving along a path e(t) =
// from + t (to − from). Each stage chooses its next t by bisection so that the conditional ESS
// of the reweighting stays at a set fraction of the particles (Zhou, Johansen & Aston 2016),
// resamples (systematic) when the ESS falls below a threshold, then moves every particle by
// random-walk Metropolis–Hastings in an unconstrained space (z = logit F(θ), F the prior's cdf),
// the walk's covariance the particles' own scaled by 2.38²/d and its scale adapted to the
// acceptance rate, with as many moves as it takes the particles to decorrelate from where the
// stage started. p_c(θ) is estimated by K inner plays, so the moves are pseudo-marginal (Andrieu
// & Roberts 2009): a particle carries its estimate, replaced only when a proposal is accepted.
// Every random number is keyed by (seed, path, stage, move, particle, play): results are the
// same bits for any thread count, MPI rank count, and a resume from any stage's checkpoint.
//
// The same machinery leaves cases out: the path from the full posterior (every e_c = 1) to
// e_c = 0 for a held-out case (exact leave-one-out where PSIS's k̂ > 0.7) or for the cases held
// out by year or name. The log of the product of the stages' mean incremental weights estimates
// the path's log normalising-constant ratio: from the prior, the evidence ln p(record).
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "calibration/case_likelihood.h"
#include "model/model.h"

namespace deterrence {

class World;

struct SmcSettings {
  std::uint64_t particles = 2000;
  std::uint64_t inner = 100;          // K inner plays per likelihood estimate
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 8;       // particles per parallel chunk (and per rank's share)
  int threads = 0;
  const World* world = nullptr;
  double cess_fraction = 0.5;         // each stage keeps this share of N as conditional ESS
  double resample_below = 0.5;        // resample when ESS < this share of N
  std::uint32_t max_moves = 30;       // move sweeps per stage at most
  std::uint32_t refit_moves = 10;     // the same on a path leaving cases out (it starts near its end)
  double decorrelation = 0.5;         // stop moving when the mean correlation with the stage's start is below
  double target_acceptance = 0.25;    // the random walk's scale follows the acceptance rate toward this
  double independent_share = 0.5;     // moves proposed independently from the particles' Gaussian
};

// The exponent path of the cases' likelihoods; `id` keys its random numbers.
struct TemperingPath {
  std::uint64_t id = 0;           // 0: prior → posterior; 1 + c: case c left out; cases + 1: held out
  std::vector<double> from, to;   // per case
};

struct Particles {
  std::size_t count = 0, globals = 0, cases = 0, classes = 0;
  std::vector<double> z;                   // [particle, global]: logit F(θ) (0 for a constant)
  std::vector<double> theta;               // [particle, global]
  std::vector<double> log_p_case;          // [particle, case]: the carried estimate of ln p_c
  std::vector<double> p_class;             // [particle, case, class]
  std::vector<std::uint32_t> conditioned;  // [particle, case]
  std::vector<double> log_weight;          // [particle], unnormalised
};

struct StageRecord {
  double t = 0;                  // where the stage ended on the path
  double ess = 0;                // after its reweighting (before any resampling)
  double log_increment = 0;      // ln Σ W_i w_i: its factor of the normalising-constant ratio
  bool resampled = false;
  std::uint32_t moves = 0;       // move sweeps made
  double acceptance = 0;         // mean over its sweeps
  double correlation = 0;        // mean correlation of z with the stage's start after the moves
  double scale = 0;              // the walk's scale after the stage (times 2.38/√d)
  double seconds = 0;
};

struct SmcState {
  Particles particles;
  double t = 0;                  // position on the path
  double log_ratio = 0;          // Σ of the stages' log increments
  double scale = 1;              // the walk's scale, times 2.38/√d
  std::vector<StageRecord> stages;
  bool done() const { return t >= 1.0; }
};

using StageDone = std::function<void(const SmcState&, const StageRecord&)>;

class TemperedSmc {
 public:
  TemperedSmc(const Model& model, const SmcSettings& settings);

  // Draws 0 … N−1 of `run`'s streams (the prior), each likelihood estimated: the state at t = 0.
  SmcState start_from_prior() const;
  // Carries `state` along `path` to t = 1, calling stage_done after each stage (its checkpoint).
  void run(SmcState& state, const TemperingPath& path, const StageDone& stage_done = {}) const;
  // Every particle's likelihood estimated anew under `key` (independent of what selected it):
  // the posterior predictive of a path's end.
  void refresh(Particles& particles, std::uint64_t key) const;
  // `replicates` independent estimates of ln p(record | θ) (θ one value per global).
  std::vector<double> replicate_log_likelihood(std::span<const double> theta, std::uint64_t replicates) const;

  const CaseLikelihood& likelihood() const { return likelihood_; }
  const SmcSettings& settings() const { return settings_; }
  // The prior's draws behind stage 0 (θ of draws 0 … N−1), [particle, global].
  std::vector<double> prior_theta() const;

 private:
  // Estimates the likelihood of particles[first, first+count) into `out` under (path, stage, move).
  void estimate_rows(Particles& out, std::uint64_t key) const;
  void move(SmcState& state, const TemperingPath& path, std::uint64_t stage, StageRecord& record) const;

  const Model& model_;
  SmcSettings settings_;
  CaseLikelihood likelihood_;
  std::vector<bool> varies_;  // per global: not a constant
};

// Normalised weights and their effective sample size.
std::vector<double> normalised_weights(std::span<const double> log_weight);
double effective_sample_size(std::span<const double> normalised);

}  // namespace deterrence
