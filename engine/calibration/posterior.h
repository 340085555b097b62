#pragma once
// `run --posterior CALIB.h5`: an experiment played on the posterior a calibration found. Every
// draw takes its global parameters θ from one of the calibration's weighted draws, picked with
// probability equal to its weight (sampling-importance-resampling); everything else — saliences,
// perception errors, goods — is sampled from the priors as in any run. So every statistic,
// interval, shard, merge and resume works unchanged, and each is a statistic of the posterior.
// The intervals are Monte Carlo error given the calibration's weighted draws; how many distinct
// worlds stand behind them is the calibration's effective sample size, reported beside them.
#include <cstdint>
#include <memory>
#include <string>

#include "io/h5.h"
#include "sampling/resampled_parameters.h"

namespace deterrence {

struct Experiment;

struct PosteriorSource {
  explicit PosteriorSource(ResampledParameters resampled) : draws(std::move(resampled)) {}
  std::string path, sha256;            // the calibration file as read
  std::uint64_t calibration_draws = 0, inner_plays = 0, rounds = 0;
  double effective_sample_size = 0;    // of the calibration's weights
  double pareto_k = 0;                 // of the calibration's weights
  // How well the calibrated model forecast the cases out of sample (PSIS leave-one-out), against
  // the leave-one-out base rate: mean log scores (lower is better).
  double mean_loo_log_score = 0, mean_base_log_score = 0;
  std::string parameters;              // θ's names, comma-separated (for the file and summary)
  ResampledParameters draws;
};

// Reads a calibration file and attaches its posterior to the experiment: checks that it was made
// for this experiment — the same model, seed, θ with the same priors, and the same bytes in every
// data file both read — and refuses a mismatch naming it (ConfigError). The experiment's
// config_hash then covers the calibration file's bytes, so checkpoints, shards and merges of a
// posterior run never mix with prior runs or another calibration's.
void attach_posterior(Experiment& experiment, const std::string& calibration_path);

// /posterior in a results file: where the θ came from and how many worlds stand behind it.
void write_posterior(hid_t file, const PosteriorSource& posterior);

}  // namespace deterrence
