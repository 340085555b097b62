#pragma once
// `deterrence cases CONFIG`: plays a case library (a config whose model declares historical
// cases) and scores the forecasts a record can be checked against — P(observed | coerced) —
// against a leave-one-out base rate (log score and Brier score).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "stats/case_forecast.h"

namespace deterrence {

struct CasesCommandOptions {
  std::string config;
  std::optional<std::uint64_t> draws;
  int threads = 0;
  bool csv = false;
  std::string posterior;  // a calibration: score the cases on its posterior (in sample)
};

// The case table (one row per case, then the means and the cases never conditioned), as text
// or CSV. Used by `cases`, by `run` on a case library and by `summary`.
void print_case_table(const std::vector<CaseForecast>& forecasts, std::FILE* out, bool csv);

int cases_command(const CasesCommandOptions& options);

}  // namespace deterrence
