#pragma once
// A calibration in its results file (/calibration): per draw θ, log-likelihood, weight and each
// case's class probabilities (draw order), and the summaries: ESS, Pareto k, prior and posterior
// of every global parameter, leave-one-out and held-out scores per case.
#include <cstdio>
#include <string>

#include "calibration/calibration.h"
#include "calibration/simulated_record.h"
#include "calibration/smc.h"
#include "io/h5.h"

namespace deterrence {

void write_calibration(hid_t file, const ParameterSpace& model_parameters, const CalibrationSettings& settings,
                       const CalibrationDraws& draws,
                       const CalibrationSummary& summary);
// A calibration's state after a completed round (OUT.checkpoint/round-K.h5), so that an interrupted
// calibration resumes to the same bits: every per-draw array, the prior's draws and the rounds'
// effective sample sizes, exactly (doubles round-trip through HDF5 bit for bit).
void write_round_checkpoint(hid_t file, const std::string& config_hash, const CalibrationSettings& settings,
                            const CalibrationDraws& state);
// Throws std::runtime_error naming what differs when the checkpoint was made by another config,
// seed, number of draws, inner plays or chunk size.
CalibrationDraws read_round_checkpoint(hid_t file, const std::string& path, const std::string& config_hash,
                                       const CalibrationSettings& settings);
// A sequential Monte Carlo calibration's state after a completed stage of its main path
// (OUT.checkpoint/stage-K.h5): the particles with their carried estimates and weights, the
// position on the path, the evidence so far, the walk's scale and every stage's record.
void write_smc_checkpoint(hid_t file, const std::string& config_hash, const CalibrationSettings& settings,
                          const SmcState& state);
SmcState read_smc_checkpoint(hid_t file, const std::string& path, const std::string& config_hash,
                             const CalibrationSettings& settings);
// /calibration/simulated_record: θ* and each case's simulated class ("" when left out).
void write_simulated_record(hid_t file, const SimulatedRecord& record, const std::vector<CaseSpec>& cases,
                            std::uint64_t max_plays);
// Prints the summary stored under /calibration (for `deterrence summary`); false if none.
bool print_calibration(hid_t file, std::FILE* out);
// The game's scores beside the feature rules' (/calibration/feature_rules), and which is better.
void print_feature_rules(hid_t calibration, std::FILE* out);

}  // namespace deterrence
