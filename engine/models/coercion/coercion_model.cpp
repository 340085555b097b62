#include "models/coercion/coercion_model.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "io/results_reader.h"
#include "models/coercion/coercion_summary.h"
#include "models/coercion/episode_lanes.h"
#include "models/coercion/scenario.h"

namespace deterrence {

namespace {

using namespace coercion;

// Paired differences from the reference policy, per draw.
constexpr const char* kDifferenceMeasures[] = {"deterred_share", "self_censorship_share", "capitulation_share",
                                               "target_payoff"};
constexpr std::size_t kDifferenceCount = 4;

// One draw's shared quantities (evaluate prepares them; every episode and policy reads them).
struct DrawWork {
  std::vector<double> stance;       // country x issue: v_c = s λ Y
  std::vector<double> member_stance;  // per policy block: [issue][member], contiguous per issue
  std::vector<double> cost, damage;   // per policy, per member
  std::vector<Perception> perception;  // per episode: shared by every policy's play
  std::vector<double> perception_exponents;  // five per episode (perception_arguments), then their e^
  // Members ordered by join threshold and by stance (MemberView), laid out like member_stance,
  // for policies of kOrderMembersFrom members or more, and the running sums in that order (one
  // more element per policy and issue); ordered_up_to per policy x issue (−1: not ordered in this
  // draw).
  std::vector<double> join_threshold, sorted_join_threshold, sorted_stance, ordered_up_to;
  std::vector<double> damage_by_threshold, cost_by_threshold, supply_by_threshold;
  std::vector<std::pair<double, std::uint32_t>> order_scratch;  // the largest policy's members
  // Per good, this draw's factors of a member's damage: 1 − outside supply, replacement cost, and
  // the years it lasts (min(duration, replacement years)).
  std::vector<double> good_unreplaced, good_cost, good_lasting;
  std::vector<double> covered_exports;  // per country: the exports measures reach (version 4's γ)
};

// Where one draw's outputs go: slot k at reals[k · stride] (a DrawOutputs: stride 1; one lane of
// a BatchOutputs: stride = its lanes).
struct OutputsOf {
  double* reals;
  std::uint8_t* codes;
  std::size_t stride;
  double& real(std::size_t slot) const { return reals[slot * stride]; }
  std::uint8_t& code(std::size_t slot) const { return codes[slot * stride]; }
};
OutputsOf outputs_of(DrawOutputs& out) { return {out.reals.data(), out.codes.data(), 1}; }
OutputsOf outputs_of(const BatchOutputs& out, std::size_t lane) {
  return {out.reals.data() + lane, out.codes.data() + lane, out.lanes};
}

struct Workspace final : ModelWorkspace {
  DrawWork draw;
  // evaluate_batch: one DrawWork per lane, and the members' numbers of all lanes interleaved
  // ([member][lane], LaneMembers) for the lane plays.
  std::vector<DrawWork> lanes;
  std::vector<double> lane_member_stance, lane_cost, lane_damage;
  std::vector<LanePolicyDraw> lane_policy_draw;  // per policy
  std::vector<LaneTotals> lane_totals;           // per policy: what each lane's draw sums over its episodes
  std::vector<LaneOrder> lane_orders;            // per policy x issue: each lane's order (ordered policies)
};

class CoercionModel final : public Model {
 public:
  CoercionModel(Scenario scenario, ParameterSpace space) : s_(std::move(scenario)), space_(std::move(space)) {
    std::size_t offset = 0;
    for (const auto& p : s_.policies) {
      member_offset_.push_back(offset);
      offset += p.members.size();
    }
    total_members_ = offset;
    // Each member's share of each sanctioned good, q_g · s_{g,c} (the same in every draw).
    for (const auto& p : s_.policies) {
      std::vector<double> shares;
      for (const std::size_t c : p.members)
        for (const std::size_t g : p.goods) shares.push_back(s_.goods[g].imports * s_.goods[g].supply[c]);
      member_good_share_.push_back(std::move(shares));
    }
    declare_outputs();
  }

  std::string name() const override { return "coercion"; }

  // θ for calibration: the draw's shared scalars and the issue parameters (docs/model.md §8); the
  // saliences, perception errors, forced-stance draws, goods and policy parameters are each
  // case's own uncertainty.
  std::vector<std::size_t> calibration_parameters() const override {
    std::vector<std::size_t> globals{s_.resolve, s_.duration, s_.stance_value, s_.sanction_loss, s_.lag,
                                     s_.coercion_cost, s_.demonstration, s_.face, s_.concession_cost, s_.premium,
                                     s_.misperception};
    for (const auto& optional : {s_.loss_misperception, s_.override_cost, s_.threat_review, s_.selectivity,
                                 s_.threat_warning})
      if (optional) globals.push_back(*optional);
    for (const auto* issue_parameters : {&s_.issue_value, &s_.intensity, &s_.obfuscation, &s_.forced_share, &s_.done_deed})
      globals.insert(globals.end(), issue_parameters->begin(), issue_parameters->end());
    return globals;
  }

  // Each case is read under the policy then in force. A record of coercion exists only when the
  // target was coerced (docs/model.md §8); a withdrawn threat only when it provoked.
  std::vector<CaseSpec> cases() const override {
    const auto code = [](Outcome o) { return static_cast<std::size_t>(o); };
    std::vector<CaseSpec> result;
    for (const auto& c : s_.cases) {
      CaseSpec spec;
      spec.id = c.id;
      spec.name = c.name;
      spec.year = c.year;
      spec.source = c.source;
      spec.output = "outcome";
      spec.element = c.regime * s_.episodes.size() + c.episode;
      const bool withdrawn = c.observed.front().first == "WITHDRAWN";
      if (withdrawn) {
        spec.condition = "provoked";
        spec.classes = {{"WITHDRAWN", {code(Outcome::not_contested), code(Outcome::deterred)}},
                        {"COERCED",
                         {code(Outcome::capitulation), code(Outcome::resisted), code(Outcome::compelled),
                          code(Outcome::escalation)}}};
      } else {
        spec.condition = "coerced";
        for (Outcome o : {Outcome::capitulation, Outcome::resisted, Outcome::compelled, Outcome::escalation})
          spec.classes.push_back({kOutcomeNames[code(o)], {code(o)}});
      }
      for (const auto& [label, weight] : c.observed) spec.observed.push_back({label, weight});
      spec.features = {{"act", c.act}, {"issue", c.issue}, {"stance", c.stance}};
      result.push_back(std::move(spec));
    }
    return result;
  }
  const ParameterSpace& parameters() const override { return space_; }
  const OutputLayout& outputs() const override { return layout_; }

  std::unique_ptr<ModelWorkspace> make_workspace() const override {
    auto w = std::make_unique<Workspace>();
    size_draw_work(w->draw);
    const std::size_t lanes = batch_size();
    if (lanes > 1) {
      w->lanes.resize(lanes);
      for (auto& lane : w->lanes) size_draw_work(lane);
      w->lane_member_stance.resize(lanes * total_members_ * s_.issues.size());
      w->lane_cost.resize(lanes * total_members_);
      w->lane_damage.resize(lanes * total_members_);
      w->lane_policy_draw.resize(s_.policies.size());
      w->lane_totals.resize(s_.policies.size());
      w->lane_orders.resize(s_.policies.size() * s_.issues.size());
    }
    return w;
  }

  // Draws side by side (episode_lanes). A policy the model orders (kOrderMembersFrom members or
  // more, with joins or an aid vote to count) plays on lanes too, each lane searching its own
  // draw's order; draw by draw only where some lane's order does not answer a view.
  std::size_t batch_size() const override { return episode_lanes(); }

  void evaluate(std::span<const double> x, ModelWorkspace* workspace, DrawOutputs& draw_outputs) const override {
    auto& w = static_cast<Workspace&>(*workspace);
    const OutputsOf out = outputs_of(draw_outputs);
    const Scalars sc = scalars_of(x);
    prepare(x, sc, w.draw);
    for (std::size_t p = 0; p < s_.policies.size(); ++p) {
      const Policy& policy = s_.policies[p];
      const PolicyDraw pd = policy_draw(x, policy);
      LaneTotals totals;  // the draw's in lane 0
      for (std::size_t e = 0; e < s_.episodes.size(); ++e) {
        const EpisodeResult r = play_episode(episode_of(x, w.draw, policy, e), sc, policy.design, pd,
                                             member_view(w.draw, p, s_.episodes[e].issue), w.draw.perception[e]);
        record(out, p, e, r);
        add_to(totals, 0, r);
      }
      write_totals(out, p, totals, 0);
    }
    write_differences(out);
  }

  // Several draws side by side: each lane's draw-level quantities as evaluate prepares them, then
  // every episode of every policy played on all lanes at once (play_and_record_lanes: each lane's
  // result is play_episode's, bit for bit), each output's lanes written together.
  void evaluate_batch(std::span<const std::span<const double>> xs, ModelWorkspace* workspace,
                      const BatchOutputs& batch) const override {
    auto& w = static_cast<Workspace&>(*workspace);
    const std::size_t lanes = w.lanes.size(), count = xs.size();
    if (count > lanes || batch.lanes != lanes)
      throw std::logic_error(fmt::format("coercion model: {} draws in {} output lanes, for {} lanes", count,
                                         batch.lanes, lanes));
    const std::size_t n_issues = s_.issues.size();
    // Lanes past `count` replay the last draw: play_and_record_lanes stores and totals them with
    // the others (whole runs cost nothing more), and nothing reads them.
    const auto x_of = [&](std::size_t l) { return xs[std::min(l, count - 1)]; };
    LaneScalars ls;
    Scalars scalars[kMaxLanes];
    for (std::size_t l = 0; l < lanes; ++l) {
      const Scalars sc = scalars[l] = scalars_of(x_of(l));
      prepare(x_of(l), sc, w.lanes[l]);
      ls.resolve[l] = sc.resolve;
      ls.duration[l] = sc.duration;
      ls.stance_value[l] = sc.stance_value;
      ls.sanction_loss[l] = sc.sanction_loss;
      ls.lag[l] = sc.lag;
      ls.coercion_cost[l] = sc.coercion_cost;
      ls.demonstration[l] = sc.demonstration;
      ls.face[l] = sc.face;
      ls.concession_cost[l] = sc.concession_cost;
      ls.premium[l] = sc.premium;
      ls.override_cost[l] = sc.override_cost;
    }
    // Members' numbers of all lanes interleaved, each destination run written whole in turn.
    const double *stance_of[kMaxLanes], *cost_of[kMaxLanes], *damage_of[kMaxLanes];
    for (std::size_t l = 0; l < lanes; ++l) {
      stance_of[l] = w.lanes[l].member_stance.data();
      cost_of[l] = w.lanes[l].cost.data();
      damage_of[l] = w.lanes[l].damage.data();
    }
    const std::size_t stances = w.lanes.front().member_stance.size(), members = w.lanes.front().cost.size();
    double* lane_stance = w.lane_member_stance.data();
    for (std::size_t k = 0; k < stances; ++k)
      for (std::size_t l = 0; l < lanes; ++l) lane_stance[k * lanes + l] = stance_of[l][k];
    double *lane_cost = w.lane_cost.data(), *lane_damage = w.lane_damage.data();
    for (std::size_t k = 0; k < members; ++k)
      for (std::size_t l = 0; l < lanes; ++l) {
        lane_cost[k * lanes + l] = cost_of[l][k];
        lane_damage[k * lanes + l] = damage_of[l][k];
      }
    const std::size_t n_policies = s_.policies.size();
    for (std::size_t p = 0; p < n_policies; ++p) {
      LanePolicyDraw& ld = w.lane_policy_draw[p];
      for (std::size_t l = 0; l < lanes; ++l) {
        const PolicyDraw pd = policy_draw(x_of(l), s_.policies[p]);
        ld.absorption[l] = pd.absorption;
        ld.derisking[l] = pd.derisking;
        ld.resilience[l] = pd.resilience;
        ld.treaty_penalty[l] = pd.treaty_penalty;
      }
    }
    std::fill(w.lane_totals.begin(), w.lane_totals.end(), LaneTotals{});
    // Each lane's order of every ordered policy on every issue (prepare made them).
    for (std::size_t p = 0; p < n_policies; ++p) {
      if (!may_order(s_.policies[p])) continue;
      for (std::size_t i = 0; i < n_issues; ++i) {
        LaneOrder& order = w.lane_orders[p * n_issues + i];
        for (std::size_t l = 0; l < lanes; ++l)
          order.show_lane(l, member_view(w.lanes[l], p, i), w.lanes[l].ordered_up_to[p * n_issues + i]);
        order.set_joined_at_one(lanes, s_.policies[p].members.size());
      }
    }
    // Episodes outside, policies inside: an episode's numbers in every lane are gathered once for
    // all policies. Each policy's totals still add its episodes in order.
    for (std::size_t e = 0; e < s_.episodes.size(); ++e) {
      const std::size_t issue = s_.episodes[e].issue;
      LaneEpisode le;
      for (std::size_t l = 0; l < lanes; ++l) {
        // Any policy gives the lane's numbers; the policy's own (target position, scope) are set below.
        const Episode ep = episode_of(x_of(l), w.lanes[l], s_.policies.front(), e);
        const Perception& perception = w.lanes[l].perception[e];
        le.issue_value[l] = ep.issue_value;
        le.intensity[l] = ep.intensity;
        le.obfuscation[l] = ep.obfuscation;
        le.target_stance[l] = ep.target_stance;
        le.done_deed[l] = ep.done_deed;
        for (int k = 0; k < 4; ++k) le.factor[k][l] = perception.factor[k];
        le.loss_scale[l] = perception.loss_scale;
        le.forced[l] = ep.forced;
        le.review[l] = ep.review;
        le.warned[l] = ep.warned;
        le.target_exports[l] = ep.target_exports;
      }
      for (std::size_t p = 0; p < n_policies; ++p) {
        const Policy& policy = s_.policies[p];
        const std::size_t m = policy.members.size();
        const LaneOrder* order = may_order(policy) ? &w.lane_orders[p * n_issues + issue] : nullptr;
        if (order && !ordered_in_every_lane(lanes, m, *order, le)) {
          // Some lane's order does not answer a view: play_episode draw by draw, which takes
          // the pass there.
          for (std::size_t l = 0; l < count; ++l) {
            const EpisodeResult r =
                play_episode(episode_of(xs[l], w.lanes[l], policy, e), scalars[l], policy.design,
                             policy_draw(xs[l], policy), member_view(w.lanes[l], p, issue), w.lanes[l].perception[e]);
            record(outputs_of(batch, l), p, e, r);
            add_to(w.lane_totals[p], l, r);
          }
          continue;
        }
        // What depends on the policy: where the target sits among its members, and its scope.
        le.target_position = policy.member_position[s_.episodes[e].target];
        le.in_scope = le.target_position >= 0 && policy.issue_in_scope[issue];
        const std::size_t base = member_offset_[p];
        const LaneMembers members{m,
                                  w.lane_member_stance.data() + (base * n_issues + issue * m) * lanes,
                                  w.lane_cost.data() + base * lanes,
                                  w.lane_damage.data() + base * lanes,
                                  policy.member_gdp.data(),
                                  policy.member_supply.data(),
                                  order};
        // Where each output's run of lanes goes.
        const std::size_t slot = p * s_.episodes.size() + e;
        const LaneRecord to{&batch.real(target_payoff_ + slot, 0), &batch.real(coercer_payoff_ + slot, 0),
                            &batch.real(bloc_cost_ + slot, 0),     &batch.real(sanction_loss_ + slot, 0),
                            &batch.real(triggered_ + slot, 0),     &batch.real(aid_active_ + slot, 0),
                            &batch.code(outcome_ + slot, 0),
                            s_.warnings_modelled ? &batch.real(at_threat_ + slot, 0) : nullptr};
        play_and_record_lanes(le, ls, policy.design, w.lane_policy_draw[p], members, to, w.lane_totals[p]);
      }
    }
    for (std::size_t p = 0; p < n_policies; ++p)
      for (std::size_t l = 0; l < count; ++l) write_totals(outputs_of(batch, l), p, w.lane_totals[p], l);
    for (std::size_t l = 0; l < count; ++l) write_differences(outputs_of(batch, l));
  }

 private:
  void size_draw_work(DrawWork& d) const {
    const std::size_t n_issues = s_.issues.size();
    d.stance.resize(s_.countries.size() * n_issues);
    d.member_stance.resize(total_members_ * n_issues);
    d.cost.resize(total_members_);
    d.damage.resize(total_members_);
    d.perception.resize(s_.episodes.size());
    d.perception_exponents.resize(5 * s_.episodes.size());
    for (auto* order : {&d.join_threshold, &d.sorted_join_threshold, &d.sorted_stance})
      order->resize(total_members_ * n_issues);
    for (auto* sums : {&d.damage_by_threshold, &d.cost_by_threshold, &d.supply_by_threshold})
      sums->resize((total_members_ + s_.policies.size()) * n_issues);
    std::size_t largest = 0;
    for (const auto& p : s_.policies) largest = std::max(largest, p.members.size());
    d.order_scratch.resize(largest);
    d.ordered_up_to.resize(s_.policies.size() * n_issues);
    for (auto* factor : {&d.good_unreplaced, &d.good_cost, &d.good_lasting}) factor->resize(s_.goods.size());
    d.covered_exports.resize(s_.countries.size());
  }

  // Whether prepare() orders this policy's members (MemberView): many members, and joins or an
  // aid vote to count.
  static bool may_order(const Policy& policy) {
    const bool counts = policy.design.sanctions ||
                        (policy.design.aid && policy.design.activation == Activation::majority);
    return policy.members.size() >= kOrderMembersFrom && counts;
  }

  Scalars scalars_of(std::span<const double> x) const {
    Scalars sc;
    sc.resolve = x[s_.resolve];
    sc.duration = x[s_.duration];
    sc.stance_value = x[s_.stance_value];
    sc.sanction_loss = x[s_.sanction_loss];
    sc.lag = x[s_.lag];
    sc.coercion_cost = x[s_.coercion_cost];
    sc.demonstration = x[s_.demonstration];
    sc.face = x[s_.face];
    sc.concession_cost = x[s_.concession_cost];
    sc.premium = x[s_.premium];
    sc.misperception = x[s_.misperception];
    sc.loss_misperception = s_.loss_misperception ? x[*s_.loss_misperception] : 0.0;
    sc.override_cost = s_.override_cost ? x[*s_.override_cost] : 0.0;
    return sc;
  }

  static PolicyDraw policy_draw(std::span<const double> x, const Policy& policy) {
    return {x[policy.absorption], x[policy.derisking], x[policy.resilience], x[policy.treaty_penalty]};
  }

  // Draw-level quantities, computed once and shared by every episode and policy.
  void prepare(std::span<const double> x, const Scalars& sc, DrawWork& w) const {
    const std::size_t n_issues = s_.issues.size();
    for (std::size_t c = 0; c < s_.countries.size(); ++c)
      for (std::size_t i = 0; i < n_issues; ++i)
        w.stance[c * n_issues + i] = x[s_.salience[c * n_issues + i]] * sc.stance_value * s_.countries[c].gdp;
    const double selectivity = s_.selectivity ? x[*s_.selectivity] : 0.0;
    for (std::size_t c = 0; c < s_.countries.size(); ++c)
      w.covered_exports[c] = covered_exports(s_.countries[c].exports, selectivity);
    for (std::size_t g = 0; g < s_.goods.size(); ++g) {
      w.good_unreplaced[g] = 1.0 - x[s_.outside_supply[g]];
      w.good_cost[g] = x[s_.replacement_cost[g]];
      w.good_lasting[g] = std::min(sc.duration, x[s_.replacement_years[g]]);
    }
    for (std::size_t p = 0; p < s_.policies.size(); ++p) {
      const Policy& policy = s_.policies[p];
      const std::size_t base = member_offset_[p], n_goods = policy.goods.size();
      const double* share = member_good_share_[p].data();
      for (std::size_t j = 0; j < policy.members.size(); ++j, share += n_goods) {
        const std::size_t c = policy.members[j];
        // D_c = Σ_g q_g s_{g,c} (1 − o_g) r_g min(T, y_g), each term multiplied in that order.
        double damage = 0;
        for (std::size_t k = 0; k < n_goods; ++k) {
          const std::size_t g = policy.goods[k];
          damage += share[k] * w.good_unreplaced[g] * w.good_cost[g] * w.good_lasting[g];
        }
        w.cost[base + j] = sc.sanction_loss * policy.member_supply[j] * sc.duration;
        w.damage[base + j] = damage;
        for (std::size_t i = 0; i < n_issues; ++i)
          w.member_stance[base * n_issues + i * policy.members.size() + j] = w.stance[c * n_issues + i];
      }
    }
    // Policies of many members: order them once per issue, so every episode's views count
    // joiners and votes by binary search (MemberView).
    std::fill(w.ordered_up_to.begin(), w.ordered_up_to.end(), -1.0);
    for (std::size_t p = 0; p < s_.policies.size(); ++p) {
      const Policy& policy = s_.policies[p];
      if (!may_order(policy)) continue;
      const PolicyDraw pd = policy_draw(x, policy);
      for (std::size_t i = 0; i < n_issues; ++i) {
        const auto up_to = order_members(member_view(w, p, i), sc, policy.design, pd, x[s_.obfuscation[i]],
                                         order_storage(w, place(p, i)));
        if (up_to) w.ordered_up_to[p * n_issues + i] = *up_to;
      }
    }
    // Every episode's perception factors in one call of the vector exponential (perceive's bits).
    double* exponents = w.perception_exponents.data();
    for (std::size_t e = 0; e < s_.episodes.size(); ++e) {
      const EpisodeSpec& spec = s_.episodes[e];
      Episode ep;
      for (int k = 0; k < 4; ++k) ep.z[k] = x[spec.perception[k]];
      ep.z5 = spec.loss_error ? x[*spec.loss_error] : 0.0;
      perception_arguments(ep, sc, exponents + 5 * e);
    }
    simd::exponentials(exponents, exponents, w.perception_exponents.size());
    for (std::size_t e = 0; e < s_.episodes.size(); ++e) perceived(exponents + 5 * e, sc, w.perception[e]);
  }

  // Episode e under `policy` in this draw (its perception errors act through w.perception[e]).
  Episode episode_of(std::span<const double> x, const DrawWork& w, const Policy& policy, std::size_t e) const {
    const EpisodeSpec& spec = s_.episodes[e];
    const std::size_t n_issues = s_.issues.size();
    Episode ep;
    ep.issue_value = x[s_.issue_value[spec.issue]];
    ep.intensity = x[s_.intensity[spec.issue]];
    ep.obfuscation = x[s_.obfuscation[spec.issue]];
    ep.target_exports = w.covered_exports[spec.target];
    ep.target_stance = w.stance[spec.target * n_issues + spec.issue];
    ep.target_position = policy.member_position[spec.target];
    ep.in_scope = ep.target_position >= 0 && policy.issue_in_scope[spec.issue];
    ep.done_deed = x[s_.done_deed[spec.issue]];
    // Version 2: the stance is forced when the episode's own uniform falls below χ_i.
    ep.forced = spec.stance == Stance::forced ||
                (spec.forced_draw && x[*spec.forced_draw] < x[s_.forced_share[spec.issue]]);
    // Version 4: the coercer reviews its threat when the episode's own uniform falls below r.
    ep.review = spec.review_draw && x[*spec.review_draw] < x[*s_.threat_review];
    // Version 4: the coercer threatens before any measure when the episode's own uniform falls below w.
    ep.warned = spec.warning_draw && x[*spec.warning_draw] < x[*s_.threat_warning];
    return ep;
  }

  void record(const OutputsOf& out, std::size_t p, std::size_t e, const EpisodeResult& r) const {
    const std::size_t slot = p * s_.episodes.size() + e;
    out.code(outcome_ + slot) = static_cast<std::uint8_t>(r.outcome);
    out.real(target_payoff_ + slot) = r.target_payoff;
    out.real(coercer_payoff_ + slot) = r.coercer_payoff;
    out.real(bloc_cost_ + slot) = r.bloc_cost;
    out.real(sanction_loss_ + slot) = r.sanction_loss;
    out.real(triggered_ + slot) = r.triggered ? 1.0 : 0.0;
    out.real(aid_active_ + slot) = r.aid_active ? 1.0 : 0.0;
    if (s_.warnings_modelled) out.real(at_threat_ + slot) = r.at_threat ? 1.0 : 0.0;
  }

  // Lane l's running totals plus one play (play_and_record_lanes does the same on all lanes).
  static void add_to(LaneTotals& totals, std::size_t l, const EpisodeResult& r) {
    totals.outcome_counts[static_cast<std::size_t>(r.outcome)][l] += 1.0;
    totals.target[l] += r.target_payoff;
    totals.coercer[l] += r.coercer_payoff;
    totals.bloc[l] += r.bloc_cost;
    totals.loss[l] += r.sanction_loss;
    totals.triggers[l] += r.triggered;
    totals.aids[l] += r.aid_active;
  }

  // Lane l's totals as the draw's shares and means over the policy's episodes.
  void write_totals(const OutputsOf& out, std::size_t p, const LaneTotals& totals, std::size_t l) const {
    const double per_episode = 1.0 / static_cast<double>(s_.episodes.size());
    for (std::size_t o = 0; o < kOutcomeCount; ++o)
      out.real(outcome_share_ + p * kOutcomeCount + o) = totals.outcome_counts[o][l] * per_episode;
    out.real(mean_target_ + p) = totals.target[l] * per_episode;
    out.real(mean_coercer_ + p) = totals.coercer[l] * per_episode;
    out.real(mean_bloc_ + p) = totals.bloc[l] * per_episode;
    out.real(mean_loss_ + p) = totals.loss[l] * per_episode;
    out.real(trigger_rate_ + p) = totals.triggers[l] * per_episode;
    out.real(aid_rate_ + p) = totals.aids[l] * per_episode;
  }

  // Paired differences from the reference policy on the same draw.
  void write_differences(const OutputsOf& out) const {
    const std::size_t ref = s_.reference_policy;
    for (std::size_t p = 0; p < s_.policies.size(); ++p) {
      const auto share = [&](std::size_t policy, Outcome o) {
        return out.real(outcome_share_ + policy * kOutcomeCount + static_cast<std::size_t>(o));
      };
      const std::size_t d = difference_ + p * kDifferenceCount;
      out.real(d) = share(p, Outcome::deterred) - share(ref, Outcome::deterred);
      out.real(d + 1) = share(p, Outcome::self_censorship) - share(ref, Outcome::self_censorship);
      out.real(d + 2) = share(p, Outcome::capitulation) - share(ref, Outcome::capitulation);
      out.real(d + 3) = out.real(mean_target_ + p) - out.real(mean_target_ + ref);
    }
  }

  // Policy p's members on issue i in this draw, with their order when one was made.
  MemberView member_view(const DrawWork& w, std::size_t p, std::size_t i) const {
    const Policy& policy = s_.policies[p];
    const Place at = place(p, i);
    const std::size_t m = at.members;
    MemberView members{{w.member_stance.data() + at.members_at, m}, policy.member_gdp, policy.member_supply,
                       {w.cost.data() + member_offset_[p], m}, {w.damage.data() + member_offset_[p], m}};
    const double up_to = w.ordered_up_to[p * s_.issues.size() + i];
    if (up_to >= 0.0) {
      members.join_threshold = {w.join_threshold.data() + at.members_at, m};
      members.sorted_join_threshold = {w.sorted_join_threshold.data() + at.members_at, m};
      members.sorted_stance = {w.sorted_stance.data() + at.members_at, m};
      members.damage_by_threshold = {w.damage_by_threshold.data() + at.sums_at, m + 1};
      members.cost_by_threshold = {w.cost_by_threshold.data() + at.sums_at, m + 1};
      members.supply_by_threshold = {w.supply_by_threshold.data() + at.sums_at, m + 1};
      members.ordered_up_to = up_to;
    }
    return members;
  }

  // Where policy p's arrays on issue i live in the workspace: its members' at the same place as
  // its stances, its running sums (one longer) after those of the policies and issues before it.
  struct Place {
    std::size_t members, members_at, sums_at;
  };
  Place place(std::size_t p, std::size_t i) const {
    const std::size_t m = s_.policies[p].members.size(), n_issues = s_.issues.size();
    return {m, member_offset_[p] * n_issues + i * m, (member_offset_[p] + p) * n_issues + i * (m + 1)};
  }

  static MemberOrderStorage order_storage(DrawWork& w, const Place& at) {
    const std::size_t m = at.members;
    return {{w.join_threshold.data() + at.members_at, m},
            {w.sorted_join_threshold.data() + at.members_at, m},
            {w.sorted_stance.data() + at.members_at, m},
            {w.damage_by_threshold.data() + at.sums_at, m + 1},
            {w.cost_by_threshold.data() + at.sums_at, m + 1},
            {w.supply_by_threshold.data() + at.sums_at, m + 1},
            {w.order_scratch.data(), m}};
  }

  void declare_outputs() {
    std::vector<std::string> policy_names, episode_names, outcome_names(kOutcomeNames, kOutcomeNames + kOutcomeCount);
    for (const auto& p : s_.policies) policy_names.push_back(p.name);
    for (const auto& e : s_.episodes) episode_names.push_back(e.label);
    const Dimension policy{"policy", policy_names}, episode{"episode", episode_names}, outcome{"outcome", outcome_names};
    const Dimension measure{"measure", {kDifferenceMeasures, kDifferenceMeasures + kDifferenceCount}};
    const bool q = s_.episode_quantiles;
    outcome_ = layout_.add_categorical("outcome", "outcome of each episode under each policy", {policy, episode},
                                        outcome_names, true);
    target_payoff_ = layout_.add_real("target_payoff", "target's payoff U_T (USD bn)", {policy, episode}, q);
    coercer_payoff_ = layout_.add_real("coercer_payoff", "coercer's payoff U_C (USD bn)", {policy, episode}, q);
    bloc_cost_ = layout_.add_real("bloc_cost", "cost to helping members (USD bn)", {policy, episode}, q);
    sanction_loss_ = layout_.add_real("sanction_loss", "coercer's realised sanction loss (USD bn)", {policy, episode}, q);
    triggered_ = layout_.add_real("triggered", "1 when joint sanctions were triggered in play", {policy, episode}, false);
    aid_active_ = layout_.add_real("aid_active", "1 when aid was active in play", {policy, episode}, false);
    if (s_.warnings_modelled)
      at_threat_ = layout_.add_real("conceded_at_threat",
                                    "1 when the target conceded at the threat, before any measure (version 4)",
                                    {policy, episode}, false);
    outcome_share_ = layout_.add_real("outcome_share", "share of episodes with each outcome, per draw", {policy, outcome}, false);
    mean_target_ = layout_.add_real("mean_target_payoff", "target payoff averaged over episodes, per draw", {policy}, true);
    mean_coercer_ = layout_.add_real("mean_coercer_payoff", "coercer payoff averaged over episodes, per draw", {policy}, true);
    mean_bloc_ = layout_.add_real("mean_bloc_cost", "bloc cost averaged over episodes, per draw", {policy}, true);
    mean_loss_ = layout_.add_real("mean_sanction_loss", "coercer sanction loss averaged over episodes, per draw", {policy}, true);
    trigger_rate_ = layout_.add_real("trigger_rate", "share of episodes with joint sanctions triggered, per draw", {policy}, false);
    aid_rate_ = layout_.add_real("aid_rate", "share of episodes with aid active, per draw", {policy}, false);
    difference_ = layout_.add_real(
        "difference_from_reference",
        fmt::format("policy minus {} on the same draw (shares over episodes; mean target payoff)",
                    s_.policies[s_.reference_policy].name),
        {policy, measure}, false);
    // Payoffs, costs and losses are totals over one episode (docs/model.md §2); shares and
    // indicators are fractions ("1" in CF's units).
    for (const char* name : {"target_payoff", "coercer_payoff", "bloc_cost", "sanction_loss", "mean_target_payoff",
                             "mean_coercer_payoff", "mean_bloc_cost", "mean_sanction_loss"})
      layout_.set_units(name, "USD bn per episode");
    for (const char* name : {"triggered", "aid_active", "outcome_share", "trigger_rate", "aid_rate"})
      layout_.set_units(name, "1");
    if (s_.warnings_modelled) layout_.set_units("conceded_at_threat", "1");
    // Per draw and policy, what scenario discovery and regret need (records.aggregates): no
    // per-episode detail.
    for (const char* name : {"outcome_share", "mean_target_payoff", "mean_coercer_payoff", "mean_bloc_cost",
                             "mean_sanction_loss", "trigger_rate", "aid_rate", "difference_from_reference"})
      layout_.set_aggregate(name);
    // What a user asks of a sensitivity analysis first: the shares and the target's payoff.
    layout_.set_sensitivity("outcome_share");
    layout_.set_sensitivity("mean_target_payoff");
  }

  Scenario s_;
  ParameterSpace space_;
  OutputLayout layout_;
  std::vector<std::size_t> member_offset_;
  std::vector<std::vector<double>> member_good_share_;  // per policy: [member][sanctioned good] q_g · s_{g,c}
  std::size_t total_members_ = 0;
  // Offsets of each output in the draw's reals (or codes, for outcome_).
  std::size_t outcome_ = 0, target_payoff_ = 0, coercer_payoff_ = 0, bloc_cost_ = 0, sanction_loss_ = 0,
              triggered_ = 0, aid_active_ = 0, outcome_share_ = 0, mean_target_ = 0, mean_coercer_ = 0,
              mean_bloc_ = 0, mean_loss_ = 0, trigger_rate_ = 0, aid_rate_ = 0, difference_ = 0, at_threat_ = 0;
};

std::unique_ptr<Model> make_coercion(ModelSetup setup) {
  ParameterSpace space = std::move(setup.parameters);
  Scenario scenario = build_scenario(setup, space);
  return std::make_unique<CoercionModel>(std::move(scenario), std::move(space));
}

}  // namespace

ModelEntry coercion_model_entry() {
  return {"coercion", "The coercion-deterrence game of docs/model.md (data files and policies in model_options)",
          make_coercion, print_coercion_summary, coercion_sweep_rows};
}

}  // namespace deterrence
