#pragma once
// `calibrate --method smc` (the default): the record's posterior by tempered sequential Monte
// Carlo (calibration/smc.h), then what makes it answerable — the evidence ln p(record), the
// spread of the likelihood estimate at the posterior mean, exact leave-one-out by tempering a
// case out of the posterior wherever PSIS's k̂ is above the threshold, and the held-out cases'
// forecast from the posterior tempered to leave them out. All packed as CalibrationDraws, so the
// file, `summary`, `compare` and `run --posterior` read it as any calibration.
#include <functional>
#include <string>

#include "calibration/calibration.h"
#include "calibration/smc.h"

namespace deterrence {

SmcSettings smc_settings(const CalibrationSettings& settings);

struct SmcHooks {
  std::function<void(const SmcState&)> stage_done;     // after each stage of the main path (checkpoint)
  std::function<void(const std::string&)> progress;    // one line per stage and refit
};

CalibrationDraws run_smc_calibration(const Model& model, const CalibrationSettings& settings,
                                     const SmcState* resume_from, const SmcHooks& hooks);

}  // namespace deterrence
