// The twenty-one golden episodes of the model's contract (tests/fixtures/golden_episodes.json,
// copied from it: sixteen of version 1, two forced stances of version 2, three of version 3's
// loss surprise and done deeds) and version 4's eight (golden_episodes_v4.json, computed by hand:
// override cost, threat review, selective measures, threat warning, two each): outcome and payoffs to 1e-9,
// through the same play_episode (and covered_exports) the model runs.
#include <gtest/gtest.h>
#include <optional>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/coercion/episode.h"

namespace deterrence::coercion {
namespace {

struct GoldenCase {
  std::string name;
  Episode episode;
  Scalars scalars;
  PolicyDesign design;
  PolicyDraw draw;
  std::vector<double> stance, gdp, supply, cost, damage;
  std::string from, mechanism;  // version 4: the contract episode it starts from, the mechanism on
  std::string outcome;
  bool at_threat = false;  // version 4's threat warning: conceded at the threat
  // Version 4: the play with the mechanism off, computed by hand, for a case that differs from
  // its contract episode in another field too (absent: the contract episode's play).
  std::optional<std::pair<std::string, double>> without;  // outcome, target payoff
  double exports = 0;  // the target's exports before selectivity (version 4)
  double target_payoff, coercer_payoff, bloc_cost, sanction_loss;
};

GoldenCase load_case(const YAML::Node& node) {
  GoldenCase g;
  g.name = node["name"].as<std::string>();
  const YAML::Node sc = node["scalars"], pol = node["policy"];
  std::vector<std::string> names;
  std::vector<double> exports;
  for (const auto& country : node["countries"]) {
    names.push_back(country["name"].as<std::string>());
    g.gdp.push_back(country["gdp"].as<double>());
    exports.push_back(country["exports"].as<double>());
  }
  g.scalars.resolve = sc["rho"].as<double>();
  g.scalars.duration = sc["T"].as<double>();
  g.scalars.stance_value = sc["lam"].as<double>();
  g.scalars.sanction_loss = sc["loss_share"].as<double>();
  g.scalars.lag = sc["h"].as<double>();
  g.scalars.coercion_cost = sc["eta"].as<double>();
  g.scalars.demonstration = sc["omega"].as<double>();
  g.scalars.face = sc["mu"].as<double>();
  g.scalars.concession_cost = sc["zeta"].as<double>();
  g.scalars.misperception = sc["sigma"].as<double>();
  g.scalars.premium = pol["premium"].as<double>();
  g.scalars.loss_misperception = sc["sigma_loss"].as<double>();
  // Version 4 (absent in the contract's file: off).
  g.scalars.override_cost = sc["override_cost"] ? sc["override_cost"].as<double>() : 0.0;
  const double selectivity = sc["selectivity"] ? sc["selectivity"].as<double>() : 0.0;
  g.episode.review = node["review"] ? node["review"].as<bool>() : false;
  g.episode.warned = node["warned"] ? node["warned"].as<bool>() : false;
  if (node["from"]) g.from = node["from"].as<std::string>();
  if (node["mechanism"]) g.mechanism = node["mechanism"].as<std::string>();

  const std::string trigger = pol["trigger"].as<std::string>();
  g.design.sanctions = pol["sanctions"].as<bool>();
  g.design.trigger = trigger == "consensus" ? Trigger::consensus : trigger == "majority" ? Trigger::majority : Trigger::weighted;
  g.design.threshold = pol["q"].as<double>();
  g.design.aid = pol["aid"].as<bool>();
  g.design.activation = pol["aid_activation"].as<std::string>() == "majority" ? Activation::majority : Activation::automatic;
  g.design.compensated_share = pol["psi"].as<double>();
  g.design.fund_cap = pol["fund_cap"].as<double>();
  g.design.commitment = pol["commitment"].as<std::string>() == "rules" ? Commitment::rules : Commitment::discretion;
  g.draw.absorption = pol["phi"].as<double>();
  g.draw.derisking = pol["derisk"].as<double>();
  g.draw.resilience = pol["resilience"].as<double>();
  g.draw.treaty_penalty = pol["penalty"].as<double>();

  const double T = g.scalars.duration;
  std::vector<std::string> sanctioned = pol["sanctioned_goods"].as<std::vector<std::string>>();
  for (std::size_t c = 0; c < names.size(); ++c) {
    g.stance.push_back(node["salience"][names[c]].as<double>() * g.scalars.stance_value * g.gdp[c]);
    double w = 0, d = 0;
    for (const auto& good : node["goods"]) {
      const std::string gname = good["name"].as<std::string>();
      if (std::find(sanctioned.begin(), sanctioned.end(), gname) == sanctioned.end()) continue;
      const double share = good["supply"][names[c]] ? good["supply"][names[c]].as<double>() : 0.0;
      const double flow = good["imports"].as<double>() * share;
      w += flow;
      d += flow * (1.0 - good["outside"].as<double>()) * good["replacement_cost"].as<double>() *
           std::min(T, good["replacement_years"].as<double>());
    }
    g.supply.push_back(w);
    g.cost.push_back(g.scalars.sanction_loss * w * T);
    g.damage.push_back(d);
  }
  const std::string target = node["target"].as<std::string>();
  const auto t = static_cast<std::size_t>(std::find(names.begin(), names.end(), target) - names.begin());
  g.episode.issue_value = sc["V"].as<double>();
  g.episode.intensity = sc["kappa"].as<double>();
  g.episode.obfuscation = sc["obfuscation"].as<double>();
  g.exports = exports[t];
  g.episode.target_exports = covered_exports(exports[t], selectivity);
  g.episode.target_stance = g.stance[t];
  g.episode.target_position = static_cast<int>(t);  // every listed country is a member
  g.episode.in_scope = pol["in_scope"].as<bool>();
  for (int k = 0; k < 4; ++k) g.episode.z[k] = sc["z"][k].as<double>();
  g.episode.z5 = sc["z5"].as<double>();
  g.episode.done_deed = sc["done_deed"].as<double>();
  g.episode.forced = node["forced"].as<bool>();

  const YAML::Node expected = node["expected"];
  g.outcome = expected["outcome"].as<std::string>();
  g.target_payoff = expected["target_payoff"].as<double>();
  g.coercer_payoff = expected["coercer_payoff"].as<double>();
  g.bloc_cost = expected["bloc_cost"].as<double>();
  g.sanction_loss = expected["coercer_sanction_loss"].as<double>();
  g.at_threat = expected["conceded_at_threat"] ? expected["conceded_at_threat"].as<bool>() : false;
  if (const YAML::Node without = node["without"])
    g.without = std::make_pair(without["outcome"].as<std::string>(), without["target_payoff"].as<double>());
  return g;
}

std::vector<GoldenCase> load_file(const char* name) {
  const YAML::Node root = YAML::LoadFile(std::string(DETERRENCE_FIXTURES "/") + name);
  std::vector<GoldenCase> cases;
  for (const auto& node : root["cases"]) cases.push_back(load_case(node));
  return cases;
}
std::vector<GoldenCase> load_all() { return load_file("golden_episodes.json"); }
std::vector<GoldenCase> load_version_4() { return load_file("golden_episodes_v4.json"); }

void PrintTo(const GoldenCase& g, std::ostream* os) { *os << g.name; }

class GoldenEpisode : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenEpisode, OutcomeAndPayoffsMatchTheContract) {
  const GoldenCase& g = GetParam();
  const MemberView members{g.stance, g.gdp, g.supply, g.cost, g.damage};
  const EpisodeResult r = play_episode(g.episode, g.scalars, g.design, g.draw, members);
  EXPECT_EQ(kOutcomeNames[static_cast<int>(r.outcome)], g.outcome);
  EXPECT_NEAR(r.target_payoff, g.target_payoff, 1e-9);
  EXPECT_NEAR(r.coercer_payoff, g.coercer_payoff, 1e-9);
  EXPECT_NEAR(r.bloc_cost, g.bloc_cost, 1e-9);
  EXPECT_NEAR(r.sanction_loss, g.sanction_loss, 1e-9);
  EXPECT_EQ(r.at_threat, g.at_threat);
}

INSTANTIATE_TEST_SUITE_P(Contract, GoldenEpisode, ::testing::ValuesIn(load_all()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Version4, GoldenEpisode, ::testing::ValuesIn(load_version_4()),
                         [](const auto& info) { return info.param.name; });

// Each version-4 case is the contract episode it names with one mechanism switched on: two per
// mechanism, one changing that episode's outcome and one not. With the mechanism off, the case
// must play as its contract episode does, or as its hand-computed `without` says where it
// changes another field too.
TEST(GoldenEpisodes, VersionFourHasTwoPerMechanismOneChangingTheOutcome) {
  const auto contract = load_all();
  const auto cases = load_version_4();
  ASSERT_EQ(cases.size(), 8u);
  std::map<std::string, int> changed, kept;
  for (const auto& g : cases) {
    const auto from = std::find_if(contract.begin(), contract.end(), [&](const GoldenCase& c) { return c.name == g.from; });
    ASSERT_NE(from, contract.end()) << g.name << " starts from '" << g.from << "'";
    Scalars off_scalars = g.scalars;
    off_scalars.override_cost = 0.0;
    Episode off = g.episode;
    off.review = false;
    off.warned = false;
    off.target_exports = g.exports;  // selectivity off
    const MemberView members{g.stance, g.gdp, g.supply, g.cost, g.damage};
    const EpisodeResult without = play_episode(off, off_scalars, g.design, g.draw, members);
    const std::string off_outcome = g.without ? g.without->first : from->outcome;
    EXPECT_EQ(kOutcomeNames[static_cast<int>(without.outcome)], off_outcome) << g.name;
    EXPECT_NEAR(without.target_payoff, g.without ? g.without->second : from->target_payoff, 1e-9) << g.name;
    EXPECT_FALSE(without.at_threat) << g.name;
    (kOutcomeNames[static_cast<int>(without.outcome)] == g.outcome ? kept : changed)[g.mechanism]++;
  }
  for (const char* mechanism : {"override_cost", "threat_review", "selectivity", "threat_warning"}) {
    EXPECT_EQ(changed[mechanism], 1) << mechanism;
    EXPECT_EQ(kept[mechanism], 1) << mechanism;
  }
}

TEST(GoldenEpisodes, AllTwentyOneAreLoadedAndEveryOutcomeIsCovered) {
  const auto cases = load_all();
  ASSERT_EQ(cases.size(), 21u);
  const auto forced = std::count_if(cases.begin(), cases.end(), [](const auto& g) { return g.episode.forced; });
  EXPECT_EQ(forced, 2);
  for (const char* outcome : kOutcomeNames) {
    const bool covered = std::any_of(cases.begin(), cases.end(), [&](const auto& g) { return g.outcome == outcome; });
    EXPECT_TRUE(covered) << outcome;
  }
}

}  // namespace
}  // namespace deterrence::coercion
