#include "models/binomial.h"

#include <fmt/format.h>

namespace deterrence {

namespace {

class Binomial final : public Model {
 public:
  Binomial(ParameterSpace space, std::vector<std::string> observed) : space_(std::move(space)), observed_(std::move(observed)) {
    theta_ = *space_.find("theta");
    std::vector<std::string> labels;
    for (std::size_t c = 0; c < observed_.size(); ++c) {
      labels.push_back(fmt::format("trial{}", c + 1));
      noise_.push_back(space_.add(fmt::format("noise.trial{}", c + 1), Distribution::uniform(0.0, 1.0), "noise"));
    }
    layout_.add_categorical("outcome", "each trial's outcome", {Dimension{"trial", labels}}, {"SUCCESS", "FAILURE"}, true);
  }
  std::string name() const override { return "binomial"; }
  const ParameterSpace& parameters() const override { return space_; }
  const OutputLayout& outputs() const override { return layout_; }
  void evaluate(std::span<const double> p, ModelWorkspace*, DrawOutputs& out) const override {
    for (std::size_t c = 0; c < noise_.size(); ++c) out.codes[c] = p[noise_[c]] < p[theta_] ? 0 : 1;
  }
  std::vector<CaseSpec> cases() const override {
    std::vector<CaseSpec> cases;
    for (std::size_t c = 0; c < observed_.size(); ++c)
      cases.push_back({fmt::format("trial{}", c + 1), fmt::format("trial {}", c + 1), fmt::format("{}", 2000 + c), "test",
                       "outcome", c, "trial", {{"SUCCESS", {0}}, {"FAILURE", {1}}}, {{observed_[c], 1.0}}, {}});
    return cases;
  }
  std::vector<std::size_t> calibration_parameters() const override { return {theta_}; }

 private:
  ParameterSpace space_;
  OutputLayout layout_;
  std::vector<std::string> observed_;
  std::size_t theta_ = 0;
  std::vector<std::size_t> noise_;
};

std::unique_ptr<Model> make_binomial(ModelSetup setup) {
  if (!setup.parameters.find("theta") || setup.parameters.size() != 1)
    throw ConfigError("model binomial takes exactly one parameter, theta (a probability)");
  if (!setup.options) throw ConfigError("model binomial needs model_options: {observed: [SUCCESS, FAILURE, ...]}");
  std::vector<std::string> observed;
  for (const auto& item : setup.options->at("observed").items()) {
    const std::string o = item.as_string();
    if (o != "SUCCESS" && o != "FAILURE") item.fail(fmt::format("'{}'", excerpt(o)), "SUCCESS or FAILURE");
    observed.push_back(o);
  }
  setup.options->reject_unknown_keys();
  if (observed.empty()) throw ConfigError("model binomial needs at least one observed trial");
  return std::make_unique<Binomial>(std::move(setup.parameters), std::move(observed));
}

}  // namespace

ModelEntry binomial_model_entry() {
  return {"binomial", "Test model for calibration: each case a trial that succeeds with probability theta",
          make_binomial, nullptr, nullptr};
}

}  // namespace deterrence
