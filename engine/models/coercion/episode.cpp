#include "models/coercion/episode.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace deterrence::coercion {

namespace {

// How an actor sees the game (docs/model.md §5, "Views").
struct View {
  double stakes;          // W'
  double target_stance;   // v'
  double cohesion;        // k: multiplies every non-target member's stance
};

// The episode with the policy's measures on or off (off: no sanctions, no aid, ε = 0).
struct Setting {
  bool sanctions, aid;
  double loss, coercion_cost;  // L, c0
};

// Node 3: who joins, whether sanctions trigger, and the aid vote.
struct Response {
  bool triggered = false, aid_active = false;
  double damage = 0;        // D
  double target_cost = 0;   // C_t if the target joined a triggered response
  double helpers_cost = 0;  // Σ C_c over joined members other than the target
  double net_loss = 0;      // L_net
  double aid_cost = 0;      // G when aid is active
};

struct Context {
  const Episode& e;
  const Scalars& s;
  const PolicyDesign& p;
  const PolicyDraw& d;
  const MemberView& m;
};

// Whether a member other than the target joins at stance u (node 3): under rules the treaty's
// penalty π·λ·Y_c counts against leaving; under discretion the obfuscated share of u counts.
struct JoinTest {
  bool rules;
  double penalty, open;  // π·λ; 1 − o_i
  const double* gdp;
  const double* cost;
  JoinTest(const Scalars& s, const PolicyDesign& p, const PolicyDraw& d, double obfuscation, const MemberView& m)
      : rules(p.commitment == Commitment::rules),
        penalty(d.treaty_penalty * s.stance_value),
        open(1.0 - obfuscation),
        gdp(m.gdp.data()),
        cost(m.cost.data()) {}
  bool operator()(double u, std::size_t j) const { return rules ? u + penalty * gdp[j] >= cost[j] : u * open >= cost[j]; }
};

// The least k in [0, limit] with joins(stance·k) (+∞ if none), for a test monotone in k there: a
// guess from the algebra, checked with its neighbours, else bisection on the bit patterns
// (ordered like the values for non-negative doubles).
template <class Joins>
double least_cohesion(double stance, double guess, double limit, const Joins& joins) {
  const auto at = [&](std::uint64_t bits) { return joins(stance * std::bit_cast<double>(bits)); };
  std::uint64_t low = 0, high = std::bit_cast<std::uint64_t>(limit);
  if (at(low)) return 0.0;
  if (!at(high)) return std::numeric_limits<double>::infinity();
  if (guess > 0.0 && guess < limit) {
    const auto g = std::bit_cast<std::uint64_t>(guess);
    if (at(g)) {
      high = g;
      if (!at(g - 1)) return guess;
    } else {
      low = g;
      if (at(g + 1)) return std::bit_cast<double>(g + 1);
    }
  }
  while (high - low > 1) {  // joins at high, not at low
    const std::uint64_t middle = low + (high - low) / 2;
    (at(middle) ? high : low) = middle;
  }
  return std::bit_cast<double>(high);
}

Response respond(const Context& c, const Setting& setting, const View& view) {
  Response r;
  const std::size_t n = c.m.stance.size();
  const std::size_t target = c.e.target_position >= 0 ? static_cast<std::size_t>(c.e.target_position) : n;
  const double* stance = c.m.stance.data();
  // Which members join decides the trigger; their damage and costs matter only once it has
  // triggered. So the join test runs first (consensus stops at the first refusal) and the sums
  // run only for a triggered response, in member order. With the members ordered (many
  // members), counts come from a binary search and sums from the running sums in threshold
  // order; the ordering holds for finite k only.
  const bool ordered =
      !c.m.sorted_join_threshold.empty() && view.cohesion >= 0.0 && view.cohesion <= c.m.ordered_up_to;
  if (setting.sanctions) {
    const double* supply = c.m.supply.data();
    const double* cost = c.m.cost.data();
    const double* member_damage = c.m.damage.data();
    const JoinTest test(c.s, c.p, c.d, c.e.obfuscation, c.m);
    const auto joins = [&](std::size_t j) {
      return test(j == target ? view.target_stance : stance[j] * view.cohesion, j);
    };
    if (ordered) {
      // The first `first` members in threshold order are those with κ ≤ k: every joiner other
      // than the target, and the target if its own κ is passed (its join is judged on its stance).
      const auto& sorted = c.m.sorted_join_threshold;
      const auto first =
          static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), view.cohesion) - sorted.begin());
      const bool target_counted = target < n && c.m.join_threshold[target] <= view.cohesion;
      const bool target_joins = target < n && joins(target);
      // Σ over the first `first`, with the target taken out or put in as its own test says
      // (nothing added or taken where the two agree).
      const auto joined_sum = [&](std::span<const double> by_threshold, const double* value, bool with_target) {
        double sum = by_threshold[first];
        if (target_counted && !(target_joins && with_target)) sum -= value[target];
        else if (!target_counted && target_joins && with_target) sum += value[target];
        return sum;
      };
      const std::size_t joined = first - (target_counted ? 1 : 0) + (target_joins ? 1 : 0);
      switch (c.p.trigger) {
        case Trigger::consensus: r.triggered = joined == n; break;
        case Trigger::majority: r.triggered = 2 * joined > n; break;
        case Trigger::weighted: {
          const double all_supply = c.m.supply_by_threshold[n];
          r.triggered = all_supply > 0 && joined_sum(c.m.supply_by_threshold, supply, true) >= c.p.threshold * all_supply;
          break;
        }
      }
      if (r.triggered) {
        r.damage = joined_sum(c.m.damage_by_threshold, member_damage, true);
        r.helpers_cost = joined_sum(c.m.cost_by_threshold, cost, false);
        if (target_joins) r.target_cost = cost[target];
      }
    } else {
      switch (c.p.trigger) {
        case Trigger::consensus: {
          std::size_t j = 0;
          while (j < n && joins(j)) ++j;
          r.triggered = j == n;
          break;
        }
        case Trigger::majority: {
          // Counted to the end: stopping once no majority is possible was measured slower.
          std::size_t joined = 0;
          for (std::size_t j = 0; j < n; ++j) joined += joins(j) ? 1 : 0;
          r.triggered = 2 * joined > n;
          break;
        }
        case Trigger::weighted: {
          double joined_supply = 0, all_supply = 0;
          for (std::size_t j = 0; j < n; ++j) {
            all_supply += supply[j];
            if (joins(j)) joined_supply += supply[j];
          }
          r.triggered = all_supply > 0 && joined_supply >= c.p.threshold * all_supply;
          break;
        }
      }
      if (r.triggered) {
        for (std::size_t j = 0; j < n; ++j) {
          if (!joins(j)) continue;
          r.damage += member_damage[j];
          if (j == target) r.target_cost = cost[j];
          else r.helpers_cost += cost[j];
        }
      }
    }
  }
  r.net_loss = setting.loss;
  if (setting.aid) {
    const double absorbed = c.d.absorption * setting.loss;
    const double compensated =
        std::min(c.p.compensated_share * (setting.loss - absorbed), c.p.fund_cap * c.s.duration);
    const double cost = c.s.premium * absorbed + compensated;
    if (c.p.activation == Activation::automatic) {
      r.aid_active = true;
    } else {
      const std::size_t helpers = target < n ? n - 1 : n;
      const double share = cost / static_cast<double>(helpers);  // each helper's share of G
      const auto votes = [&](double member_stance) { return member_stance * view.cohesion >= share; };
      std::size_t yes = 0;
      if (ordered) {
        // Votes are monotone in the stance (k ≥ 0): those above the first "yes" in order.
        const auto& sorted = c.m.sorted_stance;
        yes = static_cast<std::size_t>(sorted.end() - std::partition_point(sorted.begin(), sorted.end(),
                                                                            [&](double v) { return !votes(v); }));
        if (target < n && votes(stance[target])) --yes;
      } else {
        for (std::size_t j = 0; j < n; ++j) yes += j != target && votes(stance[j]) ? 1 : 0;
      }
      r.aid_active = helpers > 0 && 2 * yes > helpers;
    }
    if (r.aid_active) {
      r.net_loss = setting.loss - absorbed - compensated;
      r.aid_cost = cost;
    }
  }
  return r;
}

// Node 5: the coercer backs down under joint sanctions (strict inequality).
bool backs_down(const Context& c, const Setting& setting, const Response& r, double stakes) {
  const double h = c.s.lag, delta = c.d.derisking;
  return (1.0 - h - delta) * r.damage + (1.0 - h) * setting.coercion_cost >
         (c.s.demonstration + c.s.face) * stakes;
}

struct Continuation {
  Outcome outcome;
  double target_payoff, coercer_payoff;
};

double target_payoff(const Context& c, Outcome o, double stance, const Response& r) {
  switch (o) {
    // Version 3: a done deed keeps β·v of the stance even after conceding (β = 0: version 1).
    // Version 4: conceding a forced stance also costs ω_F·v (overruling whoever took it); −0 is
    // exact, so ω_F = 0 is version 3 bit for bit.
    case Outcome::capitulation: {
      const double overruled = c.e.forced ? c.s.override_cost : 0.0;
      return (c.e.done_deed - c.s.concession_cost - overruled) * stance - c.s.lag * r.net_loss;
    }
    case Outcome::resisted: return stance - r.net_loss;
    case Outcome::compelled: return stance - c.s.lag * (r.net_loss + r.target_cost);
    case Outcome::escalation: return stance - r.net_loss - r.target_cost;
    case Outcome::self_censorship: return 0.0;
    default: return stance;
  }
}

double coercer_payoff(const Context& c, Outcome o, double stakes, const Setting& setting, const Response& r) {
  const double h = c.s.lag, c0 = setting.coercion_cost;
  switch (o) {
    case Outcome::capitulation: return stakes - h * c0;
    case Outcome::resisted: return c.s.demonstration * stakes - c0;
    case Outcome::compelled: return -h * c0 - (h + c.d.derisking) * r.damage - c.s.face * stakes;
    case Outcome::escalation: return c.s.demonstration * stakes - c0 - r.damage;
    case Outcome::self_censorship: return stakes;
    default: return 0.0;
  }
}

// Node 4 (target) and node 5 (coercer) after coercion, given node 3's response. The target
// judges node 5 with `target_sees_stakes`; node 5 is played with `coercer_stakes`.
Outcome after_coercion(const Context& c, const Setting& setting, const Response& r, double stance,
                       double target_sees_stakes, double coercer_stakes) {
  const double concede = target_payoff(c, Outcome::capitulation, stance, r);
  Outcome resist_path = Outcome::resisted;
  if (r.triggered) resist_path = backs_down(c, setting, r, target_sees_stakes) ? Outcome::compelled : Outcome::escalation;
  if (target_payoff(c, resist_path, stance, r) < concede) return Outcome::capitulation;
  if (!r.triggered) return Outcome::resisted;
  return backs_down(c, setting, r, coercer_stakes) ? Outcome::compelled : Outcome::escalation;
}

// Nodes 3–5 predicted entirely within one view.
Continuation predict(const Context& c, const Setting& setting, const View& view) {
  const Response r = respond(c, setting, view);
  const Outcome o = after_coercion(c, setting, r, view.target_stance, view.stakes, view.stakes);
  return {o, target_payoff(c, o, view.target_stance, r), coercer_payoff(c, o, view.stakes, setting, r)};
}

// Node 2 as judged in a view: coerce when the predicted coercer payoff is positive.
bool coerces(const Context& c, const Setting& setting, const View& view) {
  return predict(c, setting, view).coercer_payoff > 0.0;
}

// `loss_scale` is 1 except in the target's node-1 view under loss surprise (version 3), where
// every quantity built from the gross loss uses L' = L·e^{σ_L z5}.
Setting make_setting(const Context& c, bool measures_on, double loss_scale = 1.0) {
  const bool apply = measures_on && c.e.in_scope;
  const double exposure = c.e.target_exports * (1.0 - (apply ? c.d.resilience : 0.0));
  const double loss = c.e.intensity * exposure * c.s.duration * loss_scale;
  return {apply && c.p.sanctions, apply && c.p.aid, loss, c.s.coercion_cost * loss};
}

}  // namespace

void MemberOrderStorage::show_in(MemberView& m, double up_to) const {
  m.join_threshold = join_threshold;
  m.sorted_join_threshold = sorted_join_threshold;
  m.sorted_stance = sorted_stance;
  m.damage_by_threshold = damage_by_threshold;
  m.cost_by_threshold = cost_by_threshold;
  m.supply_by_threshold = supply_by_threshold;
  m.ordered_up_to = up_to;
}

std::optional<double> order_members(const MemberView& m, const Scalars& s, const PolicyDesign& p,
                                    const PolicyDraw& d, double obfuscation, const MemberOrderStorage& order) {
  constexpr double kLargest = std::numeric_limits<double>::max();
  const std::size_t n = m.stance.size();
  // Joins grow with k only for finite stances ≥ 0 and a finite 1 − o ≥ 0, and while k·v stays
  // finite (below `limit`); running sums need finite terms. Anything else keeps the passes.
  if (!(obfuscation <= 1.0 && obfuscation >= -kLargest)) return std::nullopt;
  double largest_stance = 1.0;
  for (const double v : m.stance) {
    if (!(v >= 0.0 && v <= kLargest)) return std::nullopt;
    largest_stance = std::max(largest_stance, v);
  }
  for (const auto& values : {m.damage, m.cost, m.supply})
    for (const double x : values)
      if (!std::isfinite(x)) return std::nullopt;
  const double limit = kLargest / (2.0 * largest_stance);
  const JoinTest test(s, p, d, obfuscation, m);
  for (std::size_t j = 0; j < n; ++j) {
    const double v = m.stance[j];
    const double guess = test.rules ? (m.cost[j] - test.penalty * m.gdp[j]) / v : m.cost[j] / (test.open * v);
    order.join_threshold[j] = least_cohesion(v, guess, limit, [&](double u) { return test(u, j); });
    order.scratch[j] = {order.join_threshold[j], static_cast<std::uint32_t>(j)};
  }
  // (κ, member) pairs are distinct, so the order — and the rounding of the running sums — does
  // not depend on the sorting algorithm.
  std::sort(order.scratch.begin(), order.scratch.end());
  order.damage_by_threshold[0] = order.cost_by_threshold[0] = order.supply_by_threshold[0] = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const auto [threshold, j] = order.scratch[r];
    order.sorted_join_threshold[r] = threshold;
    order.damage_by_threshold[r + 1] = order.damage_by_threshold[r] + m.damage[j];
    order.cost_by_threshold[r + 1] = order.cost_by_threshold[r] + m.cost[j];
    order.supply_by_threshold[r + 1] = order.supply_by_threshold[r] + m.supply[j];
  }
  std::copy(m.stance.begin(), m.stance.end(), order.sorted_stance.begin());
  std::sort(order.sorted_stance.begin(), order.sorted_stance.end());
  return limit;
}

EpisodeResult play_episode(const Episode& e, const Scalars& s, const PolicyDesign& p, const PolicyDraw& d,
                           const MemberView& m) {
  Perception perception;
  perceive(e, s, perception);
  return play_episode(e, s, p, d, m, perception);
}

EpisodeResult play_episode(const Episode& e, const Scalars& s, const PolicyDesign& p, const PolicyDraw& d,
                           const MemberView& m, const Perception& perception) {
  const Context c{e, s, p, d, m};
  const double stakes = s.resolve * e.issue_value;
  const double* f = perception.factor;
  const View target_view{stakes * f[2], e.target_stance, f[3]};
  const View coercer_view{stakes, e.target_stance * f[1], f[0]};
  const Setting on = make_setting(c, true);

  EpisodeResult result;
  // The target's view of nodes 3–5 once coerced: at node 1, and at a warned threat (version 4).
  Continuation foreseen_play{};
  if (!e.forced || e.warned) {
    const double loss_scale = perception.loss_scale;
    const Setting foreseen_setting = loss_scale != 1.0 ? make_setting(c, true, loss_scale) : on;
    foreseen_play = predict(c, foreseen_setting, target_view);
  }
  // Node 1: the target provokes if, in its view, provoking pays. A forced stance (version 2)
  // has been taken whatever the government foresees.
  if (!e.forced) {
    const double foreseen = foreseen_play.coercer_payoff > 0.0 ? foreseen_play.target_payoff : e.target_stance;
    if (!(foreseen > 0.0)) {
      result.outcome = Outcome::self_censorship;
      result.coercer_payoff = stakes;
      return result;
    }
  }
  // Node 2: the coercer decides in its own view; if it tolerates, would it have coerced
  // without the policy's collective measures?
  if (!coerces(c, on, coercer_view)) {
    const Setting off = make_setting(c, false);
    result.outcome = coerces(c, off, coercer_view) ? Outcome::deterred : Outcome::not_contested;
    result.target_payoff = e.target_stance;
    return result;
  }
  // Version 4: warned of the threat before any measure, the target concedes at once when that
  // pays at least what it foresees from resisting (the capitulation payoff with no loss yet).
  if (e.warned) {
    const double now = target_payoff(c, Outcome::capitulation, e.target_stance, Response{});
    if (now >= foreseen_play.target_payoff) {
      result.outcome = Outcome::capitulation;
      result.target_payoff = now;
      result.coercer_payoff = stakes;
      result.at_threat = true;
      return result;
    }
  }
  // Nodes 3–5 in play: true stances, the target judging node 5 by the stakes it perceives.
  const Response r = respond(c, on, View{stakes, e.target_stance, 1.0});
  result.outcome = after_coercion(c, on, r, e.target_stance, target_view.stakes, stakes);
  result.coercer_payoff = coercer_payoff(c, result.outcome, stakes, on, r);
  // Version 4: a coercer that reviews its threat once the target's and the bloc's answers are
  // known carries it out only if that pays; else the threat is withdrawn, deterred if the same
  // play without the policy's measures would have paid it.
  if (e.review && !(result.coercer_payoff > 0.0)) {
    const Setting off = make_setting(c, false);
    const Response r_off = respond(c, off, View{stakes, e.target_stance, 1.0});
    const Outcome o_off = after_coercion(c, off, r_off, e.target_stance, target_view.stakes, stakes);
    result = EpisodeResult{};
    result.outcome = coercer_payoff(c, o_off, stakes, off, r_off) > 0.0 ? Outcome::deterred : Outcome::not_contested;
    result.target_payoff = e.target_stance;
    return result;
  }
  result.target_payoff = target_payoff(c, result.outcome, e.target_stance, r);
  result.triggered = r.triggered;
  result.aid_active = r.aid_active;
  const double h = s.lag;
  switch (result.outcome) {
    case Outcome::resisted: result.bloc_cost = r.aid_cost; break;
    case Outcome::capitulation: result.bloc_cost = h * r.aid_cost; break;
    case Outcome::compelled:
      result.bloc_cost = h * (r.helpers_cost + r.aid_cost);
      result.sanction_loss = (h + d.derisking) * r.damage;
      break;
    case Outcome::escalation:
      result.bloc_cost = r.helpers_cost + r.aid_cost;
      result.sanction_loss = r.damage;
      break;
    default: break;
  }
  return result;
}

}  // namespace deterrence::coercion
