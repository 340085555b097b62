#pragma once
// The coercion–deterrence game of docs/model.md as an engine model: every episode under every
// policy on the same draws, with per-episode and per-policy outputs and paired differences
// from the reference policy.
#include "model/registry.h"

namespace deterrence {

ModelEntry coercion_model_entry();

}  // namespace deterrence
