#pragma once
// A test model for calibration with a closed-form posterior: each historical case is one trial
// that succeeds with probability theta (its own uniform decides), so with a uniform prior and s
// successes in n cases the posterior of theta is Beta(1 + s, 1 + n - s).
#include "model/registry.h"

namespace deterrence {

ModelEntry binomial_model_entry();

}  // namespace deterrence
