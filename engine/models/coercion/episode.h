#pragma once
// One episode of the coercion game (docs/model.md §4–5, with version 2's forced stances and
// version 3's loss surprise and done deeds): target t provokes or not on issue i, under one
// policy, in one draw. Pure arithmetic on numbers prepared by the caller; no
// allocation, so it runs in the hot path. The golden tests call play_episode directly.
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "simd/vector_math.h"

namespace deterrence::coercion {

enum class Outcome : std::uint8_t {
  self_censorship, not_contested, deterred, capitulation, resisted, compelled, escalation
};
inline constexpr int kOutcomeCount = 7;
inline constexpr const char* kOutcomeNames[kOutcomeCount] = {
    "SELF_CENSORSHIP", "NOT_CONTESTED", "DETERRED", "CAPITULATION", "RESISTED", "COMPELLED", "ESCALATION"};

enum class Trigger : std::uint8_t { consensus, majority, weighted };
enum class Activation : std::uint8_t { automatic, majority };
enum class Commitment : std::uint8_t { rules, discretion };

// The policy's fixed design (from config).
struct PolicyDesign {
  bool sanctions = false;
  Trigger trigger = Trigger::consensus;
  double threshold = 0.0;  // q, weighted trigger only
  bool aid = false;
  Activation activation = Activation::automatic;
  double compensated_share = 0.0;  // ψ
  double fund_cap = 0.0;           // F, per year
  Commitment commitment = Commitment::discretion;
};

// The draw's shared scalars (docs/model.md §3).
struct Scalars {
  double resolve = 1, duration = 1, stance_value = 0, sanction_loss = 0, lag = 0, coercion_cost = 0,
         demonstration = 0, face = 0, concession_cost = 0, premium = 0, misperception = 0;
  double loss_misperception = 0;  // σ_L (version 3): scale of the target's error about its own loss
  double override_cost = 0;       // ω_F (version 4): share of a forced stance a concession costs besides ζ
};

// The policy's own uncertain parameters in this draw.
struct PolicyDraw {
  double absorption = 0, derisking = 0, resilience = 0, treaty_penalty = 0;
};

// Per-member numbers, indexed by position in the policy's member list. Supply, cost and
// damage depend on the draw and policy only, so the caller computes them once per draw.
struct MemberView {
  std::span<const double> stance;  // v_c = s_{c,i} λ Y_c for this issue
  std::span<const double> gdp;     // Y_c
  std::span<const double> supply;  // w_c
  std::span<const double> cost;    // C_c = ℓ w_c T
  std::span<const double> damage;  // d_c
  // Optional (order_members fills them, for policies of many members): each member's join
  // threshold in the cohesion k of a view — it joins iff k ≥ κ_c — the thresholds and the
  // stances sorted ascending, and damage, cost and supply summed in threshold order (element m:
  // the first m members in that order). With them a view counts its joiners and its aid votes
  // by binary search — the same counts as a pass — and takes a triggered response's sums from
  // the running sums, so a play's cost does not grow with the members. Those sums are added in
  // threshold order, not member order: the same numbers up to rounding (docs/model.md §11).
  std::span<const double> join_threshold = {}, sorted_join_threshold = {}, sorted_stance = {};
  std::span<const double> damage_by_threshold = {}, cost_by_threshold = {}, supply_by_threshold = {};
  double ordered_up_to = 0;  // the largest k the order answers for (k·v stays finite below it)
};

// Where order_members writes one policy's order on one issue in one draw (n members): three
// arrays of n, three running sums of n + 1, and n (threshold, member) pairs of scratch.
struct MemberOrderStorage {
  std::span<double> join_threshold, sorted_join_threshold, sorted_stance;
  std::span<double> damage_by_threshold, cost_by_threshold, supply_by_threshold;
  std::span<std::pair<double, std::uint32_t>> scratch;
  // Gives a view this order, answering up to the limit order_members returned.
  void show_in(MemberView& members, double up_to) const;
};

// From how many members the model orders them (below, a pass over members is cheaper than the
// ordering; BM_EpisodePlay measures both).
inline constexpr std::size_t kOrderMembersFrom = 64;

struct Episode {
  double issue_value = 0;  // V_i
  double intensity = 0;    // κ_i
  double obfuscation = 0;  // o_i
  double target_exports = 0;
  double target_stance = 0;  // v_t
  int target_position = -1;  // the target's position among members, or -1
  bool in_scope = false;
  double z[4] = {0, 0, 0, 0};  // perception errors z1..z4
  double z5 = 0;               // the target's error about its own loss (version 3)
  double done_deed = 0;        // β_i: share of the stance a concession does not undo (version 3)
  bool forced = false;         // the stance was taken by an actor the government does not control
  bool review = false;         // version 4: the coercer reviews its threat once the answers are known
  bool warned = false;         // version 4: the coercer threatens before it imposes any measure
};

struct EpisodeResult {
  Outcome outcome = Outcome::self_censorship;
  double target_payoff = 0, coercer_payoff = 0, bloc_cost = 0, sanction_loss = 0;
  bool triggered = false;   // joint sanctions triggered in play
  bool aid_active = false;  // aid active in play
  bool at_threat = false;   // version 4: conceded at the threat, before any measure
};

// The perception factors of an episode: e^{σ z_k} for the four perception errors, and the
// target's loss scale e^{σ_L z5} (1 without loss surprise). They depend on the draw and the
// episode only, so a draw computes them once and every policy's play shares them.
struct Perception {
  double factor[4] = {1, 1, 1, 1};
  double loss_scale = 1;
};
// Written where it is kept (inline). The exponential is SLEEF's deterministic one (engine 0.5.0),
// so a draw may compute every episode's factors many at a time (simd::exponentials) and get these
// bits: `perception_arguments` and `perceived` below are that split.
inline void perceive(const Episode& e, const Scalars& s, Perception& out) {
  for (int k = 0; k < 4; ++k) out.factor[k] = simd::exponential(s.misperception * e.z[k]);
  out.loss_scale = s.loss_misperception != 0.0 ? simd::exponential(s.loss_misperception * e.z5) : 1.0;
}
// The five exponents perceive takes e^ of (the fifth 0 without loss surprise), into `to`.
inline void perception_arguments(const Episode& e, const Scalars& s, double* to) {
  for (int k = 0; k < 4; ++k) to[k] = s.misperception * e.z[k];
  to[4] = s.loss_misperception * e.z5;
}
// The factors from the five exponentials of perception_arguments: perceive's bits.
inline void perceived(const double* exponentials, const Scalars& s, Perception& out) {
  for (int k = 0; k < 4; ++k) out.factor[k] = exponentials[k];
  out.loss_scale = s.loss_misperception != 0.0 ? exponentials[4] : 1.0;
}

// Version 4's selective measures: the exports a coercer's measures reach, X·min(1, X^−γ) for X
// in USD bn (X^(1−γ) above 1 bn, X below), so a large exporter loses a smaller share. γ = 0 gives
// X itself, bit for bit, without calling pow.
inline double covered_exports(double exports, double selectivity) {
  if (selectivity == 0.0 || !(exports > 1.0)) return exports;
  return exports * std::pow(exports, -selectivity);
}

// Fills `order` for one policy and issue in one draw: κ_c is the least k ≥ 0 at which member c,
// not the target, joins (+∞ if none up to the limit returned, which goes to `ordered_up_to`);
// members of equal κ are taken in member order. Returns nothing where a join need not grow
// with k (a negative or non-finite stance or obfuscation, an obfuscation above 1) or a running
// sum could meet a non-finite term: the caller then leaves the view's arrays empty.
std::optional<double> order_members(const MemberView& members, const Scalars& s, const PolicyDesign& policy,
                                    const PolicyDraw& draw, double obfuscation, const MemberOrderStorage& order);

EpisodeResult play_episode(const Episode& episode, const Scalars& s, const PolicyDesign& policy,
                           const PolicyDraw& draw, const MemberView& members);
// The same play with the episode's perception factors given (the same bits as computing them).
EpisodeResult play_episode(const Episode& episode, const Scalars& s, const PolicyDesign& policy,
                           const PolicyDraw& draw, const MemberView& members, const Perception& perception);

}  // namespace deterrence::coercion
