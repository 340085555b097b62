#pragma once
// A historical case as the engine scores it: an element of a categorical output, the outcome
// a record observed there, and the condition under which a record exists at all (docs/model.md
// §8: a record of coercion is observed only if the target was coerced). The model declares
// them (Model::cases); the engine forecasts and scores them without knowing the game.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace deterrence {

// A set of the output's categories scored as one (e.g. WITHDRAWN = NOT_CONTESTED + DETERRED).
struct CaseClass {
  std::string label;
  std::vector<std::size_t> categories;
};

// What the record observed: a class label with a weight (a partial outcome has two, summing to 1).
struct ObservedOutcome {
  std::string label;
  double weight = 1.0;
};

struct CaseSpec {
  std::string id, name, year, source;
  std::string output;             // a categorical output
  std::size_t element = 0;        // its element index
  std::string condition;          // what a record needs to exist, e.g. "coerced"
  std::vector<CaseClass> classes;  // the scored classes; their union is the condition
  std::vector<ObservedOutcome> observed;
  // What the record codes about the case beside its outcome ("act" = "one_off", "issue",
  // "stance"): the forecasts made without the model group cases by them (feature rules).
  std::vector<std::pair<std::string, std::string>> features;
};

}  // namespace deterrence
