// play_and_record_lanes must store in every lane play_episode's result, bit for bit, and keep each
// lane's running totals as a draw alone adds its plays: random episodes on random policies of
// every design (three triggers, both commitments, aid automatic or voted, or none; in scope or
// not), targets inside and outside, forced stances, loss surprise, perception errors wide enough
// to flip every node, lanes that disagree at every node; and the same with every lane's members
// ordered (the binary-search path of many-member policies).
#include "models/coercion/episode_lanes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "sampling/counter_rng.h"

namespace deterrence::coercion {
namespace {

// Plays in which version 4's threat review changed the outcome (the review path must be reached).
int g_withdrawn_by_review = 0;
// Plays conceded at a warned threat, and those in which the warning changed the outcome.
int g_at_threat = 0, g_changed_by_warning = 0;

struct Random {
  CounterRng rng;
  std::uint64_t next = 0;
  double operator()() { return rng.uniform(next++, 17); }
};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// A policy design of the tests' kind: a 0.4 supply threshold, half compensated, a fund of 1.5;
// aid 0 none, 1 automatic, 2 voted.
PolicyDesign design_of(bool sanctions, Trigger trigger, Commitment commitment, int aid) {
  PolicyDesign design;
  design.sanctions = sanctions;
  design.trigger = trigger;
  design.threshold = 0.4;
  design.commitment = commitment;
  design.aid = aid > 0;
  design.activation = aid == 2 ? Activation::majority : Activation::automatic;
  design.compensated_share = 0.5;
  design.fund_cap = 1.5;
  return design;
}

// Plays `episodes` episodes of one random policy; returns how many lane plays reached each
// outcome (so the test can require that every outcome was compared).
// With `ordered`, every lane's members are ordered for its episode (order_members, as the model
// does for many members) and both plays search those orders.
std::vector<int> compare_on_random_policy(std::size_t lanes, std::uint64_t seed, const PolicyDesign& design,
                                          std::size_t n, int episodes, bool ordered = false) {
  Random u{CounterRng(seed)};
  std::vector<int> reached(kOutcomeCount, 0);
  std::vector<double> gdp(n), supply(n);
  for (std::size_t j = 0; j < n; ++j) {
    gdp[j] = 3.0 * u();
    supply[j] = u() / static_cast<double>(n);
  }
  // Per lane: its own draw of every uncertain number.
  std::vector<Scalars> scalars(lanes);
  std::vector<PolicyDraw> draws(lanes);
  std::vector<std::vector<double>> stance(lanes, std::vector<double>(n)), cost(lanes, std::vector<double>(n)),
      damage(lanes, std::vector<double>(n));
  // Running totals over the episodes: the recorder's, and each lane's added one play at a time.
  LaneTotals totals{};
  struct Sums {
    double counts[kOutcomeCount] = {};
    double target = 0, coercer = 0, bloc = 0, loss = 0, triggers = 0, aids = 0;
  };
  std::vector<Sums> expected(lanes);
  for (int k = 0; k < episodes; ++k) {
    LaneScalars ls{};
    LanePolicyDraw ld{};
    LaneEpisode le{};
    le.target_position = k % 5 == 0 ? -1 : static_cast<int>(static_cast<std::size_t>(k) % n);
    le.in_scope = k % 7 != 0 && le.target_position >= 0;
    std::vector<double> lane_stance(n * lanes), lane_cost(n * lanes), lane_damage(n * lanes);
    std::vector<Episode> episode(lanes);
    std::vector<Perception> perception(lanes);
    for (std::size_t l = 0; l < lanes; ++l) {
      Scalars& s = scalars[l];
      s.resolve = 0.5 + u();
      s.duration = 1 + 3 * u();
      s.stance_value = 0.3 + u();
      s.sanction_loss = u();
      s.lag = 0.5 * u();
      s.coercion_cost = 0.3 * u();
      s.demonstration = 0.5 * u();
      s.face = 0.4 * u();
      s.concession_cost = 0.6 * u();
      s.premium = 0.2 * u();
      s.misperception = 1.2 * u();
      s.loss_misperception = k % 3 == 0 ? 0.0 : 0.8 * u();
      s.override_cost = k % 3 == 1 ? 0.0 : 0.7 * u();  // version 4
      draws[l] = {u(), u(), 0.6 * u(), 0.5 * u()};
      for (std::size_t j = 0; j < n; ++j) {
        // Some lanes share a member's numbers (ties between lanes), one in nine stances is zero.
        stance[l][j] = j % 9 == 4 ? 0.0 : 2.0 * u();
        cost[l][j] = 1.2 * u();
        damage[l][j] = u();
        lane_stance[j * lanes + l] = stance[l][j];
        lane_cost[j * lanes + l] = cost[l][j];
        lane_damage[j * lanes + l] = damage[l][j];
      }
      Episode& e = episode[l];
      e.issue_value = 4.0 * u();
      e.intensity = u();
      e.obfuscation = 0.5 * u();
      e.target_exports = 3.0 * u();  // each lane's own (version 4's selectivity varies by draw)
      e.target_position = le.target_position;
      e.target_stance = e.target_position >= 0 ? stance[l][static_cast<std::size_t>(e.target_position)] : 2.0 * u();
      e.in_scope = le.in_scope;
      for (double& z : e.z) z = 2.0 * (2.0 * u() - 1.0);
      e.z5 = 2.0 * u() - 1.0;
      e.done_deed = k % 4 == 0 ? 0.0 : 0.5 * u();
      e.forced = u() < 0.2;
      e.review = u() < 0.4;
      e.warned = u() < 0.3;
      perceive(e, s, perception[l]);
      ls.resolve[l] = s.resolve;
      ls.duration[l] = s.duration;
      ls.stance_value[l] = s.stance_value;
      ls.sanction_loss[l] = s.sanction_loss;
      ls.lag[l] = s.lag;
      ls.coercion_cost[l] = s.coercion_cost;
      ls.demonstration[l] = s.demonstration;
      ls.face[l] = s.face;
      ls.concession_cost[l] = s.concession_cost;
      ls.premium[l] = s.premium;
      ls.override_cost[l] = s.override_cost;
      ld.absorption[l] = draws[l].absorption;
      ld.derisking[l] = draws[l].derisking;
      ld.resilience[l] = draws[l].resilience;
      ld.treaty_penalty[l] = draws[l].treaty_penalty;
      le.issue_value[l] = e.issue_value;
      le.intensity[l] = e.intensity;
      le.obfuscation[l] = e.obfuscation;
      le.target_stance[l] = e.target_stance;
      le.done_deed[l] = e.done_deed;
      for (int f = 0; f < 4; ++f) le.factor[f][l] = perception[l].factor[f];
      le.loss_scale[l] = perception[l].loss_scale;
      le.forced[l] = e.forced;
      le.review[l] = e.review;
      le.warned[l] = e.warned;
      le.target_exports[l] = e.target_exports;
    }
    // Each lane's order for its own draw and episode (its obfuscation), when ordered.
    struct OrderArrays {
      std::vector<double> threshold, sorted_threshold, sorted_stance, damage_sums, cost_sums, supply_sums;
      std::vector<std::pair<double, std::uint32_t>> scratch;
      double up_to = -1.0;
      MemberOrderStorage storage() {
        return {threshold, sorted_threshold, sorted_stance, damage_sums, cost_sums, supply_sums, scratch};
      }
    };
    std::vector<OrderArrays> orders(lanes);
    LaneOrder lane_order{};
    if (ordered) {
      for (std::size_t l = 0; l < lanes; ++l) {
        OrderArrays& a = orders[l];
        for (auto* v : {&a.threshold, &a.sorted_threshold, &a.sorted_stance}) v->resize(n);
        for (auto* v : {&a.damage_sums, &a.cost_sums, &a.supply_sums}) v->resize(n + 1);
        a.scratch.resize(n);
        const MemberView view{stance[l], gdp, supply, cost[l], damage[l]};
        const auto up_to = order_members(view, scalars[l], design, draws[l], episode[l].obfuscation, a.storage());
        EXPECT_TRUE(up_to.has_value());
        a.up_to = up_to.value_or(-1.0);
        MemberView ordered_view = view;
        a.storage().show_in(ordered_view, a.up_to);
        lane_order.show_lane(l, ordered_view, a.up_to);
      }
      lane_order.set_joined_at_one(lanes, n);
      EXPECT_TRUE(ordered_in_every_lane(lanes, n, lane_order, le));
    }
    const LaneMembers members{n,          lane_stance.data(), lane_cost.data(), lane_damage.data(), gdp.data(),
                              supply.data(), ordered ? &lane_order : nullptr};
    // The recorder's runs, with a guard value past the lanes (it must not write there).
    std::vector<double> runs(7 * (kMaxLanes + 1), -7.0);
    std::vector<std::uint8_t> codes(kMaxLanes + 1, 99);
    const auto run = [&](int k) { return runs.data() + k * (kMaxLanes + 1); };
    play_and_record_lanes(lanes, le, ls, design, ld, members,
                          LaneRecord{run(0), run(1), run(2), run(3), run(4), run(5), codes.data(), run(6)}, totals);
    for (int r = 0; r < 7; ++r) EXPECT_EQ(run(r)[lanes], -7.0) << "run " << r << " written past its lanes";
    EXPECT_EQ(codes[lanes], 99) << "codes written past the lanes";
    for (std::size_t l = 0; l < lanes; ++l) {
      MemberView view{stance[l], gdp, supply, cost[l], damage[l]};
      if (ordered) orders[l].storage().show_in(view, orders[l].up_to);
      const EpisodeResult r = play_episode(episode[l], scalars[l], design, draws[l], view, perception[l]);
      const std::string where = std::to_string(lanes) + " lanes, seed " + std::to_string(seed) + " episode " + std::to_string(k) + " lane " +
                                std::to_string(l);
      // Recorded: play_episode's values, flags as 1 or 0, the outcome's code.
      EXPECT_EQ(codes[l], static_cast<std::uint8_t>(r.outcome)) << where;
      EXPECT_TRUE(same_bits(run(0)[l], r.target_payoff)) << where;
      EXPECT_TRUE(same_bits(run(1)[l], r.coercer_payoff)) << where;
      EXPECT_TRUE(same_bits(run(2)[l], r.bloc_cost)) << where;
      EXPECT_TRUE(same_bits(run(3)[l], r.sanction_loss)) << where;
      EXPECT_EQ(run(4)[l], r.triggered ? 1.0 : 0.0) << where;
      EXPECT_EQ(run(5)[l], r.aid_active ? 1.0 : 0.0) << where;
      EXPECT_EQ(run(6)[l], r.at_threat ? 1.0 : 0.0) << where;
      if (r.at_threat) {
        EXPECT_TRUE(episode[l].warned && r.outcome == Outcome::capitulation) << where;
        EXPECT_EQ(r.sanction_loss + r.bloc_cost, 0.0) << where;
        ++g_at_threat;
      }
      Sums& sums = expected[l];
      sums.counts[static_cast<std::size_t>(r.outcome)] += 1.0;
      sums.target += r.target_payoff;
      sums.coercer += r.coercer_payoff;
      sums.bloc += r.bloc_cost;
      sums.loss += r.sanction_loss;
      sums.triggers += r.triggered;
      sums.aids += r.aid_active;
      for (int o = 0; o < kOutcomeCount; ++o) EXPECT_EQ(totals.outcome_counts[o][l], sums.counts[o]) << where;
      EXPECT_TRUE(same_bits(totals.target[l], sums.target)) << where;
      EXPECT_TRUE(same_bits(totals.coercer[l], sums.coercer)) << where;
      EXPECT_TRUE(same_bits(totals.bloc[l], sums.bloc)) << where;
      EXPECT_TRUE(same_bits(totals.loss[l], sums.loss)) << where;
      EXPECT_EQ(totals.triggers[l], sums.triggers) << where;
      EXPECT_EQ(totals.aids[l], sums.aids) << where;
      ++reached[static_cast<std::size_t>(r.outcome)];
      if (episode[l].review) {
        Episode unreviewed = episode[l];
        unreviewed.review = false;
        if (play_episode(unreviewed, scalars[l], design, draws[l], view, perception[l]).outcome != r.outcome)
          ++g_withdrawn_by_review;
      }
      if (episode[l].warned) {
        Episode unwarned = episode[l];
        unwarned.warned = false;
        if (play_episode(unwarned, scalars[l], design, draws[l], view, perception[l]).outcome != r.outcome)
          ++g_changed_by_warning;
      }
    }
  }
  return reached;
}

TEST(EpisodeLanes, EveryLaneIsPlayEpisodeOnRandomPolicies) {
  g_withdrawn_by_review = g_at_threat = g_changed_by_warning = 0;
  ASSERT_GE(episode_lanes(), 2u);
  std::vector<int> reached(kOutcomeCount, 0);
  std::uint64_t seed = 1;
  for (std::size_t lanes = 2; lanes <= episode_lanes(); lanes *= 2)
  for (const bool sanctions : {true, false})
    for (const Trigger trigger : {Trigger::consensus, Trigger::majority, Trigger::weighted})
      for (const Commitment commitment : {Commitment::rules, Commitment::discretion})
        for (const int aid : {0, 1, 2}) {  // none, automatic, voted
          const PolicyDesign design = design_of(sanctions, trigger, commitment, aid);
          for (const std::size_t n : {1u, 5u, 21u}) {
            const auto counts = compare_on_random_policy(lanes, seed++, design, n, 60);
            for (int o = 0; o < kOutcomeCount; ++o) reached[static_cast<std::size_t>(o)] += counts[static_cast<std::size_t>(o)];
          }
        }
  for (int o = 0; o < kOutcomeCount; ++o) EXPECT_GT(reached[static_cast<std::size_t>(o)], 20) << kOutcomeNames[o];
  EXPECT_GT(g_withdrawn_by_review, 20) << "threats withdrawn on review";
  EXPECT_GT(g_at_threat, 20) << "concessions at a warned threat";
  EXPECT_GT(g_changed_by_warning, 20) << "outcomes a warning changed";
}

// Ordered members (many-member policies): every lane searches its own draw's order, and its
// result is play_episode's on a view with that order, bit for bit — every design, targets
// inside and outside, 1 to 300 members.
TEST(EpisodeLanes, OrderedLanesArePlayEpisodeWithItsOrder) {
  g_withdrawn_by_review = g_at_threat = g_changed_by_warning = 0;
  std::vector<int> reached(kOutcomeCount, 0);
  std::uint64_t seed = 100000;
  for (std::size_t lanes = 2; lanes <= episode_lanes(); lanes *= 2)
    for (const Trigger trigger : {Trigger::consensus, Trigger::majority, Trigger::weighted})
      for (const Commitment commitment : {Commitment::rules, Commitment::discretion})
        for (const int aid : {0, 2}) {  // none, voted
          const PolicyDesign design = design_of(true, trigger, commitment, aid);
          for (const std::size_t n : {1u, 2u, 3u, 7u, 64u, 300u}) {
            const auto counts = compare_on_random_policy(lanes, seed++, design, n, 40, true);
            for (int o = 0; o < kOutcomeCount; ++o) reached[static_cast<std::size_t>(o)] += counts[static_cast<std::size_t>(o)];
          }
        }
  for (int o = 0; o < kOutcomeCount; ++o) EXPECT_GT(reached[static_cast<std::size_t>(o)], 20) << kOutcomeNames[o];
}

}  // namespace
}  // namespace deterrence::coercion

namespace deterrence::coercion {
namespace {

// The model plays an ordered policy's episode on lanes only where every lane's order answers
// every view; otherwise draw by draw (the pass where a draw has no order).
TEST(EpisodeLanes, OrderedLanesOnlyWhereEveryOrderAnswersEveryView) {
  LaneOrder order{};
  LaneEpisode e{};
  for (std::size_t l = 0; l < kMaxLanes; ++l) {
    order.up_to[l] = 10.0;
    for (int k = 0; k < 4; ++k) e.factor[k][l] = 0.5 + 0.1 * static_cast<double>(l);
  }
  EXPECT_TRUE(ordered_in_every_lane(4, 100, order, e));
  EXPECT_FALSE(ordered_in_every_lane(4, 0, order, e)) << "no members";
  LaneOrder unordered = order;
  unordered.up_to[3] = -1.0;  // lane 3's draw has no order
  EXPECT_FALSE(ordered_in_every_lane(4, 100, unordered, e));
  EXPECT_TRUE(ordered_in_every_lane(3, 100, unordered, e)) << "lanes past the first three are not asked";
  LaneOrder small = order;
  small.up_to[1] = 0.5;  // answers k = 0.5 (lane 1's factors are 0.6) and not 1
  EXPECT_FALSE(ordered_in_every_lane(4, 100, small, e));
  for (const int k : {0, 3}) {  // the coercer's and the target's cohesion
    LaneEpisode wide = e;
    wide.factor[k][2] = 11.0;
    EXPECT_FALSE(ordered_in_every_lane(4, 100, order, wide)) << "factor " << k;
    wide.factor[k][2] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_FALSE(ordered_in_every_lane(4, 100, order, wide)) << "factor " << k;
  }
  LaneEpisode other = e;
  other.factor[1][2] = other.factor[2][2] = 1e300;  // not cohesions: the stance's and stakes' factors
  EXPECT_TRUE(ordered_in_every_lane(4, 100, order, other));
}

}  // namespace
}  // namespace deterrence::coercion
