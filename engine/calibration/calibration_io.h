#pragma once
// A calibration in its results file (/calibration): per draw θ, log-likelihood, weight and each
// case's class probabilities (draw order), and the summaries: ESS, Pareto k, prior and posterior
// of every global parameter, leave-one-out and held-out scores per case.
#include <cstdio>

#include "calibration/calibration.h"
#include "io/h5.h"

namespace deterrence {

void write_calibration(hid_t file, const ParameterSpace& model_parameters, const CalibrationSettings& settings,
                       const CalibrationDraws& draws,
                       const CalibrationSummary& summary);
// Prints the summary stored under /calibration (for `deterrence summary`); false if none.
bool print_calibration(hid_t file, std::FILE* out);

}  // namespace deterrence
