#include "models/coercion/scenario.h"

#include <fmt/format.h>

#include "config/config_node.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "config/config_error.h"
#include "sampling/distribution.h"

namespace deterrence::coercion {

namespace {

// The shared scalars of docs/model.md §3, by their config names, with their sensitivity group.
struct ScalarName {
  const char* key;
  std::size_t Scenario::*slot;
  const char* group;
};
constexpr ScalarName kScalars[] = {
    {"resolve", &Scenario::resolve, "resolve"},
    {"duration", &Scenario::duration, "other"},
    {"stance_value", &Scenario::stance_value, "salience"},
    {"sanction_loss", &Scenario::sanction_loss, "other"},
    {"lag", &Scenario::lag, "other"},
    {"coercion_cost", &Scenario::coercion_cost, "other"},
    {"demonstration", &Scenario::demonstration, "resolve"},
    {"face", &Scenario::face, "resolve"},
    {"concession_cost", &Scenario::concession_cost, "other"},
    {"premium", &Scenario::premium, "other"},
    {"misperception", &Scenario::misperception, "perception"},
};

std::size_t index_of(const std::vector<std::string>& names, const std::string& name, const ConfigNode& where,
                     const char* what) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) where.fail(fmt::format("'{}'", excerpt(name)), fmt::format("the name of a {} in the data set", what));
  return static_cast<std::size_t>(it - names.begin());
}

std::filesystem::path data_path(const ConfigNode& node) {
  std::filesystem::path path = node.as_string();
  // Relative to the config that set it (an extended config's data stay its own).
  if (path.is_relative()) path = std::filesystem::path(node.source()).parent_path() / path;
  if (!std::filesystem::exists(path)) node.fail(fmt::format("'{}'", excerpt(node.as_string())), fmt::format("a data file ({} does not exist)", path.string()));
  return path;
}
std::filesystem::path data_path(const ConfigNode& options, const std::string& key) { return data_path(options.at(key)); }

// A data file may `extends:` another (a variant of the shipped data that changes a few priors).
ConfigNode load_data_file(const ConfigNode& options, const std::string& key) {
  ConfigNode file = ConfigNode::load_file(data_path(options, key).string());
  file.find("extends");  // read: the chain is already applied
  return file;
}

double non_negative(const ConfigNode& node) {
  const double v = node.as_double();
  if (v < 0) node.fail(fmt::format("{}", v), "a number >= 0");
  return v;
}

// A distribution whose support must lie in [0, 1] (shares and probabilities).
Distribution share_distribution(const ConfigNode& node) {
  const Distribution d = parse_distribution(node);
  const double lo = d.quantile(1e-12), hi = d.quantile(1.0 - 1e-12);
  if (lo < 0.0 || hi > 1.0)
    node.fail(d.describe(), "a distribution on [0, 1] (a share): e.g. beta, or uniform within [0, 1]");
  return d;
}

Distribution positive_distribution(const ConfigNode& node) {
  const Distribution d = parse_distribution(node);
  if (d.quantile(1e-12) < 0.0) node.fail(d.describe(), "a distribution of non-negative values");
  return d;
}

void read_countries(Scenario& s, const ConfigNode& file) {
  for (const auto& item : file.at("countries").items()) {
    Country c;
    c.code = item.at("code").as_string();
    c.name = item.at("name").as_string();
    c.gdp = non_negative(item.at("gdp"));
    c.exports = non_negative(item.at("exports"));
    c.democracy = item.get_bool("democracy", false);
    item.get_string("source", "");
    item.get_string("note", "");
    item.find("year");
    for (const auto& other : s.countries)
      if (other.code == c.code) item.at("code").fail(fmt::format("'{}' again", c.code), "a country code used once");
    item.reject_unknown_keys();
    s.countries.push_back(c);
  }
  file.get_string("description", "");
  file.reject_unknown_keys();
}

std::vector<std::string> country_codes(const Scenario& s) {
  std::vector<std::string> codes;
  for (const auto& c : s.countries) codes.push_back(c.code);
  return codes;
}

void read_issues(Scenario& s, ParameterSpace& space, const ConfigNode& file) {
  const ConfigNode issues = file.at("issues");
  for (const auto& name : issues.keys()) {
    const ConfigNode issue = issues.at(name);
    issue.get_string("rationale", "");
    s.issues.push_back(name);
    s.issue_value.push_back(space.add("issue_value." + name, positive_distribution(issue.at("issue_value")), "resolve"));
    s.intensity.push_back(space.add("coercion_intensity." + name, share_distribution(issue.at("coercion_intensity")), "other"));
    s.obfuscation.push_back(space.add("obfuscation." + name, share_distribution(issue.at("obfuscation")), "perception"));
    // Version 2 and 3 issue parameters; absent means 0 (versions 1 and 2 bit for bit).
    const auto optional_share = [&](const char* key) {
      auto node = issue.find(key);
      return node ? share_distribution(*node) : Distribution::constant(0.0);
    };
    s.forced_share.push_back(space.add("forced_share." + name, optional_share("forced_share"), "forced"));
    s.done_deed.push_back(space.add("done_deed." + name, optional_share("done_deed"), "other"));
    issue.reject_unknown_keys();
  }
  if (s.issues.empty()) issues.fail("no issues", "at least one issue");
  file.get_string("description", "");
  file.reject_unknown_keys();
}

void read_goods(Scenario& s, ParameterSpace& space, const ConfigNode& file) {
  const auto codes = country_codes(s);
  const ConfigNode classes = file.at("replacement_classes");
  struct ClassDists { Distribution cost, years, outside; };
  std::vector<std::string> class_names;
  std::vector<ClassDists> class_dists;
  for (const auto& name : classes.keys()) {
    const ConfigNode c = classes.at(name);
    c.get_string("rationale", "");
    class_names.push_back(name);
    class_dists.push_back({positive_distribution(c.at("replacement_cost")), positive_distribution(c.at("replacement_years")),
                           share_distribution(c.at("outside_supply"))});
    c.reject_unknown_keys();
  }
  for (const auto& item : file.at("goods").items()) {
    Good g;
    g.name = item.at("name").as_string();
    g.imports = non_negative(item.at("imports"));
    g.supply.assign(s.countries.size(), 0.0);
    const ConfigNode supply = item.at("supply");
    double total = 0;
    for (const auto& code : supply.keys()) {
      const double share = supply.at(code).as_probability();
      g.supply[index_of(codes, code, supply.at(code), "country")] = share;
      total += share;
    }
    if (total > 1.0 + 1e-9) supply.fail(fmt::format("shares summing to {}", total), "supplier shares summing to at most 1");
    const ConfigNode class_node = item.at("class");
    const auto& dists = class_dists[index_of(class_names, class_node.as_string(), class_node, "replacement class")];
    item.get_string("source", "");
    item.get_string("assumption", "");
    item.get_string("note", "");
    for (const auto& other : s.goods)
      if (other.name == g.name) item.at("name").fail(fmt::format("'{}' again", g.name), "a good named once");
    item.reject_unknown_keys();
    s.replacement_cost.push_back(space.add("replacement_cost." + g.name, dists.cost, "replacement"));
    s.replacement_years.push_back(space.add("replacement_years." + g.name, dists.years, "replacement"));
    s.outside_supply.push_back(space.add("outside_supply." + g.name, dists.outside, "replacement"));
    s.goods.push_back(std::move(g));
  }
  file.get_string("description", "");
  file.find("sources");
  file.reject_unknown_keys();
}

void read_salience(Scenario& s, ParameterSpace& space, const ConfigNode& file) {
  const ConfigNode concentration_node = file.at("concentration");
  const double concentration = concentration_node.as_double();
  if (concentration <= 0) concentration_node.fail(fmt::format("{}", concentration), "a concentration > 0");
  const ConfigNode like_node = file.at("like_mindedness");
  const double like = like_node.as_double();
  if (like <= -1.0 / static_cast<double>(s.countries.size() - 1) || like >= 1.0)
    like_node.fail(fmt::format("{}", like), "a correlation in (-1/(countries-1), 1)");
  const ConfigNode means = file.at("mean");
  const auto codes = country_codes(s);
  s.salience.assign(s.countries.size() * s.issues.size(), 0);
  std::vector<bool> given(s.countries.size(), false);
  for (const auto& code : means.keys()) {
    const ConfigNode row = means.at(code);
    const std::size_t c = index_of(codes, code, row, "country");
    given[c] = true;
    for (std::size_t i = 0; i < s.issues.size(); ++i) {
      const ConfigNode cell = row.at(s.issues[i]);
      const double m = cell.as_double();
      if (m <= 0.0 || m >= 1.0) cell.fail(fmt::format("{}", m), "a mean salience in (0, 1)");
      const Distribution d = Distribution::beta_mean(m, concentration);
      if (const std::string problem = sampling_problem(d); !problem.empty())
        cell.fail_message(fmt::format("{} (mean {} at concentration {}) cannot be sampled: {}", d.describe(), m,
                                      concentration, problem));
      s.salience[c * s.issues.size() + i] = space.add(fmt::format("salience.{}.{}", code, s.issues[i]), d, "salience");
    }
    row.reject_unknown_keys();
  }
  for (std::size_t c = 0; c < s.countries.size(); ++c)
    if (!given[c]) means.fail_message(fmt::format("no salience means for country '{}'", codes[c]));
  // Like-mindedness: one Gaussian copula per issue ties the saliences of all countries.
  const auto n = static_cast<Eigen::Index>(s.countries.size());
  Eigen::MatrixXd correlation = Eigen::MatrixXd::Constant(n, n, like);
  correlation.diagonal().setOnes();
  for (std::size_t i = 0; i < s.issues.size(); ++i) {
    std::vector<std::size_t> members;
    for (std::size_t c = 0; c < s.countries.size(); ++c) members.push_back(s.salience[c * s.issues.size() + i]);
    if (like != 0.0) space.correlate(members, correlation);
  }
  file.get_string("description", "");
  file.get_string("rationale", "");
  file.reject_unknown_keys();
}

std::vector<std::size_t> select_countries(const Scenario& s, const ConfigNode& node) {
  std::vector<std::size_t> result;
  if (node.is_scalar()) {
    const std::string word = node.as_string();
    for (std::size_t c = 0; c < s.countries.size(); ++c)
      if (word == "all" || (word == "democracies" && s.countries[c].democracy)) result.push_back(c);
    if (word != "all" && word != "democracies") node.fail(fmt::format("'{}'", excerpt(word)), "all, democracies or a list of country codes");
    return result;
  }
  const auto codes = country_codes(s);
  for (const auto& item : node.items()) {
    const std::size_t c = index_of(codes, item.as_string(), item, "country");
    if (std::find(result.begin(), result.end(), c) != result.end()) item.fail(fmt::format("'{}' again", codes[c]), "each country once");
    result.push_back(c);
  }
  return result;
}

std::vector<std::size_t> select_issues(const Scenario& s, const ConfigNode& node) {
  std::vector<std::size_t> result;
  if (node.is_scalar()) {
    if (node.as_string() != "all") node.fail(fmt::format("'{}'", excerpt(node.as_string())), "all or a list of issues");
    for (std::size_t i = 0; i < s.issues.size(); ++i) result.push_back(i);
    return result;
  }
  for (const auto& item : node.items()) {
    const std::size_t i = index_of(s.issues, item.as_string(), item, "issue");
    if (std::find(result.begin(), result.end(), i) != result.end()) item.fail(fmt::format("'{}' again", s.issues[i]), "each issue once");
    result.push_back(i);
  }
  return result;
}

Distribution policy_share(const ConfigNode& policy, const char* key) {
  auto node = policy.find(key);
  return node ? share_distribution(*node) : Distribution::constant(0.0);
}

// A setting that cannot act is an error (a typo or an omission must not pass silently): each
// key below acts only when its condition holds. `allow_inert: [key, ...]` says a key is inert on
// purpose (e.g. at some points of a sweep).
void refuse_inert_settings(const PolicyDesign& d, const ConfigNode& node) {
  struct Rule {
    const char* key;
    bool acts;
    const char* why;
  };
  const bool weighted = d.trigger == Trigger::weighted;
  const Rule rules[] = {
      {"absorption", d.aid, "aid is off: add 'aid: true'"},
      {"compensated_share", d.aid, "aid is off: add 'aid: true'"},
      {"fund_cap", d.aid && d.compensated_share > 0.0,
       d.aid ? "nothing is compensated: set compensated_share > 0" : "aid is off: add 'aid: true' and a compensated_share > 0"},
      {"aid_activation", d.aid, "aid is off: add 'aid: true'"},
      {"trigger", d.sanctions, "sanctions are off: add 'sanctions: true'"},
      {"threshold", d.sanctions && weighted,
       d.sanctions ? "the trigger is not weighted: add 'trigger: weighted'" : "sanctions are off: add 'sanctions: true' and 'trigger: weighted'"},
      {"sanctioned_goods", d.sanctions, "sanctions are off: add 'sanctions: true'"},
      {"commitment", d.sanctions, "sanctions are off: add 'sanctions: true'"},
      {"derisking", d.sanctions, "it scales the coercer's loss from joint sanctions, which are off: add 'sanctions: true'"},
      {"treaty_penalty", d.sanctions && d.commitment == Commitment::rules,
       d.sanctions ? "it binds only under rules: add 'commitment: rules'" : "sanctions are off: add 'sanctions: true' and 'commitment: rules'"},
  };
  std::vector<std::string> allowed;
  if (auto allow = node.find("allow_inert")) {
    for (const auto& item : allow->items()) {
      const std::string key = item.as_string();
      if (std::none_of(std::begin(rules), std::end(rules), [&](const Rule& r) { return key == r.key; }))
        item.fail(fmt::format("'{}'", excerpt(key.substr(0, 40))), "a policy key that can be inert (absorption, compensated_share, fund_cap, "
                                                         "aid_activation, trigger, threshold, sanctioned_goods, commitment, derisking, treaty_penalty)");
      allowed.push_back(key);
    }
  }
  if (d.aid && d.compensated_share > 0.0 && d.fund_cap == 0.0 && std::find(allowed.begin(), allowed.end(), "compensated_share") == allowed.end())
    node.at("fund_cap").fail_message("a fund cap of 0 compensates nothing, so compensated_share cannot act: raise the cap (USD bn per year, "
                                     "or 'unbounded'), or list compensated_share under allow_inert");
  for (const Rule& rule : rules) {
    if (rule.acts || !node.has(rule.key) || std::find(allowed.begin(), allowed.end(), rule.key) != allowed.end()) continue;
    node.at(rule.key).fail_message(fmt::format("set, but it cannot act here because {} (or list it under allow_inert "
                                               "if it is inert on purpose, e.g. at a sweep point)",
                                               rule.why));
  }
}

void read_policy(Scenario& s, ParameterSpace& space, const std::string& name, const ConfigNode& node) {
  Policy p;
  p.name = name;
  p.members = select_countries(s, node.at("members"));
  if (p.members.empty()) node.at("members").fail("no countries", "at least one member");
  p.issue_in_scope.assign(s.issues.size(), false);
  for (std::size_t i : select_issues(s, node.at("scope"))) p.issue_in_scope[i] = true;
  p.design.sanctions = node.get_bool("sanctions", false);
  if (auto goods = node.find("sanctioned_goods")) {
    if (goods->is_scalar() && goods->as_string() == "all") {
      for (std::size_t g = 0; g < s.goods.size(); ++g) p.goods.push_back(g);
    } else {
      std::vector<std::string> names;
      for (const auto& g : s.goods) names.push_back(g.name);
      for (const auto& item : goods->items()) p.goods.push_back(index_of(names, item.as_string(), item, "good"));
    }
  } else if (p.design.sanctions) {
    node.fail_message("sanctions are on but 'sanctioned_goods' is missing (a list of goods, or all)");
  }
  const std::string trigger = node.get_string("trigger", "consensus");
  if (trigger == "consensus") p.design.trigger = Trigger::consensus;
  else if (trigger == "majority") p.design.trigger = Trigger::majority;
  else if (trigger == "weighted") p.design.trigger = Trigger::weighted;
  else node.at("trigger").fail(fmt::format("'{}'", excerpt(trigger)), "consensus, majority or weighted");
  p.design.threshold = node.get_probability("threshold", 0.5);
  p.design.aid = node.get_bool("aid", false);
  const std::string activation = node.get_string("aid_activation", "automatic");
  if (activation == "automatic") p.design.activation = Activation::automatic;
  else if (activation == "majority") p.design.activation = Activation::majority;
  else node.at("aid_activation").fail(fmt::format("'{}'", excerpt(activation)), "automatic or majority");
  p.design.compensated_share = node.get_probability("compensated_share", 0.0);
  // The fund cap F (USD bn per year) has no silent default: `unbounded`, or a number >= 0.
  if (auto cap = node.find("fund_cap")) {
    p.design.fund_cap = cap->is_scalar() && cap->as_string() == "unbounded" ? std::numeric_limits<double>::infinity()
                                                                           : non_negative(*cap);
  } else if (p.design.aid && p.design.compensated_share > 0.0) {
    node.fail_message("aid compensates (compensated_share > 0) but 'fund_cap' is missing: give the fund's cap in "
                      "USD bn per year, or 'unbounded'");
  }
  const std::string commitment = node.get_string("commitment", "discretion");
  if (commitment == "rules") p.design.commitment = Commitment::rules;
  else if (commitment == "discretion") p.design.commitment = Commitment::discretion;
  else node.at("commitment").fail(fmt::format("'{}'", excerpt(commitment)), "rules or discretion");
  node.get_string("description", "");
  refuse_inert_settings(p.design, node);
  // The policy's own parameters live on streams named after it: adding a policy changes
  // nobody else's draws.
  p.absorption = space.add("absorption." + name, policy_share(node, "absorption"), "assurance");
  p.derisking = space.add("derisking." + name, policy_share(node, "derisking"), "assurance");
  p.resilience = space.add("resilience." + name, policy_share(node, "resilience"), "other");
  auto penalty = node.find("treaty_penalty");
  p.treaty_penalty = space.add("treaty_penalty." + name,
                               penalty ? positive_distribution(*penalty) : Distribution::constant(0.0), "assurance");
  node.reject_unknown_keys();

  p.member_position.assign(s.countries.size(), -1);
  for (std::size_t j = 0; j < p.members.size(); ++j) {
    const std::size_t c = p.members[j];
    p.member_position[c] = static_cast<int>(j);
    p.member_gdp.push_back(s.countries[c].gdp);
    double w = 0;
    for (std::size_t g : p.goods) w += s.goods[g].imports * s.goods[g].supply[c];
    p.member_supply.push_back(w);
  }
  s.policies.push_back(std::move(p));
}

bool is_zero(const Distribution& d) { return d.kind == DistributionKind::constant && d.a == 0.0; }

// Adds one episode and its own streams: perception errors z1..z4 (and z5 under loss surprise),
// the threat-review and threat-warning uniforms where the coercer may review or warn (version 4), and the forced-stance uniform where the issue's forced share can be positive. Streams are
// named by the episode, so adding an episode, or a stream, changes no other draw.
void add_episode(Scenario& s, ParameterSpace& space, std::size_t target, std::size_t issue, const std::string& name,
                 Stance stance) {
  EpisodeSpec e;
  e.target = target;
  e.issue = issue;
  e.stance = stance;
  const std::string key = name.empty() ? fmt::format("{}.{}", s.countries[target].code, s.issues[issue]) : name;
  e.label = name.empty() ? fmt::format("{}:{}", s.countries[target].code, s.issues[issue]) : name;
  for (int k = 0; k < 4; ++k)
    e.perception[k] = space.add(fmt::format("perception.z{}.{}", k + 1, key), Distribution::normal(0.0, 1.0), "perception");
  if (s.loss_misperception && !is_zero(space[*s.loss_misperception].distribution))
    e.loss_error = space.add(fmt::format("perception.z5.{}", key), Distribution::normal(0.0, 1.0), "perception");
  if (s.threat_review && !is_zero(space[*s.threat_review].distribution))
    e.review_draw = space.add(fmt::format("threat.review.{}", key), Distribution::uniform(0.0, 1.0), "other");
  if (s.warnings_modelled)
    e.warning_draw = space.add(fmt::format("threat.warning.{}", key), Distribution::uniform(0.0, 1.0), "other");
  if (stance == Stance::uncertain && !is_zero(space[s.forced_share[issue]].distribution))
    e.forced_draw = space.add(fmt::format("stance.forced.{}", key), Distribution::uniform(0.0, 1.0), "forced");
  for (const auto& other : s.episodes)
    if (other.label == e.label) throw ConfigError(fmt::format("the episode '{}' is listed twice", e.label));
  s.episodes.push_back(e);
}

Stance read_stance(const ConfigNode& node) {
  const std::string word = node.as_string();
  if (word == "forced") return Stance::forced;
  if (word == "chosen") return Stance::chosen;
  if (word == "uncertain") return Stance::uncertain;
  node.fail(fmt::format("'{}'", excerpt(word)), "forced, chosen or uncertain");
}

// episodes: {targets, issues} (every pair), or a list of {target, issue, name?, stance?}.
void read_episodes(Scenario& s, ParameterSpace& space, const std::optional<ConfigNode>& node) {
  const auto codes = country_codes(s);
  if (node && node->is_sequence()) {
    for (const auto& item : node->items()) {
      const std::size_t t = index_of(codes, item.at("target").as_string(), item.at("target"), "country");
      const std::size_t i = index_of(s.issues, item.at("issue").as_string(), item.at("issue"), "issue");
      const std::string name = item.get_string("name", "");
      const Stance stance = item.find("stance") ? read_stance(item.at("stance")) : Stance::uncertain;
      item.reject_unknown_keys();
      try {
        add_episode(s, space, t, i, name, stance);
      } catch (const ConfigError& error) {
        item.fail_message(error.what());
      }
    }
    if (s.episodes.empty()) node->fail("an empty list", "at least one episode");
    return;
  }
  std::vector<std::size_t> targets, issues;
  if (node && node->has("targets")) {
    targets = select_countries(s, node->at("targets"));
  } else {
    std::set<std::size_t> any;
    for (const auto& p : s.policies) any.insert(p.members.begin(), p.members.end());
    targets.assign(any.begin(), any.end());
  }
  if (node && node->has("issues")) issues = select_issues(s, node->at("issues"));
  else for (std::size_t i = 0; i < s.issues.size(); ++i) issues.push_back(i);
  if (node) node->reject_unknown_keys();
  for (std::size_t t : targets)
    for (std::size_t i : issues) add_episode(s, space, t, i, "", Stance::uncertain);
  if (s.episodes.empty()) throw ConfigError("the configuration selects no episodes");
}

// The outcome codes the case codebook defines (configs/cases/CODEBOOK.md): what a record of a
// coercion episode can observe, plus WITHDRAWN (a threat not carried out).
constexpr const char* kRecordedOutcomes[] = {"CAPITULATION", "RESISTED", "COMPELLED", "ESCALATION", "WITHDRAWN"};

std::vector<std::pair<std::string, double>> read_observed(const ConfigNode& node, const std::string& codebook_text) {
  const auto check_code = [&](const ConfigNode& where, const std::string& code) {
    const bool known = std::any_of(std::begin(kRecordedOutcomes), std::end(kRecordedOutcomes),
                                   [&](const char* c) { return code == c; });
    if (!known || codebook_text.find(code) == std::string::npos)
      where.fail(fmt::format("'{}'", excerpt(code.substr(0, 40))),
                 "an outcome code of the codebook: CAPITULATION, RESISTED, COMPELLED, ESCALATION or WITHDRAWN");
  };
  std::vector<std::pair<std::string, double>> observed;
  if (node.is_scalar()) {
    check_code(node, node.as_string());
    observed.emplace_back(node.as_string(), 1.0);
    return observed;
  }
  double total = 0;
  for (const auto& code : node.keys()) {
    check_code(node, code);
    if (code == "WITHDRAWN") node.fail("WITHDRAWN in a partial outcome", "a partial outcome of coerced outcomes (CAPITULATION, RESISTED, ...)");
    const double w = node.at(code).as_probability();
    if (w <= 0.0) node.at(code).fail(fmt::format("{}", w), "a weight in (0, 1]");
    observed.emplace_back(code, w);
    total += w;
  }
  if (observed.size() != 2 || std::abs(total - 1.0) > 1e-9)
    node.fail(fmt::format("{} outcomes with weights summing to {}", observed.size(), total),
              "one outcome code, or two with weights summing to 1 (a partial outcome)");
  return observed;
}

// The case library (a data file): every case becomes an episode named by its id, played under
// every policy; its forecast is read under the policy then in force (its regime).
void read_cases(Scenario& s, ParameterSpace& space, const ConfigNode& file, const std::filesystem::path& file_path) {
  const ConfigNode codebook_node = file.at("codebook");
  std::filesystem::path codebook = codebook_node.as_string();
  if (codebook.is_relative()) codebook = file_path.parent_path() / codebook;
  std::string codebook_text;
  try {
    codebook_text = ConfigNode::read_input(codebook.string(), "data");  // recorded with the other inputs
  } catch (const ConfigError& error) {
    codebook_node.fail(fmt::format("'{}'", excerpt(codebook_node.as_string())),
                       fmt::format("the case library's codebook, a readable file beside it ({})", error.what()));
  }
  const auto codes = country_codes(s);
  std::vector<std::string> policy_names;
  for (const auto& p : s.policies) policy_names.push_back(p.name);
  for (const auto& item : file.at("cases").items()) {
    HistoricalCase c;
    c.id = item.at("id").as_string();
    c.name = item.at("name").as_string();
    const std::size_t t = index_of(codes, item.at("target").as_string(), item.at("target"), "country");
    const std::size_t i = index_of(s.issues, item.at("issue").as_string(), item.at("issue"), "issue");
    const long long year = item.at("year").as_integer();
    if (year < 1945 || year > 2100) item.at("year").fail(fmt::format("{}", year), "a year between 1945 and 2100");
    c.year = std::to_string(year);
    const ConfigNode stance_node = item.at("stance");
    const Stance stance = read_stance(stance_node);
    if (stance == Stance::uncertain) stance_node.fail("'uncertain'", "forced or chosen (a case codes its stance)");
    item.at("stance_actor").as_string();
    const std::string act = item.at("act").as_string();
    if (act != "one_off" && act != "ongoing") item.at("act").fail(fmt::format("'{}'", excerpt(act)), "one_off or ongoing");
    item.at("measures").as_string();
    item.at("measure_imposed_before_outcome").as_bool();
    if (item.at("months_to_outcome").as_integer() < 0) item.at("months_to_outcome").fail("a negative number", "months >= 0");
    c.act = act;
    c.issue = s.issues[i];
    c.stance = stance == Stance::forced ? "forced" : "chosen";
    c.regime = index_of(policy_names, item.at("regime").as_string(), item.at("regime"), "policy (the regime then in force)");
    item.at("bloc_response").as_string();
    c.observed = read_observed(item.at("observed"), codebook_text);
    if (auto csm = item.find("csm")) csm->as_strings();
    const ConfigNode sources = item.at("sources");
    const auto source_list = sources.as_strings();
    if (source_list.empty() || std::any_of(source_list.begin(), source_list.end(), [](const auto& x) { return x.empty(); }))
      sources.fail("no source", "at least one source (a case is coded from its sources)");
    c.source = source_list.front();
    if (item.at("note").as_string().empty()) item.at("note").fail("an empty note", "a coding note");
    item.reject_unknown_keys();
    for (const auto& other : s.cases)
      if (other.id == c.id) item.at("id").fail(fmt::format("'{}' again", c.id), "a case id used once");
    try {
      add_episode(s, space, t, i, c.id, stance);
    } catch (const ConfigError& error) {
      item.fail_message(error.what());
    }
    c.episode = s.episodes.size() - 1;
    s.cases.push_back(std::move(c));
  }
  if (s.cases.empty()) file.at("cases").fail("no cases", "at least one case");
  file.get_string("description", "");
  file.reject_unknown_keys();
}

}  // namespace

Scenario build_scenario(const ModelSetup& setup, ParameterSpace& space) {
  if (!setup.options) throw ConfigError("model coercion needs a 'model_options' section (data files and policies)");
  const ConfigNode& options = *setup.options;
  Scenario s;
  for (const auto& scalar : kScalars) {
    auto index = space.find(scalar.key);
    if (!index) options.fail_message(fmt::format("model coercion needs parameter '{}' under 'parameters'", scalar.key));
    s.*scalar.slot = *index;
  }
  s.loss_misperception = space.find("loss_misperception");  // version 3, optional
  s.override_cost = space.find("override_cost");             // version 4, each optional
  s.threat_review = space.find("threat_review");
  s.selectivity = space.find("selectivity");
  s.threat_warning = space.find("threat_warning");
  s.warnings_modelled = s.threat_warning && !is_zero(space[*s.threat_warning].distribution);
  read_countries(s, load_data_file(options, "countries"));
  read_issues(s, space, load_data_file(options, "issues"));
  read_goods(s, space, load_data_file(options, "goods"));
  read_salience(s, space, load_data_file(options, "salience"));
  const ConfigNode policies = options.at("policies");
  for (const auto& name : policies.keys()) read_policy(s, space, name, policies.at(name));
  if (s.policies.empty()) policies.fail("no policies", "at least one policy");
  if (auto reference = options.find("reference_policy")) {
    std::vector<std::string> names;
    for (const auto& p : s.policies) names.push_back(p.name);
    s.reference_policy = index_of(names, reference->as_string(), *reference, "policy");
  }
  s.episode_quantiles = options.get_bool("episode_quantiles", false);
  if (options.has("cases")) {
    if (options.has("episodes"))
      options.at("episodes").fail("episodes beside cases", "either episodes or a case library (its cases are the episodes)");
    // One library, or several read in order (a case id twice is refused as an episode listed twice).
    const ConfigNode cases = options.at("cases");
    const auto libraries = cases.is_sequence() ? cases.items() : std::vector<ConfigNode>{cases};
    if (libraries.empty()) cases.fail("an empty list", "a case library file, or a list of at least one");
    for (const auto& library : libraries) {
      const auto path = data_path(library);
      read_cases(s, space, ConfigNode::load_file(path.string()), path);
    }
  } else {
    read_episodes(s, space, options.find("episodes"));
  }
  options.reject_unknown_keys();
  return s;
}

}  // namespace deterrence::coercion
