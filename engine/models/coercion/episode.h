#pragma once
// One episode of the coercion game (docs/model.md §4–5, with version 2's forced stances and
// version 3's loss surprise and done deeds): target t provokes or not on issue i, under one
// policy, in one draw. Pure arithmetic on numbers prepared by the caller; no
// allocation, so it runs in the hot path. The golden tests call play_episode directly.
#include <cstdint>
#include <optional>
#include <span>

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
  // threshold in the cohesion k of a view — it joins iff k ≥ κ_c — and the thresholds and the
  // stances sorted ascending. With them a view counts its joiners and its aid votes by binary
  // search instead of a pass over the members: the same counts, so the same results.
  std::span<const double> join_threshold = {}, sorted_join_threshold = {}, sorted_stance = {};
  double ordered_up_to = 0;  // the largest k the order answers for (k·v stays finite below it)
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
};

struct EpisodeResult {
  Outcome outcome = Outcome::self_censorship;
  double target_payoff = 0, coercer_payoff = 0, bloc_cost = 0, sanction_loss = 0;
  bool triggered = false;   // joint sanctions triggered in play
  bool aid_active = false;  // aid active in play
};

// The perception factors of an episode: e^{σ z_k} for the four perception errors, and the
// target's loss scale e^{σ_L z5} (1 without loss surprise). They depend on the draw and the
// episode only, so a draw computes them once and every policy's play shares them.
struct Perception {
  double factor[4] = {1, 1, 1, 1};
  double loss_scale = 1;
};
Perception perceive(const Episode& episode, const Scalars& s);

// Fills the three optional arrays of `members` (each members.stance.size() long) for one policy
// and issue in one draw: κ_c is the least k ≥ 0 at which member c, not the target, joins (+∞
// if none up to the limit returned, which goes to `ordered_up_to`). Returns nothing where a
// join need not grow with k (a negative or non-finite stance or obfuscation, an obfuscation
// above 1): the caller then leaves the arrays empty.
std::optional<double> order_members(const MemberView& members, const Scalars& s, const PolicyDesign& policy,
                   const PolicyDraw& draw, double obfuscation, std::span<double> join_threshold,
                   std::span<double> sorted_join_threshold, std::span<double> sorted_stance);

EpisodeResult play_episode(const Episode& episode, const Scalars& s, const PolicyDesign& policy,
                           const PolicyDraw& draw, const MemberView& members);
// The same play with the episode's perception factors given (the same bits as computing them).
EpisodeResult play_episode(const Episode& episode, const Scalars& s, const PolicyDesign& policy,
                           const PolicyDraw& draw, const MemberView& members, const Perception& perception);

}  // namespace deterrence::coercion
