// Members ordered by join threshold (order_members, MemberView's optional arrays) must give every
// play the result of the passes over members: the same outcome, trigger and aid vote (the counts
// are the same), and payoffs and costs equal up to the rounding of sums taken in threshold order
// instead of member order. Random policies of 64–195 members, both commitments, all three
// triggers, an aid vote, targets inside and outside, perception errors wide enough to move the
// cohesion by orders of magnitude, tied stances and joins exactly at the threshold.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "models/coercion/episode.h"
#include "sampling/counter_rng.h"

namespace deterrence::coercion {
namespace {

struct Members {
  std::vector<double> stance, gdp, supply, cost, damage, threshold, sorted_threshold, sorted_stance;
  std::vector<double> damage_sums, cost_sums, supply_sums;
  std::vector<std::pair<double, std::uint32_t>> scratch;
  explicit Members(std::size_t n)
      : stance(n), gdp(n), supply(n), cost(n), damage(n), threshold(n), sorted_threshold(n), sorted_stance(n),
        damage_sums(n + 1), cost_sums(n + 1), supply_sums(n + 1), scratch(n) {}
  MemberView view() const { return {stance, gdp, supply, cost, damage}; }
  MemberOrderStorage storage() {
    return {threshold, sorted_threshold, sorted_stance, damage_sums, cost_sums, supply_sums, scratch};
  }
};

// Sums of at most 195 terms below 2 in either order: far inside 1e-10 (a member's damage or
// cost counted wrongly moves them by its whole size, 1e-3 and more here).
void expect_close(double a, double b, const std::string& what) {
  EXPECT_LE(std::abs(a - b), 1e-10 * (1.0 + std::abs(a))) << what << ": " << a << " against " << b;
}

void expect_same(const EpisodeResult& a, const EpisodeResult& b, const std::string& where) {
  EXPECT_EQ(static_cast<int>(a.outcome), static_cast<int>(b.outcome)) << where;
  expect_close(a.target_payoff, b.target_payoff, where + " target payoff");
  expect_close(a.coercer_payoff, b.coercer_payoff, where + " coercer payoff");
  expect_close(a.bloc_cost, b.bloc_cost, where + " bloc cost");
  expect_close(a.sanction_loss, b.sanction_loss, where + " sanction loss");
  EXPECT_EQ(a.triggered, b.triggered) << where;
  EXPECT_EQ(a.aid_active, b.aid_active) << where;
}

// Plays `episodes` random episodes on one random policy, with and without the order.
// Returns how many of them were played with a triggered response (so the test knows the
// sums were exercised).
int compare_on_random_policy(std::uint64_t seed, std::size_t n, Trigger trigger, Commitment commitment,
                             Activation activation, int episodes) {
  const CounterRng rng(seed);
  Members m(n);
  std::uint64_t next = 0;
  const auto u = [&] { return rng.uniform(next++, 1); };
  Scalars s;
  s.resolve = 0.5 + u();
  s.duration = 1 + 3 * u();
  s.stance_value = 0.3 + u();
  s.sanction_loss = 0.5;
  s.lag = 0.25;
  s.coercion_cost = 0.15;
  s.demonstration = 0.3;
  s.face = 0.2;
  s.concession_cost = 0.3;
  s.premium = 0.1;
  s.misperception = 1.5;  // e^{1.5 z}: cohesions from about 0.01 to 100
  PolicyDesign design;
  design.sanctions = true;
  design.trigger = trigger;
  design.threshold = 0.5;  // weighted: half the supply
  design.commitment = commitment;
  design.aid = true;
  design.activation = activation;
  design.compensated_share = 0.5;
  design.fund_cap = 2.0;
  const PolicyDraw draw{0.2, 0.4, 0.1, 0.1 + 0.4 * u()};
  const double obfuscation = 0.3 * u();
  const double penalty = draw.treaty_penalty * s.stance_value;
  for (std::size_t j = 0; j < n; ++j) {
    // Every fifth stance repeats the one before (ties); every seventh is zero.
    m.stance[j] = j % 7 == 3 ? 0.0 : (j % 5 == 4 ? m.stance[j - 1] : 2.0 * u());
    m.gdp[j] = 3.0 * u();
    m.supply[j] = u() / static_cast<double>(n);
    m.damage[j] = u();
    m.cost[j] = 1.5 * u();
    // Every eleventh member joins exactly at cohesion 1: its cost equals what it gains there.
    if (j % 11 == 5) m.cost[j] = commitment == Commitment::rules ? m.stance[j] + penalty * m.gdp[j]
                                                                 : m.stance[j] * (1.0 - obfuscation);
  }
  MemberView ordered = m.view();
  const MemberOrderStorage storage = m.storage();
  const auto up_to = order_members(ordered, s, design, draw, obfuscation, storage);
  EXPECT_TRUE(up_to.has_value());
  storage.show_in(ordered, up_to.value_or(0.0));
  int triggered = 0;
  for (int k = 0; k < episodes; ++k) {
    Episode e;
    e.issue_value = 4.0 * u();
    e.intensity = u();
    e.obfuscation = obfuscation;
    e.target_exports = 3.0 * u();
    e.target_position = k % 9 == 0 ? -1 : static_cast<int>(static_cast<std::size_t>(k) % n);
    e.target_stance = e.target_position >= 0 ? m.stance[static_cast<std::size_t>(e.target_position)] : u();
    e.in_scope = e.target_position >= 0;
    // Every fourth episode sees the bloc as it is (cohesion exactly 1, where the ties sit).
    for (double& z : e.z) z = k % 4 == 0 ? 0.0 : 2.0 * (2.0 * u() - 1.0);
    e.forced = k % 6 == 0;
    const EpisodeResult by_pass = play_episode(e, s, design, draw, m.view());
    const EpisodeResult by_order = play_episode(e, s, design, draw, ordered);
    expect_same(by_pass, by_order, "episode " + std::to_string(k) + " of " + std::to_string(n) + " members");
    triggered += by_pass.triggered ? 1 : 0;
  }
  return triggered;
}

TEST(MemberOrder, PlaysAsThePassesDoOnRandomPolicies) {
  int triggered = 0;
  std::uint64_t seed = 1;
  for (const std::size_t n : {64u, 100u, 195u})
    for (const Trigger trigger : {Trigger::majority, Trigger::consensus, Trigger::weighted})
      for (const Commitment commitment : {Commitment::rules, Commitment::discretion})
        for (const Activation activation : {Activation::majority, Activation::automatic})
          triggered += compare_on_random_policy(seed++, n, trigger, commitment, activation, 400);
  EXPECT_GT(triggered, 150);  // the sums after a trigger were compared too
}

TEST(MemberOrder, ThresholdsAreWhereEachMemberStartsToJoin) {
  // Discretion, obfuscation 0: member j joins a view of cohesion k iff stance_j·k ≥ cost_j.
  Members m(3);
  m.stance = {2.0, 0.0, 3.0};
  m.cost = {1.0, 0.5, 0.0};
  m.gdp = {1, 1, 1};
  m.supply = {1, 1, 1};
  m.damage = {10, 20, 30};
  PolicyDesign design;
  design.commitment = Commitment::discretion;
  const auto up_to = order_members(m.view(), Scalars{}, design, PolicyDraw{}, 0.0, m.storage());
  ASSERT_TRUE(up_to.has_value());
  EXPECT_EQ(m.threshold[0], 0.5);  // 2·0.5 = 1 ≥ 1, and below 0.5 it falls short
  EXPECT_TRUE(std::isinf(m.threshold[1]));  // a zero stance never covers a positive cost
  EXPECT_EQ(m.threshold[2], 0.0);  // a zero cost: joins at any cohesion
  EXPECT_EQ(m.sorted_threshold, (std::vector<double>{0.0, 0.5, m.threshold[1]}));
  EXPECT_EQ(m.sorted_stance, (std::vector<double>{0.0, 2.0, 3.0}));
  // Running sums in threshold order: member 2, then 0, then 1.
  EXPECT_EQ(m.damage_sums, (std::vector<double>{0.0, 30.0, 40.0, 60.0}));
  EXPECT_EQ(m.cost_sums, (std::vector<double>{0.0, 0.0, 1.0, 1.5}));
  EXPECT_EQ(m.supply_sums, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
}

TEST(MemberOrder, TiedThresholdsAreSummedInMemberOrder) {
  // Three members joining at the same cohesion: their sums run in member order whatever the
  // sort does, so the rounding is fixed (1 + 2^-53 + 2^-53 rounds differently from 2^-53 + ...).
  Members m(3);
  m.stance = {1.0, 1.0, 1.0};
  m.cost = {0.5, 0.5, 0.5};
  m.gdp = m.supply = {1, 1, 1};
  m.damage = {1.0, 0x1.0p-53, 0x1.0p-53};
  PolicyDesign design;
  design.commitment = Commitment::discretion;
  ASSERT_TRUE(order_members(m.view(), Scalars{}, design, PolicyDraw{}, 0.0, m.storage()).has_value());
  EXPECT_EQ(m.damage_sums[3], 1.0);  // (1 + 2^-53) + 2^-53: each addition rounds back to 1
}

TEST(MemberOrder, RefusedWhereJoinsNeedNotGrowWithCohesion) {
  Members m(4);
  for (std::size_t j = 0; j < 4; ++j) m.stance[j] = m.gdp[j] = m.supply[j] = m.cost[j] = m.damage[j] = 1.0;
  const auto order = [&](double obfuscation) {
    return order_members(m.view(), Scalars{}, PolicyDesign{}, PolicyDraw{}, obfuscation, m.storage());
  };
  EXPECT_TRUE(order(0.5).has_value());
  EXPECT_FALSE(order(1.5).has_value());  // 1 − o < 0: a higher stance would make joining less likely
  EXPECT_FALSE(order(std::nan("")).has_value());
  m.stance[2] = -1.0;
  EXPECT_FALSE(order(0.5).has_value());
  m.stance[2] = std::nan("");
  EXPECT_FALSE(order(0.5).has_value());
  m.stance[2] = 1.0;
  ASSERT_TRUE(order(0.5).has_value());
  // A running sum through an infinite or NaN damage, cost or supply could not take one member
  // out again: those keep the passes.
  for (std::vector<double>* values : {&m.damage, &m.cost, &m.supply}) {
    (*values)[1] = std::numeric_limits<double>::infinity();
    EXPECT_FALSE(order(0.5).has_value());
    (*values)[1] = std::nan("");
    EXPECT_FALSE(order(0.5).has_value());
    (*values)[1] = 1.0;
  }
}

}  // namespace
}  // namespace deterrence::coercion
