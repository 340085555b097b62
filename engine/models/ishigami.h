#pragma once
// The Ishigami test function, y = sin x1 + a sin^2 x2 + b x3^4 sin x1, with known mean,
// variance and Sobol indices: the engine's proof against analytic answers.
#include "model/registry.h"

namespace deterrence {

ModelEntry ishigami_model_entry();

}  // namespace deterrence
