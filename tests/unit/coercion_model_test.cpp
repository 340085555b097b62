// The game as a model: common random numbers across policies, outputs that add up, and the
// default config that validates.
#include <gtest/gtest.h>

#include <cmath>

#include "config/config_error.h"
#include "config/experiment.h"
#include "models/coercion/episode.h"
#include "run/runner.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

std::string baseline_in(const TempDir& dir, const std::string& edit_from = "", const std::string& edit_to = "") {
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  if (!edit_from.empty()) text.replace(text.find(edit_from), edit_from.size(), edit_to);
  return dir.write("baseline.yaml", text);
}

RunStatistics run(const Experiment& e, std::uint64_t draws, int threads) {
  RunStatistics totals(e.model->outputs());
  RunSettings settings;
  settings.draw_count = draws;
  settings.seed = e.seed;
  settings.chunk_size = 64;
  settings.threads = threads;
  run_draws(*e.model, settings, totals, nullptr, nullptr);
  return totals;
}

TEST(CoercionModel, AddingAPolicyChangesNothingForTheOthers) {
  TempDir a, b;
  const Experiment base = load_experiment(baseline_in(a));
  // A sixth policy inserted first: every other policy must come out bit-identical.
  const Experiment more = load_experiment(baseline_in(b, "  policies:\n", "  policies:\n    extra:\n      members: [USA, JPN]\n      scope: all\n      sanctions: true\n      sanctioned_goods: all\n      trigger: majority\n      derisking: {dist: beta, mean: 0.5, concentration: 4}\n"));
  const RunStatistics s1 = run(base, 300, 2), s2 = run(more, 300, 2);
  const auto* o1 = base.model->outputs().find("target_payoff");
  const auto* o2 = more.model->outputs().find("target_payoff");
  const std::size_t episodes = o1->dims[1].labels.size();
  ASSERT_EQ(o2->dims[0].labels.size(), 6u);
  for (std::size_t p = 0; p < 5; ++p)
    for (std::size_t e = 0; e < episodes; ++e)
      ASSERT_TRUE(s1.sum(o1->offset + p * episodes + e) == s2.sum(o2->offset + (p + 1) * episodes + e))
          << o1->dims[0].labels[p] << " " << o1->dims[1].labels[e];
}

TEST(CoercionModel, OutcomeSharesSumToOneAndMatchTheEpisodeCounts) {
  TempDir dir;
  const Experiment e = load_experiment(baseline_in(dir));
  const RunStatistics s = run(e, 200, 1);
  const auto* shares = e.model->outputs().find("outcome_share");
  const auto* outcome = e.model->outputs().find("outcome");
  const std::size_t episodes = outcome->dims[1].labels.size();
  for (std::size_t p = 0; p < shares->dims[0].labels.size(); ++p) {
    double total = 0;
    for (int o = 0; o < coercion::kOutcomeCount; ++o) {
      const double share = s.mean(shares->offset + p * coercion::kOutcomeCount + o);
      total += share;
      std::uint64_t count = 0;
      for (std::size_t ep = 0; ep < episodes; ++ep) count += s.category_counts(outcome->offset + p * episodes + ep)[o];
      EXPECT_NEAR(share, static_cast<double>(count) / (200.0 * episodes), 1e-12);
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
}

TEST(CoercionModel, DefaultEpisodesAreEveryMemberOnEveryIssue) {
  TempDir dir;
  const Experiment e = load_experiment(baseline_in(dir));
  const auto* outcome = e.model->outputs().find("outcome");
  EXPECT_EQ(outcome->dims[1].labels.size(), 21u * 5u);  // every country of the data is a member of status_quo
  EXPECT_EQ(outcome->dims[1].labels.front(), "USA:taiwan");
}

TEST(CoercionModel, ConfiguredEpisodesAndOutOfScopeEpisodesPlayAsIfThePolicyWereAbsent) {
  TempDir dir;
  // Only India and the Netherlands as targets, on two issues; two extra policies: "alone" with
  // no measures at all, and "narrow" (USA, JPN, NLD on taiwan only) with friend-shoring and
  // absorption, measures that change every payoff they touch. "narrow" does not cover India, nor
  // the Netherlands on pandemic_origins: there it must play exactly as "alone", draw for draw
  // (same perception errors, same shared parameters).
  const Experiment e = load_experiment(baseline_in(
      dir, "  policies:\n",
      "  episodes: {targets: [IND, NLD], issues: [pandemic_origins, taiwan]}\n"
      "  policies:\n    alone:\n      members: all\n      scope: all\n      sanctions: false\n"
      "    narrow:\n      members: [USA, JPN, NLD]\n      scope: [taiwan]\n      sanctions: false\n"
      "      resilience: {dist: beta, mean: 0.5, concentration: 10}\n      aid: true\n"
      "      absorption: {dist: beta, mean: 0.3, concentration: 10}\n"));
  const auto* outcome = e.model->outputs().find("outcome");
  const auto* payoff = e.model->outputs().find("target_payoff");
  const auto& policies = outcome->dims[0].labels;
  const auto& episodes = outcome->dims[1].labels;
  ASSERT_EQ(episodes, (std::vector<std::string>{"IND:pandemic_origins", "IND:taiwan", "NLD:pandemic_origins", "NLD:taiwan"}));
  const auto index = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(policies.begin(), policies.end(), name) - policies.begin());
  };
  const std::size_t alone = index("alone"), narrow = index("narrow");
  ASSERT_LT(narrow, policies.size());
  const RunStatistics s = run(e, 2000, 2);
  const auto counts = [&](std::size_t p, std::size_t ep) {
    const auto c = s.category_counts(outcome->offset + p * episodes.size() + ep);
    return std::vector<std::uint64_t>(c.begin(), c.end());
  };
  const auto payoff_sum = [&](std::size_t p, std::size_t ep) { return s.sum(payoff->offset + p * episodes.size() + ep); };
  for (std::size_t ep : {0u, 1u, 2u}) {
    EXPECT_EQ(counts(narrow, ep), counts(alone, ep)) << episodes[ep];
    EXPECT_TRUE(payoff_sum(narrow, ep) == payoff_sum(alone, ep)) << episodes[ep];
  }
  EXPECT_FALSE(payoff_sum(narrow, 3) == payoff_sum(alone, 3)) << "in scope, the measures must matter";
  // Without measures nothing can be deterred.
  for (std::size_t ep = 0; ep < episodes.size(); ++ep) EXPECT_EQ(counts(alone, ep)[2], 0u) << episodes[ep];
}

TEST(CoercionModel, AnEpisodeIssueListedTwiceIsAClearError) {
  TempDir dir;
  try {
    load_experiment(baseline_in(dir, "  policies:\n", "  episodes: {issues: [taiwan, taiwan]}\n  policies:\n"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("model_options.episodes.issues[1]: found 'taiwan' again, expected each issue once"),
              std::string::npos) << error.what();
  }
}

TEST(CoercionModel, UnknownCountryInAPolicyIsAClearError) {
  TempDir dir;
  try {
    load_experiment(baseline_in(dir, "[USA, JPN, TWN, AUS, NLD]", "[USA, JPN, TWX, AUS, NLD]"));
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("policies.minibloc.members[2]: found 'TWX', expected the name of a country"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace deterrence

namespace deterrence {
namespace {

TEST(CoercionModel, PerDrawOutcomeRecordsAreAnEnumThatAgreesWithTheCounts) {
  TempDir dir;
  const std::string config = baseline_in(dir, "  outcomes: false", "  outcomes: true ");
  const std::string out = dir.file("records.h5");
  ASSERT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " run " + config + " --draws 300 --out " + out + " --quiet"), 0);
  const std::string script = dir.write("check.py",
                                       "import sys, h5py, numpy as np\n"
                                       "f = h5py.File(sys.argv[1], 'r')\n"
                                       "r = f['records/outcome']\n"
                                       "assert r.shape == (300, 5, 105), r.shape\n"
                                       "names = h5py.check_enum_dtype(r.dtype)\n"
                                       "assert names['DETERRED'] == 2 and names['ESCALATION'] == 6, names\n"
                                       "codes = r[...]\n"
                                       "counts = f['outputs/outcome/counts'][...]\n"
                                       "for k in range(7):\n"
                                       "    assert (counts[:, :, k] == (codes == k).sum(axis=0)).all(), k\n");
  EXPECT_EQ(testing::shell("/usr/bin/python3 " + script + " " + out), 0);
}

}  // namespace
}  // namespace deterrence
