#include "calibration/simulated_record.h"

#include "sampling/sampler.h"

namespace deterrence {

namespace {

// Plays of the record's remaining uncertainty have their own key, apart from `run`'s streams.
constexpr std::uint64_t kRecordKey = 0xd1b54a32d192ed03ULL;

class WithRecord final : public Model {
 public:
  WithRecord(const Model& model, const SimulatedRecord& record) : model_(model) {
    const auto cases = model.cases();
    for (std::size_t c = 0; c < cases.size(); ++c) {
      if (record.observed[c].empty()) continue;
      CaseSpec spec = cases[c];
      spec.observed = {{record.observed[c], 1.0}};
      cases_.push_back(std::move(spec));
    }
  }
  std::string name() const override { return model_.name(); }
  const ParameterSpace& parameters() const override { return model_.parameters(); }
  const OutputLayout& outputs() const override { return model_.outputs(); }
  std::unique_ptr<ModelWorkspace> make_workspace() const override { return model_.make_workspace(); }
  void evaluate(std::span<const double> parameters, ModelWorkspace* workspace, DrawOutputs& out) const override {
    model_.evaluate(parameters, workspace, out);
  }
  std::vector<CaseSpec> cases() const override { return cases_; }
  std::vector<std::size_t> calibration_parameters() const override { return model_.calibration_parameters(); }

 private:
  const Model& model_;
  std::vector<CaseSpec> cases_;
};

}  // namespace

SimulatedRecord simulate_record(const Model& model, std::uint64_t seed, std::uint64_t draw, std::uint64_t max_plays) {
  SimulatedRecord record;
  record.seed = seed;
  record.draw = draw;
  const auto cases = model.cases();
  const auto globals = model.calibration_parameters();
  const std::size_t P = model.parameters().size();
  const Sampler outer(model.parameters(), seed), plays(model.parameters(), seed ^ kRecordKey);
  auto outer_scratch = outer.make_scratch(), play_scratch = plays.make_scratch();
  std::vector<double> theta(P), values(P);
  outer.sample(draw, theta, outer_scratch);
  for (const std::size_t g : globals) record.theta_star.push_back(theta[g]);
  record.observed.assign(cases.size(), "");
  auto workspace = model.make_workspace();
  std::vector<double> reals(model.outputs().real_slots());
  std::vector<std::uint8_t> codes(model.outputs().code_slots());
  DrawOutputs out{reals, codes};
  std::vector<std::size_t> slot(cases.size());  // each case's code slot
  for (std::size_t c = 0; c < cases.size(); ++c) slot[c] = model.outputs().find(cases[c].output)->offset + cases[c].element;
  std::size_t open = cases.size();
  for (std::uint64_t k = 0; k < max_plays && open > 0; ++k) {
    plays.sample(draw * max_plays + k, values, play_scratch);
    for (const std::size_t g : globals) values[g] = theta[g];  // θ* is the draw's; the rest varies
    model.evaluate(values, workspace.get(), out);
    for (std::size_t c = 0; c < cases.size(); ++c) {
      if (!record.observed[c].empty()) continue;
      const std::uint8_t code = codes[slot[c]];
      for (const auto& cls : cases[c].classes)
        for (const std::size_t category : cls.categories)
          if (category == code && record.observed[c].empty()) {
            record.observed[c] = cls.label;
            --open;
          }
    }
  }
  return record;
}

std::unique_ptr<Model> with_record(const Model& model, const SimulatedRecord& record) {
  return std::make_unique<WithRecord>(model, record);
}

}  // namespace deterrence
