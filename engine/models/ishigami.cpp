#include "models/ishigami.h"

#include <fmt/format.h>

#include <cmath>

#include "simd/vector_math.h"

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
    out.reals[0] = value(a_, b_, simd::sine(p[x_[0]]), simd::sine(p[x_[1]]), p[x_[2]]);
  }
  // Draws side by side: their sines in one vectorised call (glibc's sin was two thirds of a draw).
  std::size_t batch_size() const override { return kBatch; }
  void evaluate_batch(std::span<const std::span<const double>> p, ModelWorkspace*,
                      const BatchOutputs& out) const override {
    const std::size_t n = p.size();
    // x1 of each draw, then x2, then x3: the sines of the first two runs in one call, then the
    // formula over contiguous runs (it vectorises; each lane computes what evaluate() does). Not
    // zeroed: only the first 3n values are written or read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    double x[3 * kBatch];
    for (std::size_t b = 0; b < n; ++b) {
      x[b] = p[b][x_[0]];
      x[n + b] = p[b][x_[1]];
      x[2 * n + b] = p[b][x_[2]];
    }
    simd::sines(x, x, 2 * n);
    double* y = &out.real(0, 0);
    const double a = a_, b = b_;  // locals: the stores to y cannot change them
    for (std::size_t d = 0; d < n; ++d) y[d] = value(a, b, x[d], x[n + d], x[2 * n + d]);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  }

 private:
  static constexpr std::size_t kBatch = 64;
  static double value(double a, double b, double sin_x1, double sin_x2, double x3) {
    return sin_x1 + a * sin_x2 * sin_x2 + b * x3 * x3 * x3 * x3 * sin_x1;
  }

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
