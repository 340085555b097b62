#include "models/ishigami.h"

#include <fmt/format.h>

#include <cmath>

namespace deterrence {

namespace {

class Ishigami final : public Model {
 public:
  Ishigami(ParameterSpace space, double a, double b) : space_(std::move(space)), a_(a), b_(b) {
    layout_.add_real("y", "Ishigami function value", {}, true);
    layout_.set_sensitivity("y");
    x_[0] = *space_.find("x1");
    x_[1] = *space_.find("x2");
    x_[2] = *space_.find("x3");
  }
  std::string name() const override { return "ishigami"; }
  const ParameterSpace& parameters() const override { return space_; }
  const OutputLayout& outputs() const override { return layout_; }
  void evaluate(std::span<const double> p, ModelWorkspace*, DrawOutputs& out) const override {
    const double x1 = p[x_[0]], x2 = p[x_[1]], x3 = p[x_[2]];
    const double s1 = std::sin(x1), s2 = std::sin(x2);
    out.reals[0] = s1 + a_ * s2 * s2 + b_ * x3 * x3 * x3 * x3 * s1;
  }

 private:
  ParameterSpace space_;
  OutputLayout layout_;
  double a_, b_;
  std::size_t x_[3];
};

std::unique_ptr<Model> make_ishigami(ModelSetup setup) {
  double a = 7.0, b = 0.1;
  if (setup.options) {
    a = setup.options->get_double("a", a);
    b = setup.options->get_double("b", b);
    setup.options->reject_unknown_keys();
  }
  for (const char* name : {"x1", "x2", "x3"})
    if (!setup.parameters.find(name))
      throw ConfigError(fmt::format("model ishigami needs parameter '{}' under 'parameters'", name));
  if (setup.parameters.size() != 3)
    throw ConfigError("model ishigami takes exactly the parameters x1, x2, x3");
  return std::make_unique<Ishigami>(std::move(setup.parameters), a, b);
}

}  // namespace

ModelEntry ishigami_model_entry() {
  return {"ishigami", "Ishigami test function (a, b in model_options; parameters x1, x2, x3)", make_ishigami, nullptr, nullptr};
}

}  // namespace deterrence
