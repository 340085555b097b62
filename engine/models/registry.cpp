// The built-in models. Adding a model is one line here and its own files.
#include "model/registry.h"

#include "models/coercion/coercion_model.h"
#include "models/binomial.h"
#include "models/ishigami.h"

namespace deterrence {

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = {ishigami_model_entry(), coercion_model_entry(), binomial_model_entry()};
  return entries;
}

const ModelEntry* find_model(const std::string& name) {
  for (const auto& entry : model_registry())
    if (entry.name == name) return &entry;
  return nullptr;
}

}  // namespace deterrence
