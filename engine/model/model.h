#pragma once
// The seam between the engine and a model. The engine samples a draw's parameters, hands them
// to evaluate(), and accumulates what the model writes; it never looks inside. A new model
// implements this interface and registers a factory (model/registry.h): nothing else changes.
#include <memory>
#include <span>
#include <stdexcept>
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
  // How many draws evaluate_batch takes at once (a model that plays draws side by side in SIMD
  // registers says how many); 1: one at a time, and evaluate_batch is never called.
  virtual std::size_t batch_size() const { return 1; }
  // evaluate() on up to batch_size() draws: draw b's parameters in parameters[b], its outputs in
  // lane b of `out` (out.lanes == batch_size()), exactly what evaluate() would give it. Lanes past
  // parameters.size() may be written with anything. The same rules as evaluate(). A model whose
  // batch_size() is above 1 implements it.
  virtual void evaluate_batch(std::span<const std::span<const double>> parameters, ModelWorkspace* workspace,
                              const BatchOutputs& out) const;
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

inline void Model::evaluate_batch(std::span<const std::span<const double>>, ModelWorkspace*,
                                  const BatchOutputs&) const {
  throw std::logic_error("model '" + name() + "' says it evaluates draws together (batch_size) but has no evaluate_batch");
}

}  // namespace deterrence
