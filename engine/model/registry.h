#pragma once
// Models by name. A model's factory reads its own `model_options` section and extends the
// parameter space the engine parsed from the config's `parameters` section.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_node.h"
#include "model/model.h"

namespace deterrence {

struct ModelSetup {
  std::optional<ConfigNode> options;    // the config's model_options section, if any
  ParameterSpace parameters;            // from the config's parameters/correlations
};

using ModelFactory = std::function<std::unique_ptr<Model>(ModelSetup setup)>;

class ResultsFile;
// Prints what a reader of this model's results wants first (optional; a generic table is
// printed when absent).
using ModelSummary = std::function<void(const ResultsFile& results, std::FILE* out)>;

// A sweep's summary shows, for each point, the rows this returns for that point's results:
// each row a list of (column, cell). Optional; a generic row of scalar outputs otherwise.
using SummaryRow = std::vector<std::pair<std::string, std::string>>;
using SweepRows = std::function<std::vector<SummaryRow>(const ResultsFile& point)>;

struct ModelEntry {
  std::string name;
  std::string description;
  ModelFactory factory;
  ModelSummary summary;
  SweepRows sweep_rows;
};

const std::vector<ModelEntry>& model_registry();
const ModelEntry* find_model(const std::string& name);

}  // namespace deterrence
