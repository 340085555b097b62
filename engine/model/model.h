#pragma once
// The seam between the engine and a model. The engine samples a draw's parameters, hands them
// to evaluate(), and accumulates what the model writes; it never looks inside. A new model
// implements this interface and registers a factory (model/registry.h): nothing else changes.
#include <memory>
#include <span>
#include <string>

#include <vector>

#include "model/case_spec.h"
#include "model/output_layout.h"
#include "sampling/parameter_space.h"

namespace deterrence {

// Per-worker scratch a model may need (sized once, reused for every draw).
class ModelWorkspace {
 public:
  virtual ~ModelWorkspace() = default;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual const ParameterSpace& parameters() const = 0;
  virtual const OutputLayout& outputs() const = 0;
  virtual std::unique_ptr<ModelWorkspace> make_workspace() const { return nullptr; }
  // Must not allocate, lock or do I/O: it runs once per draw on every thread.
  virtual void evaluate(std::span<const double> parameters, ModelWorkspace* workspace,
                        DrawOutputs& out) const = 0;
  // Historical cases this experiment plays (none for most models): `deterrence cases`, `run`
  // and `summary` forecast and score them from the outputs' category counts.
  virtual std::vector<CaseSpec> cases() const { return {}; }
  // The global parameters θ a calibration conditions on the cases (the rest is each case's own
  // uncertainty, played K times per draw). Default: every parameter.
  virtual std::vector<std::size_t> calibration_parameters() const {
    std::vector<std::size_t> all(parameters().size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
  }
};

}  // namespace deterrence
