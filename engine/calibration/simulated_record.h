#pragma once
// Simulation-based calibration of a real model (Talts et al. 2018): a historical record simulated
// from the model itself at a θ* drawn from the prior, which `deterrence calibrate --simulate-record`
// then calibrates on in place of the real one. Over many θ*, the rank of each θ* among posterior
// draws is uniform if — and only if — the calibration recovers what the model knows
// (bench/sbc_game.py).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"

namespace deterrence {

struct SimulatedRecord {
  std::uint64_t seed = 0, draw = 0;
  std::vector<double> theta_star;     // per global parameter (Model::calibration_parameters)
  std::vector<std::string> observed;  // per case: the simulated class, "" when no play met its condition
};

// θ* is draw `draw` of `run`'s streams under `seed` (use a seed other than the calibration's, so
// that θ* is not one of its own prior draws). Each case observes the class of the first of up to
// `max_plays` plays of everything else at θ* that meets its condition (e.g. the target coerced);
// a case none of them meets is left out of the record.
SimulatedRecord simulate_record(const Model& model, std::uint64_t seed, std::uint64_t draw, std::uint64_t max_plays);

// The model with the simulated record in place of its cases' observations (cases left out of the
// record are dropped); everything else is `model`'s. `model` must outlive it.
std::unique_ptr<Model> with_record(const Model& model, const SimulatedRecord& record);

}  // namespace deterrence
