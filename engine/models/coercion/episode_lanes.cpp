#include "models/coercion/episode_lanes.h"

#include <cstring>

#include "simd/registers.h"

// The wide vector types below live only inside functions compiled for their instruction set (the
// entries at the end inline everything), so no call passes them in registers of another ABI.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// Every helper of the wide kernels is forced inline into the entry compiled for its instruction
// set (always_inline: clang, and any compiler without optimisation, may otherwise call it out of
// line, built for plain x86-64, passing the wide vectors by another ABI — wrong results).
#define LANE_INLINE __attribute__((always_inline)) inline
#define LANE_INLINE_LAMBDA __attribute__((always_inline))

namespace deterrence::coercion {

namespace {

// Whether any lane of a mask is set: the mask's halves or-ed together down to one 64-bit word
// (a few vector instructions, where testing lane by lane extracts and branches on each). Plain
// vector arithmetic, so it compiles inside every width's kernel.
template <int Bytes>
struct MaskWords {
  typedef long long type __attribute__((vector_size(Bytes)));
};
template <int Bytes, class M>
LANE_INLINE bool any_word_set(const M& m) {
  if constexpr (Bytes == 8) {
    long long word;
    std::memcpy(&word, &m, 8);
    return word != 0;
  } else {
    using Half = typename MaskWords<Bytes / 2>::type;
    Half low, high;
    std::memcpy(&low, &m, Bytes / 2);
    std::memcpy(&high, reinterpret_cast<const char*>(&m) + Bytes / 2, Bytes / 2);
    return any_word_set<Bytes / 2>(low | high);
  }
}

// play_episode (episode.cpp) on W lanes. Every function below mirrors the one of the same name
// there, operation for operation: where play_episode branches on something a draw decides,
// both sides are computed and the mask chooses; where it branches on the policy or the
// episode (the same in every lane), so does this.
template <int W>
struct Play {
  using D = simd::Doubles<W>;
  using M = decltype(D{} < D{});

  LANE_INLINE static D load(const double* p) {
    D v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  LANE_INLINE static D splat(double x) {
    D v;
    for (int l = 0; l < W; ++l) v[l] = x;
    return v;
  }
  LANE_INLINE static M mask(const bool* b) {
    M m;
    for (int l = 0; l < W; ++l) m[l] = b[l] ? -1 : 0;
    return m;
  }
  LANE_INLINE static M every(bool b) {
    M m;
    for (int l = 0; l < W; ++l) m[l] = b ? -1 : 0;
    return m;
  }
  LANE_INLINE static bool any(M m) { return any_word_set<8 * W>(m); }
  LANE_INLINE static M code(Outcome o) {
    M m;
    for (int l = 0; l < W; ++l) m[l] = static_cast<std::int64_t>(o);
    return m;
  }
  LANE_INLINE static D zero() { return splat(0.0); }

  struct View {
    D stakes, target_stance, cohesion;
  };
  struct Setting {
    bool sanctions, aid;
    D loss, coercion_cost;
  };
  struct Response {
    M triggered, aid_active;
    D damage, target_cost, helpers_cost, net_loss, aid_cost;
  };
  struct Continuation {
    M outcome;
    D target_payoff, coercer_payoff;
  };

  // The episode's and draw's numbers, loaded once.
  const LaneEpisode& e;
  const PolicyDesign& p;
  const LaneMembers& m;
  D resolve, duration, stance_value, sanction_loss, lag, coercion_cost, demonstration, face, concession_cost, premium;
  D absorption, derisking, resilience, treaty_penalty;
  D issue_value, intensity, obfuscation, target_stance, done_deed, loss_scale;
  D factor[4];

  LANE_INLINE Play(const LaneEpisode& episode, const LaneScalars& s, const PolicyDesign& policy, const LanePolicyDraw& d,
       const LaneMembers& members)
      : e(episode), p(policy), m(members) {
    resolve = load(s.resolve);
    duration = load(s.duration);
    stance_value = load(s.stance_value);
    sanction_loss = load(s.sanction_loss);
    lag = load(s.lag);
    coercion_cost = load(s.coercion_cost);
    demonstration = load(s.demonstration);
    face = load(s.face);
    concession_cost = load(s.concession_cost);
    premium = load(s.premium);
    absorption = load(d.absorption);
    derisking = load(d.derisking);
    resilience = load(d.resilience);
    treaty_penalty = load(d.treaty_penalty);
    issue_value = load(e.issue_value);
    intensity = load(e.intensity);
    obfuscation = load(e.obfuscation);
    target_stance = load(e.target_stance);
    done_deed = load(e.done_deed);
    loss_scale = load(e.loss_scale);
    for (int k = 0; k < 4; ++k) factor[k] = load(e.factor[k]);
  }

  LANE_INLINE D member(const double* values, std::size_t j) const { return load(values + j * W); }

  LANE_INLINE Response respond(const Setting& setting, const View& view) const {
    Response r{every(false), every(false), zero(), zero(), zero(), zero(), zero()};
    const std::size_t n = m.count;
    const std::size_t target = e.target_position >= 0 ? static_cast<std::size_t>(e.target_position) : n;
    if (setting.sanctions) {
      const bool rules = p.commitment == Commitment::rules;
      const D penalty = treaty_penalty * stance_value;
      const D open = 1.0 - obfuscation;
      const auto joins = [&](std::size_t j) LANE_INLINE_LAMBDA -> M {
        const D u = j == target ? view.target_stance : member(m.stance, j) * view.cohesion;
        return rules ? u + penalty * m.gdp[j] >= member(m.cost, j) : u * open >= member(m.cost, j);
      };
      // Joins counted and, in the same pass, damage and costs summed over joiners in member
      // order (+0 for the others: adding +0 leaves a sum begun at +0 unchanged); the sums are
      // kept only where the response triggers, as play_episode sums only then.
      D damage = zero(), target_cost = zero(), helpers_cost = zero();
      const auto add_joined = [&](std::size_t j, const M& joined) LANE_INLINE_LAMBDA {
        damage += joined ? member(m.damage, j) : zero();
        if (j == target) target_cost = joined ? member(m.cost, j) : zero();
        else helpers_cost += joined ? member(m.cost, j) : zero();
      };
      switch (p.trigger) {
        case Trigger::consensus: {
          // Stops once every lane has a refusal: then nothing triggers and no sum is kept.
          M all_joined = every(true);
          for (std::size_t j = 0; j < n && any(all_joined); ++j) {
            const M joined = joins(j);
            all_joined &= joined;
            add_joined(j, joined);
          }
          r.triggered = all_joined;
          break;
        }
        case Trigger::majority: {
          M count = every(false);
          for (std::size_t j = 0; j < n; ++j) {
            const M joined = joins(j);
            count -= joined;  // a true mask is −1
            add_joined(j, joined);
          }
          r.triggered = 2 * count > static_cast<std::int64_t>(n);
          break;
        }
        case Trigger::weighted: {
          double all_supply = 0;
          D joined_supply = zero();
          for (std::size_t j = 0; j < n; ++j) {
            const M joined = joins(j);
            all_supply += m.supply[j];
            joined_supply += joined ? splat(m.supply[j]) : zero();
            add_joined(j, joined);
          }
          r.triggered = all_supply > 0 ? joined_supply >= p.threshold * all_supply : every(false);
          break;
        }
      }
      r.damage = r.triggered ? damage : zero();
      r.target_cost = r.triggered ? target_cost : zero();
      r.helpers_cost = r.triggered ? helpers_cost : zero();
    }
    r.net_loss = setting.loss;
    if (setting.aid) {
      const D absorbed = absorption * setting.loss;
      const D want = p.compensated_share * (setting.loss - absorbed), cap = p.fund_cap * duration;
      const D compensated = cap < want ? cap : want;  // std::min(want, cap)
      const D cost = premium * absorbed + compensated;
      if (p.activation == Activation::automatic) {
        r.aid_active = every(true);
      } else {
        const std::size_t helpers = target < n ? n - 1 : n;
        const D share = cost / static_cast<double>(helpers);
        M yes = every(false);
        for (std::size_t j = 0; j < n; ++j)
          if (j != target) yes -= member(m.stance, j) * view.cohesion >= share;
        r.aid_active = helpers > 0 ? 2 * yes > static_cast<std::int64_t>(helpers) : every(false);
      }
      r.net_loss = r.aid_active ? setting.loss - absorbed - compensated : setting.loss;
      r.aid_cost = r.aid_active ? cost : zero();
    }
    return r;
  }

  LANE_INLINE M backs_down(const Setting& setting, const Response& r, const D& stakes) const {
    return (1.0 - lag - derisking) * r.damage + (1.0 - lag) * setting.coercion_cost >
           (demonstration + face) * stakes;
  }

  // Each outcome's payoffs, chosen by the lanes' outcome codes.
  LANE_INLINE D target_payoff(const M& o, const D& stance, const Response& r) const {
    const D capitulation = (done_deed - concession_cost) * stance - lag * r.net_loss;
    const D resisted = stance - r.net_loss;
    const D compelled = stance - lag * (r.net_loss + r.target_cost);
    const D escalation = stance - r.net_loss - r.target_cost;
    D v = stance;  // deterred, not contested
    v = o == code(Outcome::capitulation) ? capitulation : v;
    v = o == code(Outcome::resisted) ? resisted : v;
    v = o == code(Outcome::compelled) ? compelled : v;
    v = o == code(Outcome::escalation) ? escalation : v;
    v = o == code(Outcome::self_censorship) ? zero() : v;
    return v;
  }

  LANE_INLINE D coercer_payoff(const M& o, const D& stakes, const Setting& setting, const Response& r) const {
    const D h = lag, c0 = setting.coercion_cost;
    const D capitulation = stakes - h * c0;
    const D resisted = demonstration * stakes - c0;
    const D compelled = -h * c0 - (h + derisking) * r.damage - face * stakes;
    const D escalation = demonstration * stakes - c0 - r.damage;
    D v = zero();
    v = o == code(Outcome::capitulation) ? capitulation : v;
    v = o == code(Outcome::resisted) ? resisted : v;
    v = o == code(Outcome::compelled) ? compelled : v;
    v = o == code(Outcome::escalation) ? escalation : v;
    v = o == code(Outcome::self_censorship) ? stakes : v;
    return v;
  }

  LANE_INLINE M after_coercion(const Setting& setting, const Response& r, const D& stance, const D& target_sees_stakes,
                   const D& coercer_stakes) const {
    const D concede = target_payoff(code(Outcome::capitulation), stance, r);
    const M resist_path = r.triggered ? (backs_down(setting, r, target_sees_stakes) ? code(Outcome::compelled)
                                                                                  : code(Outcome::escalation))
                                      : code(Outcome::resisted);
    const M capitulates = target_payoff(resist_path, stance, r) < concede;
    const M played = backs_down(setting, r, coercer_stakes) ? code(Outcome::compelled) : code(Outcome::escalation);
    return capitulates ? code(Outcome::capitulation) : (r.triggered ? played : code(Outcome::resisted));
  }

  LANE_INLINE Continuation predict(const Setting& setting, const View& view) const {
    const Response r = respond(setting, view);
    const M o = after_coercion(setting, r, view.target_stance, view.stakes, view.stakes);
    return {o, target_payoff(o, view.target_stance, r), coercer_payoff(o, view.stakes, setting, r)};
  }

  LANE_INLINE Setting make_setting(bool measures_on, const D& scale) const {
    const bool apply = measures_on && e.in_scope;
    const D exposure = e.target_exports * (1.0 - (apply ? resilience : zero()));
    const D loss = intensity * exposure * duration * scale;
    return {apply && p.sanctions, apply && p.aid, loss, coercion_cost * loss};
  }

  LANE_INLINE void play(LaneResults& out) const {
    const D stakes = resolve * issue_value;
    const View target_view{stakes * factor[2], target_stance, factor[3]};
    const View coercer_view{stakes, target_stance * factor[1], factor[0]};
    const Setting on = make_setting(true, splat(1.0));

    // Node 1 (lanes whose stance is not forced): a loss scale of 1 gives `on` itself.
    const Continuation foreseen_play = predict(make_setting(true, loss_scale), target_view);
    const D foreseen = foreseen_play.coercer_payoff > 0.0 ? foreseen_play.target_payoff : target_stance;
    const M censors = ~mask(e.forced) & ~(foreseen > 0.0);
    M outcome = code(Outcome::self_censorship);
    D target = zero(), coercer = stakes, bloc = zero(), loss = zero();
    M triggered = every(false), aid_active = every(false);
    if (any(~censors)) {
      // Node 2, then the lanes that tolerate: deterred or not contested.
      const M coerces = predict(on, coercer_view).coercer_payoff > 0.0;
      const M tolerates = ~censors & ~coerces;
      if (any(tolerates)) {
        const M deterred = predict(make_setting(false, splat(1.0)), coercer_view).coercer_payoff > 0.0;
        outcome = tolerates ? (deterred ? code(Outcome::deterred) : code(Outcome::not_contested)) : outcome;
        target = tolerates ? target_stance : target;
        coercer = tolerates ? zero() : coercer;
      }
      const M plays = ~censors & coerces;
      if (any(plays)) {
        // Nodes 3–5 in play.
        const Response r = respond(on, View{stakes, target_stance, splat(1.0)});
        const M o = after_coercion(on, r, target_stance, target_view.stakes, stakes);
        const D h = lag;
        D played_bloc = zero(), played_loss = zero();
        played_bloc = o == code(Outcome::resisted) ? r.aid_cost : played_bloc;
        played_bloc = o == code(Outcome::capitulation) ? h * r.aid_cost : played_bloc;
        played_bloc = o == code(Outcome::compelled) ? h * (r.helpers_cost + r.aid_cost) : played_bloc;
        played_bloc = o == code(Outcome::escalation) ? r.helpers_cost + r.aid_cost : played_bloc;
        played_loss = o == code(Outcome::compelled) ? (h + derisking) * r.damage : played_loss;
        played_loss = o == code(Outcome::escalation) ? r.damage : played_loss;
        outcome = plays ? o : outcome;
        target = plays ? target_payoff(o, target_stance, r) : target;
        coercer = plays ? coercer_payoff(o, stakes, on, r) : coercer;
        bloc = plays ? played_bloc : bloc;
        loss = plays ? played_loss : loss;
        triggered = plays & r.triggered;
        aid_active = plays & r.aid_active;
      }
    }
    // The reals as whole registers; outcomes and flags lane by lane.
    std::memcpy(out.target_payoff, &target, sizeof target);
    std::memcpy(out.coercer_payoff, &coercer, sizeof coercer);
    std::memcpy(out.bloc_cost, &bloc, sizeof bloc);
    std::memcpy(out.sanction_loss, &loss, sizeof loss);
    for (int l = 0; l < W; ++l) {
      out.outcome[l] = static_cast<Outcome>(outcome[l]);
      out.triggered[l] = triggered[l] != 0;
      out.aid_active[l] = aid_active[l] != 0;
    }
  }
};

template <int W>
LANE_INLINE void play_on(const LaneEpisode& e, const LaneScalars& s, const PolicyDesign& p, const LanePolicyDraw& d,
             const LaneMembers& m, LaneResults& out) {
  Play<W>(e, s, p, d, m).play(out);
}

// One entry per register width, each compiled for its instruction set with everything inlined
// (flatten). Arithmetic is never fused (-ffp-contract=off, CMakeLists.txt), so every width does
// play_episode's roundings.
#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq"), flatten)) void play_avx512(const LaneEpisode& e, const LaneScalars& s,
                                                                        const PolicyDesign& p, const LanePolicyDraw& d,
                                                                        const LaneMembers& m, LaneResults& out) {
  play_on<8>(e, s, p, d, m, out);
}
__attribute__((target("avx2"), flatten)) void play_avx2(const LaneEpisode& e, const LaneScalars& s,
                                                         const PolicyDesign& p, const LanePolicyDraw& d,
                                                         const LaneMembers& m, LaneResults& out) {
  play_on<4>(e, s, p, d, m, out);
}
#endif
__attribute__((flatten)) void play_two(const LaneEpisode& e, const LaneScalars& s, const PolicyDesign& p,
                                       const LanePolicyDraw& d, const LaneMembers& m, LaneResults& out) {
  play_on<2>(e, s, p, d, m, out);
}

using PlayFunction = void (*)(const LaneEpisode&, const LaneScalars&, const PolicyDesign&, const LanePolicyDraw&,
                              const LaneMembers&, LaneResults&);

std::size_t widest() { return static_cast<std::size_t>(simd::widest_register_bits() / 64); }

PlayFunction play_function(std::size_t lanes) {
#if defined(__x86_64__)
  if (lanes == 8) return play_avx512;
  if (lanes == 4) return play_avx2;
#endif
  return play_two;
}

}  // namespace

std::size_t episode_lanes() { return widest(); }

void play_episode_lanes(const LaneEpisode& episode, const LaneScalars& s, const PolicyDesign& policy,
                        const LanePolicyDraw& draw, const LaneMembers& members, LaneResults& results) {
  static const PlayFunction play = play_function(widest());
  play(episode, s, policy, draw, members, results);
}

void play_episode_lanes(std::size_t lanes, const LaneEpisode& episode, const LaneScalars& s,
                        const PolicyDesign& policy, const LanePolicyDraw& draw, const LaneMembers& members,
                        LaneResults& results) {
  play_function(lanes <= widest() ? lanes : widest())(episode, s, policy, draw, members, results);
}

}  // namespace deterrence::coercion
