#include "models/coercion/episode.h"

#include <algorithm>
#include <cmath>

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

Response respond(const Context& c, const Setting& setting, const View& view) {
  Response r;
  const std::size_t n = c.m.stance.size();
  const std::size_t target = c.e.target_position >= 0 ? static_cast<std::size_t>(c.e.target_position) : n;
  const double* stance = c.m.stance.data();
  // Which members join decides the trigger; their damage and costs matter only once it has
  // triggered. So the join test runs first (consensus stops at the first refusal) and the sums
  // run only for a triggered response — in member order, so the bits are those of one pass.
  if (setting.sanctions) {
    const double* supply = c.m.supply.data();
    const double* cost = c.m.cost.data();
    const double* gdp = c.m.gdp.data();
    const bool rules = c.p.commitment == Commitment::rules;
    const double penalty = c.d.treaty_penalty * c.s.stance_value;  // π·λ, times Y_c below
    const double open = 1.0 - c.e.obfuscation;
    const auto joins = [&](std::size_t j) {
      const double u = j == target ? view.target_stance : stance[j] * view.cohesion;
      return rules ? u + penalty * gdp[j] >= cost[j] : u * open >= cost[j];
    };
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
      const double* member_damage = c.m.damage.data();
      for (std::size_t j = 0; j < n; ++j) {
        if (!joins(j)) continue;
        r.damage += member_damage[j];
        if (j == target) r.target_cost = cost[j];
        else r.helpers_cost += cost[j];
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
      std::size_t yes = 0;
      for (std::size_t j = 0; j < n; ++j) yes += j != target && stance[j] * view.cohesion >= share ? 1 : 0;
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
    case Outcome::capitulation: return (c.e.done_deed - c.s.concession_cost) * stance - c.s.lag * r.net_loss;
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

Perception perceive(const Episode& e, const Scalars& s) {
  Perception perception;
  for (int k = 0; k < 4; ++k) perception.factor[k] = std::exp(s.misperception * e.z[k]);
  perception.loss_scale = s.loss_misperception != 0.0 ? std::exp(s.loss_misperception * e.z5) : 1.0;
  return perception;
}

EpisodeResult play_episode(const Episode& e, const Scalars& s, const PolicyDesign& p, const PolicyDraw& d,
                           const MemberView& m) {
  return play_episode(e, s, p, d, m, perceive(e, s));
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
  // Node 1: the target provokes if, in its view, provoking pays. A forced stance (version 2)
  // has been taken whatever the government foresees.
  if (!e.forced) {
    const double loss_scale = perception.loss_scale;
    const Setting foreseen_setting = loss_scale != 1.0 ? make_setting(c, true, loss_scale) : on;
    const Continuation foreseen_play = predict(c, foreseen_setting, target_view);
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
  // Nodes 3–5 in play: true stances, the target judging node 5 by the stakes it perceives.
  const Response r = respond(c, on, View{stakes, e.target_stance, 1.0});
  result.outcome = after_coercion(c, on, r, e.target_stance, target_view.stakes, stakes);
  result.target_payoff = target_payoff(c, result.outcome, e.target_stance, r);
  result.coercer_payoff = coercer_payoff(c, result.outcome, stakes, on, r);
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
