#pragma once
// The coercion model's fixed data, validated: countries, issues, goods, policies and the
// episodes to play, plus where each uncertain quantity sits in the parameter vector.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/registry.h"
#include "models/coercion/episode.h"

namespace deterrence::coercion {

struct Country {
  std::string code, name;
  double gdp = 0, exports = 0;
  bool democracy = false;
};

struct Good {
  std::string name;
  double imports = 0;
  std::vector<double> supply;  // share by country index
};

struct Policy {
  std::string name;
  PolicyDesign design;
  std::vector<std::size_t> members;      // country indices
  std::vector<bool> issue_in_scope;      // by issue index
  std::vector<std::size_t> goods;        // sanctioned goods
  std::vector<int> member_position;      // by country index: position in members, or -1
  std::vector<double> member_gdp, member_supply;  // by member position (w_c is draw-free)
  // Parameter indices of φ, δ, ε, π for this policy.
  std::size_t absorption = 0, derisking = 0, resilience = 0, treaty_penalty = 0;
};

// How an episode's stance comes about (version 2): by the government's choice unless the
// issue's forced share says otherwise (uncertain), or fixed by a historical case.
enum class Stance : std::uint8_t { uncertain, forced, chosen };

struct EpisodeSpec {
  std::string label;  // "NOR:human_rights", or a case's id
  std::size_t target = 0, issue = 0;
  Stance stance = Stance::uncertain;
  std::size_t perception[4] = {0, 0, 0, 0};  // parameter indices of z1..z4
  std::optional<std::size_t> forced_draw;    // u_x, when the stance can be forced
  std::optional<std::size_t> loss_error;     // z5, when loss surprise is on
  std::optional<std::size_t> review_draw;    // u_r, when the coercer may review its threat (version 4)
  std::optional<std::size_t> warning_draw;   // u_w, when the coercer may threaten before any measure (version 4)
};

// A real episode of the library (configs/cases), coded by its codebook before any run.
struct HistoricalCase {
  std::string id, name, year, source;
  std::size_t episode = 0;  // index into Scenario::episodes
  std::size_t regime = 0;   // the policy then in force (index into Scenario::policies)
  std::vector<std::pair<std::string, double>> observed;  // outcome code (or WITHDRAWN), weight
  std::string act, issue, stance;  // as coded: one_off/ongoing, the issue, forced/chosen
};

struct Scenario {
  std::vector<Country> countries;
  std::vector<std::string> issues;
  std::vector<Good> goods;
  std::vector<Policy> policies;
  std::vector<EpisodeSpec> episodes;
  std::vector<HistoricalCase> cases;
  std::size_t reference_policy = 0;
  bool episode_quantiles = false;

  // Parameter indices.
  std::vector<std::size_t> salience;  // country x issue
  std::vector<std::size_t> issue_value, intensity, obfuscation, forced_share, done_deed;  // by issue
  std::vector<std::size_t> replacement_cost, replacement_years, outside_supply;  // by good
  std::size_t resolve = 0, duration = 0, stance_value = 0, sanction_loss = 0, lag = 0, coercion_cost = 0,
              demonstration = 0, face = 0, concession_cost = 0, premium = 0, misperception = 0;
  std::optional<std::size_t> loss_misperception;  // σ_L (version 3); absent: 0
  // Version 4 (docs/model.md §12), each absent: 0 (version 3 bit for bit).
  std::optional<std::size_t> override_cost;  // ω_F: a forced stance's extra cost of conceding
  std::optional<std::size_t> threat_review;  // r: the chance that a coercer reviews its threat
  std::optional<std::size_t> selectivity;    // γ: how much less of a large exporter's trade measures reach
  std::optional<std::size_t> threat_warning;  // w: the chance that a coercer threatens before any measure
  // Whether any episode may be warned (threat_warning declared and not the constant 0): only then
  // does the model write `conceded_at_threat`, so a version-3 layout stays as it was.
  bool warnings_modelled = false;
};

// Reads model_options (and the data files it names), adds the model's parameters to `space`.
Scenario build_scenario(const ModelSetup& setup, ParameterSpace& space);

}  // namespace deterrence::coercion
