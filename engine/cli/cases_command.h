#pragma once
// `deterrence cases DIR`: runs every case config in a folder and scores the model's forecasts
// of the observed outcomes against a base-rate forecast (log score and Brier score).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deterrence {

class ResultsFile;

struct CasesCommandOptions {
  std::string folder;
  std::optional<std::uint64_t> draws;
  int threads = 0;
  bool csv = false;
};

// Probability the results file gave its case's observed outcome, with a Wilson 95% interval;
// nothing when the file is not a case.
struct CaseProbability {
  double share = 0, low = 0, high = 0;
};
std::optional<CaseProbability> case_probability(const ResultsFile& results);

struct CaseForecast {
  std::string file, name, observed;
  std::vector<std::string> categories;
  std::vector<std::uint64_t> counts;  // per category, over draws
  std::size_t observed_index = 0;
};

struct CaseScores {
  double model_log = 0, base_log = 0, model_brier = 0, base_brier = 0;  // means over cases
  std::vector<double> case_model_log, case_base_log, case_model_brier, case_base_brier;
};
// Log score -ln p(observed) with Jeffreys smoothing (counts + 1/2) so that an outcome no draw
// produced costs a finite amount; Brier score sum_k (p_k - [k observed])^2. The base rate is
// the leave-one-out frequency of the observed outcomes of the other cases (+1/2 smoothing).
CaseScores score_cases(const std::vector<CaseForecast>& cases);

int cases_command(const CasesCommandOptions& options);

}  // namespace deterrence
