#pragma once
// One episode under one policy played for several draws at once (lanes): the same game as
// play_episode (episode.h), with every branch that can differ between draws evaluated for all
// of them and chosen by masks, in SIMD registers as wide as the machine runs (SSE2: 2 lanes,
// AVX2: 4, AVX-512: 8). Each lane does the arithmetic of play_episode in the same order, never
// fused, so a lane's result is play_episode's, bit for bit (tests/unit/episode_lanes_test.cpp on
// random episodes of every design, batched_model_test.cpp on every episode of the baseline). For
// policies counted by passes over their members; the model keeps play_episode for ordered ones
// (many members).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "models/coercion/episode.h"

namespace deterrence::coercion {

inline constexpr std::size_t kMaxLanes = 8;

// How many lanes this machine plays at once (chosen once, at run time).
std::size_t episode_lanes();

// Per-lane values: element l belongs to lane l (the first episode_lanes() are read).
using Lanes = double[kMaxLanes];

struct LaneScalars {
  Lanes resolve, duration, stance_value, sanction_loss, lag, coercion_cost, demonstration, face, concession_cost,
      premium, override_cost;
};

struct LanePolicyDraw {
  Lanes absorption, derisking, resilience, treaty_penalty;
};

struct LaneEpisode {
  Lanes issue_value, intensity, obfuscation, target_stance, done_deed;
  Lanes factor[4];   // the perception factors e^{σ z_k} (Perception)
  Lanes loss_scale;  // e^{σ_L z5}, or 1
  Lanes target_exports;  // the exports the measures reach (covered_exports: the draw's γ)
  bool forced[kMaxLanes];
  bool review[kMaxLanes] = {};  // version 4: the coercer reviews its threat
  bool warned[kMaxLanes] = {};  // version 4: the coercer threatens before any measure
  // The same in every lane: the target and whether the policy covers it on this issue.
  int target_position = -1;
  bool in_scope = false;
};

// Each lane's order of a policy's members on one issue (order_members, MemberView): where its
// draw keeps the join thresholds, the thresholds and stances sorted, and the running sums in
// threshold order, and up to which cohesion that order answers.
struct LaneOrder {
  const double* join_threshold[kMaxLanes];
  const double* sorted_join_threshold[kMaxLanes];
  const double* sorted_stance[kMaxLanes];
  const double* damage_by_threshold[kMaxLanes];
  const double* cost_by_threshold[kMaxLanes];
  const double* supply_by_threshold[kMaxLanes];
  double up_to[kMaxLanes];  // < 0: that lane's draw has no order
  // How many thresholds are ≤ 1 (the count of the play itself, whose cohesion is 1; the same for
  // every target of the issue): set_joined_at_one.
  long long joined_at_one[kMaxLanes];
  // Lane l's arrays from a view that has its order (MemberOrderStorage::show_in), or none (up_to < 0).
  void show_lane(std::size_t l, const MemberView& view, double lane_up_to) {
    up_to[l] = lane_up_to;
    join_threshold[l] = view.join_threshold.data();
    sorted_join_threshold[l] = view.sorted_join_threshold.data();
    sorted_stance[l] = view.sorted_stance.data();
    damage_by_threshold[l] = view.damage_by_threshold.data();
    cost_by_threshold[l] = view.cost_by_threshold.data();
    supply_by_threshold[l] = view.supply_by_threshold.data();
  }
  void set_joined_at_one(std::size_t lanes, std::size_t members) {
    for (std::size_t l = 0; l < lanes; ++l)
      joined_at_one[l] = up_to[l] < 0.0 ? 0
                                        : std::upper_bound(sorted_join_threshold[l], sorted_join_threshold[l] + members, 1.0) -
                                              sorted_join_threshold[l];
    for (std::size_t l = lanes; l < kMaxLanes; ++l) joined_at_one[l] = 0;
  }
};

// A policy's members on the episode's issue: stance, cost and damage per member and lane at
// [member · lanes + lane]; GDP and supply per member (the same in every draw). With `order`
// (policies of many members), joins and aid votes are counted by binary search in every lane,
// as play_episode does with a MemberView that has its order: only where ordered_in_every_lane.
struct LaneMembers {
  std::size_t count = 0;
  const double* stance = nullptr;
  const double* cost = nullptr;
  const double* damage = nullptr;
  const double* gdp = nullptr;
  const double* supply = nullptr;
  const LaneOrder* order = nullptr;
};

// Whether the first `lanes` lanes may play with `order`: each has one, and every cohesion a
// play's views use (1, and the perception factors e^{σ z1}, e^{σ z4}) lies in [0, up_to], where
// play_episode takes the ordered path in every view. Otherwise the caller plays those draws one
// at a time.
inline bool ordered_in_every_lane(std::size_t lanes, std::size_t members, const LaneOrder& order,
                                  const LaneEpisode& episode) {
  if (members == 0) return false;
  for (std::size_t l = 0; l < lanes; ++l) {
    const double up_to = order.up_to[l];
    for (const double k : {1.0, episode.factor[0][l], episode.factor[3][l]})
      if (!(up_to >= 0.0 && k >= 0.0 && k <= up_to)) return false;
  }
  return true;
}

// Where a play's results go (play_and_record_lanes): each output's run of one value per lane.
struct LaneRecord {
  double *target_payoff, *coercer_payoff, *bloc_cost, *sanction_loss, *triggered, *aid_active;
  std::uint8_t* outcome;
  double* at_threat = nullptr;  // 1 where conceded at the threat; null when warnings are not modelled
};

// A policy's running totals over its episodes, lane by lane: how many plays ended in each
// outcome, and the sums of the payoffs, costs, losses, triggers (1 or 0) and aid (1 or 0).
struct LaneTotals {
  Lanes outcome_counts[kOutcomeCount] = {};
  Lanes target = {}, coercer = {}, bloc = {}, loss = {}, triggers = {}, aids = {};
};

// The play on every lane, its results stored into `to` (triggered and aid_active as 1 or 0, the
// outcome as its code) and added to `totals`: each lane's values those of play_episode, and its
// totals its running sums plus this play, bit for bit.
void play_and_record_lanes(const LaneEpisode& episode, const LaneScalars& s, const PolicyDesign& policy,
                           const LanePolicyDraw& draw, const LaneMembers& members, const LaneRecord& to,
                           LaneTotals& totals);
// The same on `lanes` lanes (2, 4 or 8, at most episode_lanes()): for tests of every width.
void play_and_record_lanes(std::size_t lanes, const LaneEpisode& episode, const LaneScalars& s,
                           const PolicyDesign& policy, const LanePolicyDraw& draw, const LaneMembers& members,
                           const LaneRecord& to, LaneTotals& totals);

}  // namespace deterrence::coercion
