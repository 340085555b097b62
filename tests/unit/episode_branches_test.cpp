// Hand-computed episodes for the branches of docs/model.md §4–5 that the sixteen golden cases leave
// untouched: weighted trigger with no supply and at its threshold, a majority at exactly half,
// a target that stays out of a triggered response, aid with escalation and capitulation, aid
// with no helpers or a split vote, a target outside the policy, and every tie (the strict and
// non-strict comparisons). Each expected figure is worked out in the comment beside it from the
// formulas, not read off the code.
#include <gtest/gtest.h>

#include <vector>

#include "models/coercion/episode.h"

namespace deterrence::coercion {
namespace {

// Three members A (the target), B, C, close to docs/model.md §6's worked example. Stances, costs and
// damages are given directly (the model computes them once per draw from the data).
struct Case {
  Episode episode;
  Scalars scalars;
  PolicyDesign design;
  PolicyDraw draw;
  std::vector<double> stance{9, 500, 80}, gdp{300, 20000, 4000}, supply{6, 20, 14}, cost{6, 20, 14},
      damage{2.4, 48, 29.6};

  Case() {
    scalars.resolve = 1;
    scalars.duration = 2;
    scalars.stance_value = 0.05;
    scalars.sanction_loss = 0.5;
    scalars.lag = 0.25;
    scalars.coercion_cost = 0.1;
    scalars.demonstration = 0.3;
    scalars.face = 0.2;
    scalars.concession_cost = 0.3;
    scalars.premium = 0;
    scalars.misperception = 0;
    episode.issue_value = 60;
    episode.intensity = 0.3;
    episode.obfuscation = 0.1;
    episode.target_exports = 10;  // L = 0.3 · 10 · 2 = 6, c0 = 0.6
    episode.target_stance = 9;
    episode.target_position = 0;
    episode.in_scope = true;
    design.sanctions = true;
    draw.derisking = 0.2;
  }
  EpisodeResult play() {
    episode.target_stance = stance[0];
    const MemberView members{stance, gdp, supply, cost, damage};
    return play_episode(episode, scalars, design, draw, members);
  }
  // The coercer underrates the bloc's cohesion (k = e^-10): it predicts that only the target
  // joins, so it coerces; the target sees the bloc as it is.
  void coercer_underrates_cohesion() {
    scalars.misperception = 1;
    episode.z[0] = -10;
  }
  // The target sees the stakes as e^-10 of the truth: it expects the coercer to tolerate.
  void target_underrates_stakes() {
    scalars.misperception = 1;
    episode.z[2] = -10;
  }
  void automatic_aid(double absorption, double compensated_share, double fund_cap, double premium) {
    design.aid = true;
    design.activation = Activation::automatic;
    draw.absorption = absorption;
    design.compensated_share = compensated_share;
    design.fund_cap = fund_cap;
    scalars.premium = premium;
  }
};

void expect_result(const EpisodeResult& r, Outcome outcome, double target, double coercer, double bloc,
                   double sanction_loss) {
  EXPECT_EQ(kOutcomeNames[static_cast<int>(r.outcome)], std::string(kOutcomeNames[static_cast<int>(outcome)]));
  EXPECT_NEAR(r.target_payoff, target, 1e-9);
  EXPECT_NEAR(r.coercer_payoff, coercer, 1e-9);
  EXPECT_NEAR(r.bloc_cost, bloc, 1e-9);
  EXPECT_NEAR(r.sanction_loss, sanction_loss, 1e-9);
}

// Without joint sanctions the target resists: 9 − 6 = 3 ≥ −0.3·9 − 0.25·6 = −4.2; the coercer
// gains 0.3·60 − 0.6 = 17.4 > 0, so it coerces.
constexpr double kResistedTarget = 3.0, kResistedCoercer = 17.4;

TEST(EpisodeBranches, WeightedTriggerWithNoSanctionedSupplyNeverFires) {
  Case c;
  c.design.trigger = Trigger::weighted;
  c.design.threshold = 0.5;
  c.supply = {0, 0, 0};
  c.cost = {0, 0, 0};
  c.damage = {0, 0, 0};
  // Everyone "joins" (u ≥ 0) but Σ w over members is 0: no trigger, so RESISTED, not ESCALATION.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.triggered);
}

TEST(EpisodeBranches, WeightedTriggerFiresAtExactlyItsThreshold) {
  Case c;
  c.design.trigger = Trigger::weighted;
  c.design.threshold = 0.5;
  c.stance = {9, 500, 10};
  c.supply = {6, 14, 20};
  c.cost = {6, 14, 20};
  c.damage = {2, 50, 30};
  // A joins (8.1 ≥ 6), B joins (450 ≥ 14), C not (9 < 20): joined supply 20 = 0.5 · 40, triggered.
  // D = 52; node 5: 0.55·52 + 0.75·0.6 = 29.05 ≤ 0.5·60: no back-down, ESCALATION path worth
  // 9 − 6 − 6 = −3 ≥ −4.2 to the target; coercer: 18 − 0.6 − 52 < 0, tolerates. Without the
  // policy it gains 17.4: DETERRED.
  expect_result(c.play(), Outcome::deterred, 9, 0, 0, 0);
  // Just above the threshold the same joins fall short: the coercer faces the target alone.
  c.design.threshold = 0.5000001;
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.triggered);
}

TEST(EpisodeBranches, MajorityOfExactlyHalfDoesNotTrigger) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.stance = {9, 500, 10, 10};
  c.gdp = {300, 20000, 4000, 4000};
  c.supply = {6, 14, 20, 20};
  c.cost = {6, 14, 20, 20};
  c.damage = {2, 50, 30, 30};
  // A and B join, C and D do not: 2·2 > 4 is false.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.triggered);
  // A third joiner makes a majority: 3 of 4, D = 2 + 50 + 30 = 82, and the coercer is deterred.
  c.stance[2] = 500;
  expect_result(c.play(), Outcome::deterred, 9, 0, 0, 0);
}

TEST(EpisodeBranches, TargetOutsideATriggeredMajorityBearsNoSanctionCost) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.supply = {10, 20, 14};
  c.cost = {10, 20, 14};
  c.coercer_underrates_cohesion();
  // Target's view (k = 1): A stays out (8.1 < 10), B and C join: 2·2 > 3, D = 48 + 29.6 = 77.6.
  // Node 5: 0.55·77.6 + 0.75·0.6 = 43.13 > 30, backs down; the coercer would get
  // −0.15 − 0.45·77.6 − 12 = −47.07 < 0, so the target expects toleration and provokes.
  // Coercer's view: only A's stance is unscaled and A stays out; nobody joins: RESISTED, 17.4 > 0.
  // In play: COMPELLED, U_T = 9 − 0.25·(6 + 0) = 7.5 (C_t = 0: the target did not join),
  // bloc cost 0.25·(20 + 14) = 8.5, sanction loss 0.45·77.6 = 34.92.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::compelled, 7.5, -47.07, 8.5, 34.92);
  EXPECT_TRUE(r.triggered);
  EXPECT_FALSE(r.aid_active);
}

TEST(EpisodeBranches, EscalationWithAidChargesHelpersTheirSanctionsAndTheAid) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.supply = {10, 20, 14};
  c.cost = {10, 20, 14};
  c.draw.derisking = 0.9;
  c.automatic_aid(0.5, 0.5, 100, 0.2);
  c.coercer_underrates_cohesion();
  // Aid: A = 3, K = min(0.5·3, 200) = 1.5, G = 0.2·3 + 1.5 = 2.1, L_net = 1.5.
  // Target's view: B and C join, D = 77.6; node 5: −0.15·77.6 + 0.45 < 30, no back-down;
  // ESCALATION gives 9 − 1.5 − 0 = 7.5 ≥ −2.7 − 0.375; the coercer would get 18 − 0.6 − 77.6 < 0:
  // the target provokes. Coercer's view: no trigger, RESISTED with c0 on the gross loss: 17.4 > 0.
  // In play: ESCALATION, U_C = −60.2, bloc cost 20 + 14 + 2.1 = 36.1, sanction loss 77.6.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::escalation, 7.5, -60.2, 36.1, 77.6);
  EXPECT_TRUE(r.triggered);
  EXPECT_TRUE(r.aid_active);
}

TEST(EpisodeBranches, CapitulationWithCappedAidCostsHelpersTheAidForTheLag) {
  Case c;
  c.design.sanctions = false;
  c.stance = {1, 500, 80};
  c.episode.target_exports = 100;  // L = 60, c0 = 6
  c.automatic_aid(0.5, 0.5, 5, 0.2);
  c.target_underrates_stakes();
  // Aid: A = 30, K = min(0.5·30, 5·2) = 10 (the cap binds), G = 6 + 10 = 16, L_net = 20.
  // Target's view: W' ≈ 0.0027, so capitulation (W' − 1.5) and resistance (0.3·W' − 6) both
  // lose the coercer money: it expects toleration and provokes with U_T = 1 > 0.
  // In play: resist 1 − 20 = −19 < concede −0.3 − 0.25·20 = −5.3: CAPITULATION,
  // U_C = 60 − 0.25·6 = 58.5, bloc cost 0.25·16 = 4.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::capitulation, -5.3, 58.5, 4, 0);
  EXPECT_FALSE(r.triggered);
  EXPECT_TRUE(r.aid_active);
}

TEST(EpisodeBranches, MajorityAidWithNoHelpersIsNotActive) {
  Case c;
  c.design.sanctions = false;
  c.automatic_aid(0.5, 0.5, 100, 0.2);
  c.design.activation = Activation::majority;
  c.stance = {9};
  c.gdp = {300};
  c.supply = {6};
  c.cost = {6};
  c.damage = {2.4};
  // The target is the only member: nobody to vote, no aid, so the plain RESISTED of 3 / 17.4
  // (active aid would have given the target 9 − 1.5 = 7.5).
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.aid_active);
}

TEST(EpisodeBranches, MajorityAidNeedsMoreThanHalfOfTheHelpers) {
  Case c;
  c.design.sanctions = false;
  c.automatic_aid(0.5, 0.5, 100, 0.2);
  c.design.activation = Activation::majority;
  c.stance = {9, 500, 1};
  // G = 2.1 over 2 helpers: B votes yes (500 ≥ 1.05), C no (1 < 1.05); 2·1 > 2 fails.
  EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.aid_active);
  // C in favour: aid active, L_net = 1.5: U_T = 7.5, coercer still 0.3·60 − 0.6 = 17.4, G = 2.1.
  c.stance[2] = 2;
  r = c.play();
  expect_result(r, Outcome::resisted, 7.5, 17.4, 2.1, 0);
  EXPECT_TRUE(r.aid_active);
}

TEST(EpisodeBranches, TargetOutsideThePolicyFacesTheCoercerAlone) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.automatic_aid(0.5, 0.5, 100, 0.2);
  c.draw.resilience = 0.5;
  c.stance = {9, 500, 80};
  c.episode.target_position = -1;  // the target is not a member: the members are B, C, and a third
  c.episode.in_scope = false;
  // No sanctions, no aid, no resilience (ε = 0.5 would halve L): exactly the plain RESISTED.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  EXPECT_FALSE(r.triggered);
  EXPECT_FALSE(r.aid_active);
}

TEST(EpisodeBranches, IssueOutOfScopeSwitchesTheMeasuresOff) {
  Case c;
  c.automatic_aid(0.5, 0.5, 100, 0.2);
  c.draw.resilience = 0.5;
  c.episode.in_scope = false;  // the target is a member, the issue is not covered
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::resisted, kResistedTarget, kResistedCoercer, 0, 0);
  // In scope, the same bloc (all join: D = 80) deters: docs/model.md §6's worked example, now with
  // half the exposure and aid on top.
  c.episode.in_scope = true;
  expect_result(c.play(), Outcome::deterred, 9, 0, 0, 0);
}

TEST(EpisodeBranches, BackDownTieMeansThePunishmentGoesOn) {
  Case c;
  c.scalars.coercion_cost = 0;  // c0 = 0
  c.scalars.demonstration = 0.25;
  c.scalars.face = 0.25;
  c.draw.derisking = 0.25;
  c.episode.issue_value = 64;
  c.damage = {4, 40, 20};  // D = 64
  c.coercer_underrates_cohesion();
  // Node 5: (1 − 0.25 − 0.25)·64 + 0.75·0 = 32 = (0.25 + 0.25)·64: not strictly greater, so no
  // back-down. Target: ESCALATION 9 − 6 − 6 = −3 ≥ −4.2, resists; it expects the coercer
  // (16 − 64 < 0) to tolerate and provokes. Coercer's view: consensus fails, RESISTED 16 > 0.
  // In play: ESCALATION, U_C = 16 − 0 − 64 = −48, bloc 20 + 14 = 34, sanction loss 64.
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::escalation, -3, -48, 34, 64);
}

TEST(EpisodeBranches, ConcedeOrResistTieMeansResist) {
  Case c;
  c.design.sanctions = false;
  c.stance = {6, 500, 80};
  c.scalars.concession_cost = 0.5;
  c.episode.intensity = 0.5;
  c.episode.target_exports = 12;  // L = 12, c0 = 1.2
  c.target_underrates_stakes();
  // Resist 6 − 12 = −6 = concede −0.5·6 − 0.25·12 = −6: resists (≥). The target expected
  // toleration (W' ≈ 0.0027) and provoked. U_C = 0.3·60 − 1.2 = 16.8.
  expect_result(c.play(), Outcome::resisted, -6, 16.8, 0, 0);
}

TEST(EpisodeBranches, CoercerIndifferentTolerates) {
  Case c;
  c.design.sanctions = false;
  c.stance = {40, 500, 80};
  c.scalars.demonstration = 0.25;
  c.scalars.coercion_cost = 0.5;
  c.episode.issue_value = 64;
  c.episode.intensity = 0.5;
  c.episode.target_exports = 32;  // L = 32, c0 = 16
  // The target resists (40 − 32 = 8 ≥ −12 − 8); the coercer's 0.25·64 − 16 = 0 is not > 0, so it
  // tolerates, and would without the policy too: NOT_CONTESTED with U_T = 40.
  expect_result(c.play(), Outcome::not_contested, 40, 0, 0, 0);
}

TEST(EpisodeBranches, TargetIndifferentRefrains) {
  Case c;
  c.design.sanctions = false;
  c.stance = {6, 500, 80};
  c.scalars.demonstration = 0.25;
  c.episode.issue_value = 64;
  c.episode.intensity = 0.5;
  c.episode.target_exports = 6;  // L = 6, c0 = 0.6
  // The coercer would coerce (0.25·64 − 0.6 > 0) and the target would resist for 6 − 6 = 0
  // (≥ −1.8 − 1.5): provoking is worth 0, not > 0, so SELF_CENSORSHIP with U_C = W = 64.
  expect_result(c.play(), Outcome::self_censorship, 0, 64, 0, 0);
}

// Version 2: forced stances. Each case is chosen so that the government, free to choose, would
// refrain; forced, the stance is taken and nodes 2–5 play as usual (worked by hand).

TEST(EpisodeBranches, ForcedStanceIsDeterred) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.stance = {1, 500, 80};  // v_t = 1: the target does not join (0.9 < 6); B and C do
  c.scalars.misperception = 1;
  c.episode.z[2] = 3;  // the target sees W' = 60·e^3 ≈ 1205
  // Majority 2·2 > 3, D = 48 + 29.6 = 77.6, C_t = 0. In the target's view the coercer persists
  // (0.55·77.6 + 0.75·0.6 = 43.13 ≤ 0.5·1205), so it would concede (1 − 6 = −5 < −0.3 − 1.5 =
  // −1.8) after being coerced: predicted U_T = −1.8, it refrains.
  expect_result(c.play(), Outcome::self_censorship, 0, 60, 0, 0);
  // Forced: the coercer (true W = 60) predicts a back-down (43.13 > 30) after resistance
  // (1 − 0.25·6 = −0.5 ≥ −1.8): U_C = −0.15 − 0.45·77.6 − 12 < 0, it tolerates; without the policy
  // the target would concede (−5 < −1.8) and the coercer gain 60 − 0.15 > 0: DETERRED, U_T = 1.
  c.episode.forced = true;
  expect_result(c.play(), Outcome::deterred, 1, 0, 0, 0);
}

TEST(EpisodeBranches, ForcedStanceIsNotContested) {
  Case c;
  c.design.sanctions = false;
  c.stance = {1, 500, 80};
  c.episode.issue_value = 0.1;
  c.scalars.misperception = 1;
  c.episode.z[2] = 3;  // the target sees W' = 0.1·e^3 ≈ 2.01
  // In its view the coercer gains 2.01 − 0.15 > 0 from a concession (−5 < −1.8): it refrains.
  expect_result(c.play(), Outcome::self_censorship, 0, 0.1, 0, 0);
  // Forced: the coercer's 0.1 − 0.25·0.6 = −0.05 is not > 0, with or without the policy.
  c.episode.forced = true;
  expect_result(c.play(), Outcome::not_contested, 1, 0, 0, 0);
}

TEST(EpisodeBranches, ForcedStanceCapitulates) {
  Case c;
  c.design.sanctions = false;
  c.stance = {1, 500, 80};
  // Resisting costs 1 − 6 = −5 < −0.3 − 1.5 = −1.8, and the coercer gains 60 − 0.15 > 0 from the
  // concession it foresees: free to choose, the target refrains.
  expect_result(c.play(), Outcome::self_censorship, 0, 60, 0, 0);
  c.episode.forced = true;
  expect_result(c.play(), Outcome::capitulation, -1.8, 59.85, 0, 0);
}

TEST(EpisodeBranches, ForcedStanceEscalates) {
  Case c;
  c.design.trigger = Trigger::majority;
  c.stance = {1, 500, 80};
  c.episode.issue_value = 400;
  c.episode.target_exports = 2.5;  // L = 0.3·2.5·2 = 1.5, c0 = 0.15
  // B and C join (D = 77.6, C_t = 0). Node 5: 0.55·77.6 + 0.75·0.15 = 42.79 ≤ 0.5·400: the coercer
  // persists. The target resists (1 − 1.5 = −0.5 ≥ −0.3 − 0.375 = −0.675) but that is worth −0.5,
  // and the coercer gains 0.3·400 − 0.15 − 77.6 = 42.25 > 0: free to choose, it refrains.
  expect_result(c.play(), Outcome::self_censorship, 0, 400, 0, 0);
  // Forced: ESCALATION; bloc cost Σ C_c over B, C = 20 + 14; the coercer loses D.
  c.episode.forced = true;
  const EpisodeResult r = c.play();
  expect_result(r, Outcome::escalation, -0.5, 42.25, 34, 77.6);
  EXPECT_TRUE(r.triggered);
}

}  // namespace
}  // namespace deterrence::coercion
