// A batched model (draws side by side: the coercion model's episode_lanes, Ishigami's sines) must give every draw
// exactly what evaluating it alone gives: every episode of every policy, outcome by outcome, and
// every payoff, cost and per-draw share bit for bit — on 10 000 baseline draws, the version-3
// mechanisms (forced stances, loss surprise, done deeds) and the world set (an ordered policy
// among lane-played ones), and Ishigami's 10 000. Partial batches included.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "config/experiment.h"
#include "models/coercion/episode.h"
#include "sampling/sampler.h"
#include "test_support.h"

namespace deterrence {
namespace {

struct Buffers {
  std::vector<double> reals;
  std::vector<std::uint8_t> codes;
  explicit Buffers(const OutputLayout& layout) : reals(layout.real_slots()), codes(layout.code_slots()) {}
  DrawOutputs outputs() { return {reals, codes}; }
};

// Returns how many episode plays reached each outcome.
std::vector<std::uint64_t> compare_batched_with_alone(const std::string& config, std::uint64_t draws) {
  const Experiment e = load_experiment(config);
  const Model& model = *e.model;
  const std::size_t batch = model.batch_size();
  EXPECT_GE(batch, 2u) << config;
  const OutputLayout& layout = model.outputs();
  const Sampler sampler(model.parameters(), e.seed);
  auto scratch = sampler.make_scratch();
  auto alone_workspace = model.make_workspace(), batch_workspace = model.make_workspace();
  std::vector<std::vector<double>> x(batch, std::vector<double>(model.parameters().size()));
  std::vector<Buffers> alone(batch, Buffers(layout));
  // The batch's outputs side by side (BatchOutputs), filled with NaN so a slot left unwritten shows.
  std::vector<double> batch_reals(batch * layout.real_slots());
  std::vector<std::uint8_t> batch_codes(batch * layout.code_slots());
  const BatchOutputs batched{batch_reals, batch_codes, batch};
  std::vector<std::uint64_t> reached(coercion::kOutcomeCount, 0);
  std::uint64_t draw = 0, mismatches = 0;
  for (std::size_t group = 0; draw < draws; ++group) {
    // Full batches, and now and then a partial one (1 .. batch − 1 draws).
    // Never past `draws` (the batch width is the machine's: 2, 4 or 8 lanes).
    const std::size_t count = std::min<std::uint64_t>(draws - draw, group % 7 == 3 ? 1 + group % (batch - 1) : batch);
    std::vector<std::span<const double>> parameters;
    for (std::size_t b = 0; b < count; ++b) {
      sampler.sample(draw + b, x[b], scratch);
      parameters.emplace_back(x[b]);
      DrawOutputs one = alone[b].outputs();
      model.evaluate(x[b], alone_workspace.get(), one);
    }
    std::fill(batch_reals.begin(), batch_reals.end(), std::numeric_limits<double>::quiet_NaN());
    std::fill(batch_codes.begin(), batch_codes.end(), std::uint8_t{255});
    model.evaluate_batch(parameters, batch_workspace.get(), batched);
    for (std::size_t b = 0; b < count; ++b) {
      for (std::size_t i = 0; i < layout.real_slots(); ++i)
        if (std::memcmp(&alone[b].reals[i], &batched.real(i, b), sizeof(double)) != 0 && ++mismatches <= 10)
          ADD_FAILURE() << config << " draw " << draw + b << ": " << layout.real_slot_label(i) << " "
                        << alone[b].reals[i] << " alone, " << batched.real(i, b) << " batched";
      for (std::size_t c = 0; c < layout.code_slots(); ++c) {
        if (alone[b].codes[c] != batched.code(c, b) && ++mismatches <= 10)
          ADD_FAILURE() << config << " draw " << draw + b << ": outcome slot " << c << " "
                        << int(alone[b].codes[c]) << " alone, " << int(batched.code(c, b)) << " batched";
        ++reached[alone[b].codes[c]];
      }
    }
    draw += count;
  }
  EXPECT_EQ(mismatches, 0u) << config;
  return reached;
}

TEST(BatchedModel, IshigamiDrawsAsEachAlone) {
  // Its sines vectorised across the batch, one at a time alone: the same bits.
  compare_batched_with_alone(std::string(DETERRENCE_CONFIGS) + "/ishigami.yaml", 10000);
}

TEST(BatchedModel, BaselineDrawsPlayAsEachAlone) {
  const auto reached = compare_batched_with_alone(std::string(DETERRENCE_CONFIGS) + "/baseline.yaml", 10000);
  std::uint64_t plays = 0;
  for (const auto n : reached) plays += n;
  EXPECT_EQ(plays, 10000u * 525u);  // 5 policies x 105 episodes, every draw
  // Every outcome the baseline reaches was compared many times.
  for (const auto o : {coercion::Outcome::self_censorship, coercion::Outcome::not_contested,
                       coercion::Outcome::deterred, coercion::Outcome::capitulation})
    EXPECT_GT(reached[static_cast<std::size_t>(o)], 1000u) << coercion::kOutcomeNames[static_cast<int>(o)];
}

TEST(BatchedModel, VersionThreeMechanismsPlayAsEachAlone) {
  for (const char* config : {"loss_surprise.yaml", "done_deeds.yaml", "both.yaml"})
    compare_batched_with_alone(std::string(DETERRENCE_CONFIGS) + "/experiments/mechanisms/" + config, 2000);
}

TEST(BatchedModel, VersionFourMechanismsPlayAsEachAlone) {
  // The case library under each of version 4's mechanisms and the first three together
  // (docs/model.md §12), and the baseline's policies under the three and under threat warnings.
  for (const char* config : {"override_cost.yaml", "threat_review.yaml", "selectivity.yaml", "version4.yaml",
                             "policies_version4.yaml", "library54/version4.yaml", "threat_warning.yaml",
                             "policies_threat_warning.yaml", "library54/threat_warning.yaml"})
    compare_batched_with_alone(std::string(DETERRENCE_CONFIGS) + "/experiments/mechanisms/" + config, 2000);
}

TEST(BatchedModel, WorldDrawsPlayAsEachAlone) {
  // The world set's global bloc (195 members, sanctions, aid vote) is ordered and played draw by
  // draw inside the batch; its other five policies on lanes.
  compare_batched_with_alone(std::string(DETERRENCE_CONFIGS) + "/experiments/world.yaml", 48);
}

TEST(BatchedModel, WorldDrawsWithoutAnOrderPlayAsEachAlone) {
  // A stance value that is negative in about one draw in six: such a draw's members cannot be
  // ordered, so a batch holding one plays its ordered policies' episodes draw by draw (the pass
  // for that draw), the others on lanes.
  const testing::TempDir dir;
  const std::string config = dir.write(
      "world_signed.yaml", "extends: " + std::string(DETERRENCE_CONFIGS) +
                               "/experiments/world.yaml\n"
                               "parameters:\n"
                               "  stance_value: !replace {dist: normal, mean: 0.004, sd: 0.004, group: stance_value}\n");
  compare_batched_with_alone(config, 48);
}

}  // namespace
}  // namespace deterrence
