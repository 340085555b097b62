#include "calibration/calibration_io.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "version.h"

namespace deterrence {

namespace {

// Labelled axes (dimension scales, as xarray and netCDF read them): parameter and case carry
// their names; draw, class and round are dimensions without values.
void label_calibration_axes(hid_t group, std::uint64_t draws, std::uint64_t classes, std::uint64_t rounds) {
  h5::make_scale(group, "parameter");
  h5::make_scale(group, "case");
  h5::write_dimension_only(group, "draw", draws);
  h5::write_dimension_only(group, "class", classes);
  h5::write_dimension_only(group, "round", rounds);
  const std::pair<const char*, std::vector<const char*>> axes[] = {
      {"round_effective_sample_size", {"round"}},
      {"log_proposal", {"draw"}},
      {"log_likelihood", {"draw"}},
      {"weight", {"draw"}},
      {"theta", {"draw", "parameter"}},
      {"p_class", {"draw", "case", "class"}},
      {"conditioned", {"draw", "case"}}};
  for (const auto& [name, dims] : axes)
    for (unsigned axis = 0; axis < dims.size(); ++axis) h5::attach_scale(group, name, dims[axis], axis);
  h5::attach_scale(group, "prior_distribution", "parameter", 0);
  for (const char* name : {"prior_mean", "prior_sd", "prior_q05", "prior_q50", "prior_q95", "posterior_mean",
                           "posterior_sd", "posterior_q05", "posterior_q50", "posterior_q95", "at_prior_edge"})
    h5::attach_scale(group, name, "parameter", 0);
  for (const char* name : {"case_year", "p_in_sample", "p_loo", "pareto_k_loo", "loo_log_score", "base_log_score",
                           "loo_brier", "base_brier", "unconditioned_share", "p_held_out", "loo_method",
                           "p_observed_q05", "p_observed_q50", "p_observed_q95", "missed_everywhere"})
    h5::attach_scale(group, name, "case", 0);
}

}  // namespace

void write_calibration(hid_t file, const ParameterSpace& model_parameters, const CalibrationSettings& settings,
                       const CalibrationDraws& d,
                       const CalibrationSummary& s) {
  h5::Handle group = h5::create_group(file, "calibration");
  const std::uint64_t N = d.log_likelihood.size(), C = d.cases, K = d.classes, G = d.globals.size();
  h5::write_attribute(group, "description",
                      std::string("global parameters conditioned on the historical cases: prior draws weighted by the "
                                  "product of the cases' likelihoods (docs/model.md §8; README \"Calibration\")"));
  h5::write_attribute(group, "draws", N);
  h5::write_attribute(group, "inner_plays", settings.inner);
  h5::write_attribute(group, "seed", settings.seed);
  h5::write_attribute(group, "hold_out_from", static_cast<std::uint64_t>(std::max<long long>(0, settings.hold_out_from)));
  h5::write_attribute(group, "effective_sample_size", s.ess);
  h5::write_attribute(group, "rounds", static_cast<std::uint64_t>(d.round_ess.size()));
  h5::write_doubles(group, "round_effective_sample_size", d.round_ess, {d.round_ess.size()});
  h5::write_doubles(group, "log_proposal", d.log_proposal, {N});
  h5::write_attribute(group, "pareto_k", s.k_hat);
  h5::write_attribute(group, "elpd_loo", s.elpd_loo);
  h5::write_attribute(group, "elpd_loo_se", s.elpd_loo_se);
  h5::write_attribute(group, "mean_loo_log_score", s.mean_loo_log);
  h5::write_attribute(group, "mean_base_log_score", s.mean_base_log);
  h5::write_attribute(group, "mean_loo_brier", s.mean_loo_brier);
  h5::write_attribute(group, "mean_base_brier", s.mean_base_brier);
  h5::write_attribute(group, "held_out_cases", static_cast<std::uint64_t>(s.held_out_count));
  h5::write_attribute(group, "held_out_ess", s.held_ess);
  h5::write_attribute(group, "mean_held_log_score", s.mean_held_log);
  h5::write_attribute(group, "mean_held_base_log_score", s.mean_held_base_log);
  h5::write_attribute(group, "mean_held_brier", s.mean_held_brier);
  h5::write_attribute(group, "mean_held_base_brier", s.mean_held_base_brier);
  h5::write_attribute(group, "zero_estimates",
                      std::string("each case's class probabilities are Jeffreys-smoothed counts of K inner plays, so "
                                  "ln p_c >= -ln(2K + 4); a case whose condition no inner play met contributes nothing "
                                  "for that draw (its share is unconditioned_share)"));
  std::vector<std::string> names;
  for (const auto& p : s.parameters) names.push_back(p.name);
  h5::write_strings(group, "parameter", names);
  {  // the priors θ was drawn from, as `run --posterior` checks them
    std::vector<std::string> priors;
    for (const std::size_t index : d.globals) priors.push_back(model_parameters[index].distribution.describe());
    h5::write_strings(group, "prior_distribution", priors);
  }
  h5::write_doubles(group, "theta", d.theta, {N, G});
  h5::write_doubles(group, "log_likelihood", d.log_likelihood, {N});
  h5::write_doubles(group, "weight", s.weights, {N});
  h5::write_doubles(group, "p_class", d.p_class, {N, C, K});
  h5::write_u64(group, "conditioned", std::vector<std::uint64_t>(d.conditioned.begin(), d.conditioned.end()), {N, C});
  const auto column = [&](auto get) {
    std::vector<double> v;
    for (const auto& p : s.parameters) v.push_back(get(p));
    return v;
  };
  h5::write_doubles(group, "prior_mean", column([](const auto& p) { return p.prior_mean; }), {G});
  h5::write_doubles(group, "prior_sd", column([](const auto& p) { return p.prior_sd; }), {G});
  h5::write_doubles(group, "prior_q05", column([](const auto& p) { return p.prior_q05; }), {G});
  h5::write_doubles(group, "prior_q50", column([](const auto& p) { return p.prior_q50; }), {G});
  h5::write_doubles(group, "prior_q95", column([](const auto& p) { return p.prior_q95; }), {G});
  h5::write_doubles(group, "posterior_mean", column([](const auto& p) { return p.mean; }), {G});
  h5::write_doubles(group, "posterior_sd", column([](const auto& p) { return p.sd; }), {G});
  h5::write_doubles(group, "posterior_q05", column([](const auto& p) { return p.q05; }), {G});
  h5::write_doubles(group, "posterior_q50", column([](const auto& p) { return p.q50; }), {G});
  h5::write_doubles(group, "posterior_q95", column([](const auto& p) { return p.q95; }), {G});
  h5::write_u64(group, "at_prior_edge", [&] {
    std::vector<std::uint64_t> v;
    for (const auto& p : s.parameters) v.push_back(p.at_edge ? 1 : 0);
    return v;
  }(), {G});
  std::vector<std::string> ids, years;
  for (const auto& c : s.cases) {
    ids.push_back(c.id);
    years.push_back(c.year);
  }
  h5::write_strings(group, "case", ids);
  h5::write_strings(group, "case_year", years);
  const auto case_column = [&](auto get) {
    std::vector<double> v;
    for (const auto& c : s.cases) v.push_back(get(c));
    return v;
  };
  h5::write_doubles(group, "p_in_sample", case_column([](const auto& c) { return c.p_in_sample; }), {C});
  h5::write_doubles(group, "p_loo", case_column([](const auto& c) { return c.p_loo; }), {C});
  h5::write_doubles(group, "pareto_k_loo", case_column([](const auto& c) { return c.k_hat; }), {C});
  h5::write_doubles(group, "loo_log_score", case_column([](const auto& c) { return c.loo_log; }), {C});
  h5::write_doubles(group, "base_log_score", case_column([](const auto& c) { return c.base_log; }), {C});
  h5::write_doubles(group, "loo_brier", case_column([](const auto& c) { return c.loo_brier; }), {C});
  h5::write_doubles(group, "base_brier", case_column([](const auto& c) { return c.base_brier; }), {C});
  h5::write_doubles(group, "unconditioned_share", case_column([](const auto& c) { return c.unconditioned_share; }), {C});
  h5::write_doubles(group, "p_held_out", case_column([](const auto& c) { return c.held_out ? c.p_held_out : NAN; }), {C});
  h5::write_strings(group, "loo_method", [&] {
    std::vector<std::string> v;
    for (const auto& c : s.cases) v.push_back(c.loo_refit ? "exact refit" : "psis");
    return v;
  }());
  h5::write_doubles(group, "p_observed_q05", case_column([](const auto& c) { return c.p_obs_q05; }), {C});
  h5::write_doubles(group, "p_observed_q50", case_column([](const auto& c) { return c.p_obs_q50; }), {C});
  h5::write_doubles(group, "p_observed_q95", case_column([](const auto& c) { return c.p_obs_q95; }), {C});
  h5::write_u64(group, "missed_everywhere", [&] {
    std::vector<std::uint64_t> v;
    for (const auto& c : s.cases) v.push_back(c.missed_everywhere ? 1 : 0);
    return v;
  }(), {C});
  h5::write_attribute(group, "method", d.method);
  h5::write_attribute(group, "loo_refits", static_cast<std::uint64_t>(s.loo_refits));
  h5::write_attribute(group, "refit_above_k", settings.refit_above_k);
  h5::write_attribute(group, "distinct_draws", s.distinct_draws);
  h5::write_attribute(group, "log_evidence", d.log_evidence);
  h5::write_attribute(group, "hold_out", [&] {
    std::string ids;
    for (const auto& id : settings.hold_out_ids) ids += (ids.empty() ? "" : ",") + id;
    return ids;
  }());
  if (d.method == "smc") {
    h5::Handle smc = h5::create_group(group, "smc");
    h5::write_attribute(smc, "description",
                        std::string("tempered sequential Monte Carlo (calibration/smc.h): per stage its end on the path "
                                    "t, its ESS (round_effective_sample_size), log increment, moves, acceptance, "
                                    "correlation with the stage's start and the walk's scale; the likelihood's "
                                    "replicate estimates at the posterior mean; exact leave-one-out refits"));
    h5::write_attribute(smc, "cess_fraction", settings.cess_fraction);
    h5::write_attribute(smc, "max_moves", static_cast<std::uint64_t>(settings.max_moves));
    h5::write_attribute(smc, "decorrelation", settings.decorrelation);
    const std::uint64_t S = d.stage_t.size();
    h5::write_doubles(smc, "stage_t", d.stage_t, {S});
    h5::write_doubles(smc, "stage_log_increment", d.stage_log_increment, {S});
    h5::write_doubles(smc, "stage_acceptance", d.stage_acceptance, {S});
    h5::write_doubles(smc, "stage_correlation", d.stage_correlation, {S});
    h5::write_doubles(smc, "stage_scale", d.stage_scale, {S});
    h5::write_u64(smc, "stage_moves", std::vector<std::uint64_t>(d.stage_moves.begin(), d.stage_moves.end()), {S});
    h5::write_doubles(smc, "replicate_log_likelihood", d.replicate_log_likelihood, {d.replicate_log_likelihood.size()});
    h5::write_doubles(smc, "loo_refit_log_ratio", d.loo_refit_log_ratio, {C});
    h5::write_strings(smc, "category", d.category_names);
    h5::write_doubles(smc, "case_category_share", d.case_category_share, {C, d.category_names.size()});
    h5::write_u64(smc, "loo_refit_stages", std::vector<std::uint64_t>(d.loo_refit_stages.begin(), d.loo_refit_stages.end()), {C});
  }
  {  // the forecasts made without the model (calibration/feature_rules.h)
    h5::Handle rules = h5::create_group(group, "feature_rules");
    h5::write_attribute(rules, "description",
                        std::string("each case forecast by the other cases (leave-one-out; held out: the cases fitted "
                                    "on) sharing its feature, +1/2 pseudo-count per class; log and Brier scores"));
    std::vector<std::string> names;
    std::vector<double> loo_log, loo_brier, held_log, held_brier, per_case_log;
    for (const auto& r : s.rules) {
      names.push_back(r.name);
      loo_log.push_back(r.mean_loo_log);
      loo_brier.push_back(r.mean_loo_brier);
      held_log.push_back(r.mean_held_log);
      held_brier.push_back(r.mean_held_brier);
      per_case_log.insert(per_case_log.end(), r.loo_log.begin(), r.loo_log.end());
    }
    const std::uint64_t R = names.size();
    h5::write_strings(rules, "rule", names);
    h5::write_doubles(rules, "mean_loo_log_score", loo_log, {R});
    h5::write_doubles(rules, "mean_loo_brier", loo_brier, {R});
    h5::write_doubles(rules, "mean_held_log_score", held_log, {R});
    h5::write_doubles(rules, "mean_held_brier", held_brier, {R});
    h5::write_doubles(rules, "loo_log_score", per_case_log, {R, C});
  }
  label_calibration_axes(group, N, K, d.round_ess.size());
}

void write_round_checkpoint(hid_t file, const std::string& config_hash, const CalibrationSettings& settings,
                            const CalibrationDraws& d) {
  h5::Handle g = h5::create_group(file, "calibration_state");
  h5::write_attribute(g, "description", std::string("a calibration's state after its completed rounds (resume)"));
  h5::write_attribute(g, "config_hash", config_hash);
  h5::write_attribute(g, "engine_version", std::string(kEngineVersion));
  h5::write_attribute(g, "seed", settings.seed);
  h5::write_attribute(g, "draws", settings.draws);
  h5::write_attribute(g, "inner_plays", settings.inner);
  h5::write_attribute(g, "chunk_size", static_cast<std::uint64_t>(settings.chunk_size));
  h5::write_attribute(g, "cases", static_cast<std::uint64_t>(d.cases));
  h5::write_attribute(g, "classes", static_cast<std::uint64_t>(d.classes));
  const std::uint64_t N = d.log_likelihood.size(), G = d.globals.size();
  h5::write_u64(g, "globals", std::vector<std::uint64_t>(d.globals.begin(), d.globals.end()), {G});
  h5::write_doubles(g, "theta", d.theta, {N, G});
  h5::write_doubles(g, "prior_theta", d.prior_theta, {N, G});
  h5::write_doubles(g, "p_class", d.p_class, {N, d.cases, d.classes});
  h5::write_u64(g, "conditioned", std::vector<std::uint64_t>(d.conditioned.begin(), d.conditioned.end()), {N, d.cases});
  h5::write_doubles(g, "log_likelihood", d.log_likelihood, {N});
  h5::write_doubles(g, "log_proposal", d.log_proposal, {N});
  h5::write_doubles(g, "round_effective_sample_size", d.round_ess, {d.round_ess.size()});
}

CalibrationDraws read_round_checkpoint(hid_t file, const std::string& path, const std::string& config_hash,
                                       const CalibrationSettings& settings) {
  h5::Handle g = h5::open_group(file, "calibration_state");
  const auto refuse = [&](const std::string& what) {
    return std::runtime_error(fmt::format("cannot resume: the checkpoint {} was made with another {}; pass --force to "
                                          "start over",
                                          path, what));
  };
  if (h5::read_string_attribute(g, "config_hash") != config_hash) throw refuse("config or inputs");
  // Another engine version may draw other numbers from the same seed (0.2.0: new normal quantile,
  // beta tails; 0.3.0: policies of many members sum in threshold order; 0.3.1: Ishigami's sines).
  if (!h5::has_attribute(g, "engine_version") || h5::read_string_attribute(g, "engine_version") != kEngineVersion)
    throw refuse("engine version");
  if (h5::read_u64_attribute(g, "seed") != settings.seed) throw refuse("seed");
  if (h5::read_u64_attribute(g, "draws") != settings.draws) throw refuse("number of draws");
  if (h5::read_u64_attribute(g, "inner_plays") != settings.inner) throw refuse("number of inner plays");
  if (h5::read_u64_attribute(g, "chunk_size") != settings.chunk_size) throw refuse("chunk size");
  CalibrationDraws d;
  d.cases = h5::read_u64_attribute(g, "cases");
  d.classes = h5::read_u64_attribute(g, "classes");
  for (const auto v : h5::read_u64(g, "globals")) d.globals.push_back(static_cast<std::size_t>(v));
  d.theta = h5::read_doubles(g, "theta");
  d.prior_theta = h5::read_doubles(g, "prior_theta");
  d.p_class = h5::read_doubles(g, "p_class");
  for (const auto v : h5::read_u64(g, "conditioned")) d.conditioned.push_back(static_cast<std::uint32_t>(v));
  d.log_likelihood = h5::read_doubles(g, "log_likelihood");
  d.log_proposal = h5::read_doubles(g, "log_proposal");
  d.round_ess = h5::read_doubles(g, "round_effective_sample_size");
  const std::size_t N = settings.draws, G = d.globals.size();
  if (d.theta.size() != N * G || d.prior_theta.size() != N * G || d.p_class.size() != N * d.cases * d.classes ||
      d.conditioned.size() != N * d.cases || d.log_likelihood.size() != N || d.log_proposal.size() != N ||
      d.round_ess.empty())
    throw std::runtime_error(fmt::format("{}: a calibration checkpoint whose arrays do not fit its draws; pass --force "
                                         "to start over",
                                         path));
  return d;
}

namespace {

// The settings an SMC checkpoint must have been made with, as (name, value) pairs.
std::vector<std::pair<const char*, double>> smc_identity(const CalibrationSettings& s) {
  return {{"seed", static_cast<double>(s.seed)},        {"particles", static_cast<double>(s.draws)},
          {"inner_plays", static_cast<double>(s.inner)}, {"cess_fraction", s.cess_fraction},
          {"max_moves", static_cast<double>(s.max_moves)}, {"decorrelation", s.decorrelation}};
}

}  // namespace

void write_smc_checkpoint(hid_t file, const std::string& config_hash, const CalibrationSettings& settings,
                          const SmcState& state) {
  h5::Handle g = h5::create_group(file, "smc_state");
  h5::write_attribute(g, "description", std::string("a sequential Monte Carlo calibration after its completed stages (resume)"));
  h5::write_attribute(g, "config_hash", config_hash);
  h5::write_attribute(g, "engine_version", std::string(kEngineVersion));
  for (const auto& [name, value] : smc_identity(settings)) h5::write_attribute(g, name, value);
  const Particles& p = state.particles;
  h5::write_attribute(g, "globals", static_cast<std::uint64_t>(p.globals));
  h5::write_attribute(g, "cases", static_cast<std::uint64_t>(p.cases));
  h5::write_attribute(g, "classes", static_cast<std::uint64_t>(p.classes));
  h5::write_attribute(g, "t", state.t);
  h5::write_attribute(g, "log_ratio", state.log_ratio);
  h5::write_attribute(g, "scale", state.scale);
  const std::uint64_t N = p.count, G = p.globals, C = p.cases, K = p.classes, S = state.stages.size();
  h5::write_doubles(g, "z", p.z, {N, G});
  h5::write_doubles(g, "theta", p.theta, {N, G});
  h5::write_doubles(g, "log_p_case", p.log_p_case, {N, C});
  h5::write_doubles(g, "p_class", p.p_class, {N, C, K});
  h5::write_u64(g, "conditioned", std::vector<std::uint64_t>(p.conditioned.begin(), p.conditioned.end()), {N, C});
  h5::write_doubles(g, "log_weight", p.log_weight, {N});
  std::vector<double> records;  // [stage, field]
  for (const auto& r : state.stages)
    records.insert(records.end(), {r.t, r.ess, r.log_increment, r.resampled ? 1.0 : 0.0, static_cast<double>(r.moves),
                                   r.acceptance, r.correlation, r.scale, r.seconds});
  h5::write_doubles(g, "stages", records, {S, 9});
}

SmcState read_smc_checkpoint(hid_t file, const std::string& path, const std::string& config_hash,
                             const CalibrationSettings& settings) {
  if (!h5::exists(file, "smc_state"))
    throw std::runtime_error(fmt::format("{}: not a sequential Monte Carlo checkpoint; pass --force to start over", path));
  h5::Handle g = h5::open_group(file, "smc_state");
  const auto refuse = [&](const std::string& what) {
    return std::runtime_error(
        fmt::format("cannot resume: the checkpoint {} was made with another {}; pass --force to start over", path, what));
  };
  if (h5::read_string_attribute(g, "config_hash") != config_hash) throw refuse("config or inputs");
  if (!h5::has_attribute(g, "engine_version") || h5::read_string_attribute(g, "engine_version") != kEngineVersion)
    throw refuse("engine version");
  for (const auto& [name, value] : smc_identity(settings))
    if (!h5::has_attribute(g, name) || h5::read_double_attribute(g, name) != value) throw refuse(name);
  SmcState state;
  Particles& p = state.particles;
  p.count = settings.draws;
  p.globals = h5::read_u64_attribute(g, "globals");
  p.cases = h5::read_u64_attribute(g, "cases");
  p.classes = h5::read_u64_attribute(g, "classes");
  state.t = h5::read_double_attribute(g, "t");
  state.log_ratio = h5::read_double_attribute(g, "log_ratio");
  state.scale = h5::read_double_attribute(g, "scale");
  p.z = h5::read_doubles(g, "z");
  p.theta = h5::read_doubles(g, "theta");
  p.log_p_case = h5::read_doubles(g, "log_p_case");
  p.p_class = h5::read_doubles(g, "p_class");
  for (const auto v : h5::read_u64(g, "conditioned")) p.conditioned.push_back(static_cast<std::uint32_t>(v));
  p.log_weight = h5::read_doubles(g, "log_weight");
  const auto records = h5::read_doubles(g, "stages");
  const std::size_t N = p.count, G = p.globals, C = p.cases, K = p.classes;
  if (G > 100000 || C > 100000 || K > 1000 || p.z.size() != N * G || p.theta.size() != N * G ||
      p.log_p_case.size() != N * C || p.p_class.size() != N * C * K || p.conditioned.size() != N * C ||
      p.log_weight.size() != N || records.size() % 9 != 0 || !(state.t >= 0 && state.t <= 1))
    throw std::runtime_error(
        fmt::format("{}: a calibration checkpoint whose arrays do not fit its particles; pass --force to start over", path));
  for (std::size_t s = 0; s < records.size(); s += 9) {
    StageRecord r;
    r.t = records[s];
    r.ess = records[s + 1];
    r.log_increment = records[s + 2];
    r.resampled = records[s + 3] != 0;
    r.moves = static_cast<std::uint32_t>(records[s + 4]);
    r.acceptance = records[s + 5];
    r.correlation = records[s + 6];
    r.scale = records[s + 7];
    r.seconds = records[s + 8];
    state.stages.push_back(r);
  }
  return state;
}

void write_simulated_record(hid_t file, const SimulatedRecord& record, const std::vector<CaseSpec>& cases,
                            std::uint64_t max_plays) {
  h5::Handle g = h5::create_group(h5::open_group(file, "calibration"), "simulated_record");
  h5::write_attribute(g, "description",
                      std::string("simulation-based calibration: the cases observed what the model played at theta_star "
                                  "(prior draw `draw` under `seed`); each case the class of the first of up to "
                                  "max_plays plays meeting its condition, \"\" when none did (left out)"));
  h5::write_attribute(g, "seed", record.seed);
  h5::write_attribute(g, "draw", record.draw);
  h5::write_attribute(g, "max_plays", max_plays);
  h5::write_doubles(g, "theta_star", record.theta_star, {record.theta_star.size()});
  std::vector<std::string> ids;
  for (const auto& c : cases) ids.push_back(c.id);
  h5::write_strings(g, "case", ids);
  h5::write_strings(g, "observed", record.observed);
}

void print_feature_rules(hid_t calibration, std::FILE* out) {
  h5::Handle r = h5::open_group(calibration, "feature_rules");
  const auto names = h5::read_strings(r, "rule");
  const auto loo = h5::read_doubles(r, "mean_loo_log_score"), brier = h5::read_doubles(r, "mean_loo_brier"),
             held = h5::read_doubles(r, "mean_held_log_score"), held_brier = h5::read_doubles(r, "mean_held_brier");
  if (loo.size() != names.size() || brier.size() != names.size() || held.size() != names.size() ||
      held_brier.size() != names.size() || names.empty())
    throw h5::Error("/calibration/feature_rules: its columns differ in length");
  const double model_loo = h5::read_double_attribute(calibration, "mean_loo_log_score");
  const bool has_held = h5::read_u64_attribute(calibration, "held_out_cases") > 0;
  const double model_held = has_held ? h5::read_double_attribute(calibration, "mean_held_log_score") : NAN;
  fmt::print(out, "\n{:<26} {:>10} {:>8} {:>10} {:>8}   (mean scores; lower is better)\n", "forecast", "loo log", "Brier",
             "held log", "Brier");
  fmt::print(out, "{:<26} {:>10.3f} {:>8.3f} {:>10} {:>8}\n", "the game", model_loo,
             h5::read_double_attribute(calibration, "mean_loo_brier"), has_held ? fmt::format("{:.3f}", model_held) : "-",
             has_held ? fmt::format("{:.3f}", h5::read_double_attribute(calibration, "mean_held_brier")) : "-");
  std::size_t best = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    fmt::print(out, "{:<26} {:>10.3f} {:>8.3f} {:>10} {:>8}\n", names[i], loo[i], brier[i],
               std::isnan(held[i]) ? std::string("-") : fmt::format("{:.3f}", held[i]),
               std::isnan(held_brier[i]) ? std::string("-") : fmt::format("{:.3f}", held_brier[i]));
    if (loo[i] < loo[best]) best = i;
  }
  fmt::print(out, "Out of sample (leave-one-out log score) the game forecasts {} the best rule without it ({}: {:.3f} "
                  "against the game's {:.3f}).\n",
             model_loo < loo[best] ? "better than" : "worse than", names[best], loo[best], model_loo);
  if (has_held) {
    std::size_t best_held = 0;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (held[i] < held[best_held]) best_held = i;
    fmt::print(out, "On the held-out cases the game forecasts {} the best rule without it ({}: {:.3f} against {:.3f}).\n",
               model_held < held[best_held] ? "better than" : "worse than", names[best_held], held[best_held], model_held);
  }
}

bool print_calibration(hid_t file, std::FILE* out) {
  if (!h5::exists(file, "calibration")) return false;
  h5::Handle g = h5::open_group(file, "calibration");
  const auto names = h5::read_strings(g, "parameter");
  const auto pm = h5::read_doubles(g, "prior_mean"), p5 = h5::read_doubles(g, "prior_q05"), p95 = h5::read_doubles(g, "prior_q95");
  const auto qm = h5::read_doubles(g, "posterior_mean"), q5 = h5::read_doubles(g, "posterior_q05"),
             q95 = h5::read_doubles(g, "posterior_q95");
  const auto edge = h5::read_u64(g, "at_prior_edge");
  const std::size_t G = names.size();
  if (pm.size() != G || p5.size() != G || p95.size() != G || qm.size() != G || q5.size() != G || q95.size() != G ||
      edge.size() != G)
    throw h5::Error("/calibration: its parameter columns differ in length");
  const std::string method = h5::has_attribute(g, "method") ? h5::read_string_attribute(g, "method") : "importance";
  const bool smc = method == "smc";
  if (smc) {
    h5::Handle sg = h5::open_group(g, "smc");
    const auto ess = h5::read_doubles(g, "round_effective_sample_size");
    const auto moves = h5::read_u64(sg, "stage_moves");
    const auto acceptance = h5::read_doubles(sg, "stage_acceptance");
    const auto replicates = h5::read_doubles(sg, "replicate_log_likelihood");
    std::uint64_t total_moves = 0;
    double mean_acceptance = 0;
    for (std::size_t i = 0; i < moves.size() && i < acceptance.size(); ++i) {
      total_moves += moves[i];
      mean_acceptance += acceptance[i] / static_cast<double>(moves.size());
    }
    double m = 0, v = 0;
    for (double x : replicates) m += x / static_cast<double>(replicates.size());
    for (double x : replicates) v += (x - m) * (x - m) / std::max<double>(1.0, static_cast<double>(replicates.size()) - 1.0);
    fmt::print(out, "Calibration by tempered sequential Monte Carlo: {} particles, {} inner plays per likelihood estimate\n",
               h5::read_u64_attribute(g, "draws"), h5::read_u64_attribute(g, "inner_plays"));
    fmt::print(out, "{} stages, {} move sweeps (mean acceptance {:.2f}); final ESS {:.0f} of {}, {} distinct draws\n",
               ess.size(), total_moves, mean_acceptance, ess.empty() ? 0.0 : ess.back(), h5::read_u64_attribute(g, "draws"),
               h5::read_double_attribute(g, "distinct_draws"));
    fmt::print(out, "log evidence ln p(record) {:.2f}; sd of the log-likelihood estimate at the posterior mean {:.2f} "
                    "({} replicates)\n\n",
               h5::read_double_attribute(g, "log_evidence"), std::sqrt(v), replicates.size());
  } else {
    fmt::print(out, "Calibration: {} draws of the global parameters, {} inner plays per draw and case\n",
               h5::read_u64_attribute(g, "draws"), h5::read_u64_attribute(g, "inner_plays"));
  }
  if (!smc && h5::exists(g, "round_effective_sample_size")) {
    std::string rounds;
    for (double e : h5::read_doubles(g, "round_effective_sample_size")) rounds += fmt::format("{}{:.1f}", rounds.empty() ? "" : ", ", e);
    fmt::print(out, "effective sample size by round (1: the prior; then adaptive proposals): {}\n", rounds);
  }
  if (!smc)
    fmt::print(out, "effective sample size {:.1f}; Pareto k of the posterior weights {:.2f} (> 0.7: the prior draws "
                    "hardly reach the posterior; more draws, or a narrower proposal, are needed)\n\n",
               h5::read_double_attribute(g, "effective_sample_size"), h5::read_double_attribute(g, "pareto_k"));
  fmt::print(out, "{:<34} {:>30} {:>30}\n", "parameter", "prior mean [5%, 95%]", "posterior mean [5%, 95%]");
  for (std::size_t i = 0; i < G; ++i)
    fmt::print(out, "{:<34} {:>10.4g} [{:>8.4g}, {:>8.4g}] {:>10.4g} [{:>8.4g}, {:>8.4g}]{}\n", names[i].substr(0, 34), pm[i],
               p5[i], p95[i], qm[i], q5[i], q95[i], edge[i] ? "  at the prior's edge" : "");
  const auto ids = h5::read_strings(g, "case");
  const auto loo = h5::read_doubles(g, "p_loo"), k = h5::read_doubles(g, "pareto_k_loo"),
             ll = h5::read_doubles(g, "loo_log_score"), bl = h5::read_doubles(g, "base_log_score"),
             held = h5::read_doubles(g, "p_held_out");
  const std::size_t C = ids.size();
  if (loo.size() != C || k.size() != C || ll.size() != C || bl.size() != C || held.size() != C)
    throw h5::Error("/calibration: its case columns differ in length");
  const bool has_method = h5::exists(g, "loo_method");
  const auto loo_method = has_method ? h5::read_strings(g, "loo_method") : std::vector<std::string>(C, "psis");
  const auto obs05 = has_method ? h5::read_doubles(g, "p_observed_q05") : std::vector<double>(C, NAN);
  const auto obs95 = has_method ? h5::read_doubles(g, "p_observed_q95") : std::vector<double>(C, NAN);
  const auto missed = has_method ? h5::read_u64(g, "missed_everywhere") : std::vector<std::uint64_t>(C, 0);
  if (loo_method.size() != C || obs05.size() != C || obs95.size() != C || missed.size() != C)
    throw h5::Error("/calibration: its case columns differ in length");
  fmt::print(out, "\n{:<30} {:>10} {:>7} {:>7} {:>8} {:>8} {:>10} {:>19}\n", "case (leave-one-out)", "P(obs.)", "k", "by",
             "log", "base", "held out", "P(obs.|θ) 5-95%");
  std::size_t refits = 0;
  for (std::size_t i = 0; i < C; ++i) {
    refits += loo_method[i] != "psis";
    fmt::print(out, "{:<30} {:>10.4f} {:>7.2f} {:>7} {:>8.3f} {:>8.3f} {:>10} {:>19}{}\n", ids[i].substr(0, 30), loo[i],
               k[i], loo_method[i] == "psis" ? "psis" : "refit", ll[i], bl[i],
               std::isnan(held[i]) ? std::string("-") : fmt::format("{:.4f}", held[i]),
               std::isnan(obs05[i]) ? std::string("never met") : fmt::format("{:.4f}-{:.4f}", obs05[i], obs95[i]),
               missed[i] ? "  missed: < 1% in every posterior draw" : "");
  }
  if (has_method && smc)
    fmt::print(out, "leave-one-out by PSIS where k <= {:.1f}; {} cases above it (or with no tail to fit) refitted exactly "
                    "(the posterior tempered to leave the case out)\n",
               h5::read_double_attribute(g, "refit_above_k"), refits);
  std::size_t unreliable = 0;
  for (std::size_t i = 0; i < C; ++i) unreliable += loo_method[i] == "psis" && !(k[i] <= 0.7);
  if (unreliable)
    fmt::print(out, "warning: {} cases' leave-one-out rests on PSIS with k > 0.7 (or no fitted tail): those estimates are "
                    "not reliable (--method smc refits them exactly)\n",
               unreliable);
  fmt::print(out, "\nleave-one-out ({}): elpd {:.2f} (se {:.2f}); mean log score {:.3f} against {:.3f} for the base "
                  "rate; mean Brier {:.3f} against {:.3f}\n",
             refits ? "PSIS, and exact refits where k > 0.7" : "PSIS",
             h5::read_double_attribute(g, "elpd_loo"), h5::read_double_attribute(g, "elpd_loo_se"),
             h5::read_double_attribute(g, "mean_loo_log_score"), h5::read_double_attribute(g, "mean_base_log_score"),
             h5::read_double_attribute(g, "mean_loo_brier"), h5::read_double_attribute(g, "mean_base_brier"));
  if (h5::read_u64_attribute(g, "held_out_cases") > 0)
    fmt::print(out, "held out from {}: {} cases; mean log score {:.3f} against {:.3f}; mean Brier {:.3f} against {:.3f} "
                    "(fit ESS {:.1f})\n",
               h5::read_u64_attribute(g, "hold_out_from"), h5::read_u64_attribute(g, "held_out_cases"),
               h5::read_double_attribute(g, "mean_held_log_score"), h5::read_double_attribute(g, "mean_held_base_log_score"),
               h5::read_double_attribute(g, "mean_held_brier"), h5::read_double_attribute(g, "mean_held_base_brier"),
               h5::read_double_attribute(g, "held_out_ess"));
  if (smc && h5::exists(h5::open_group(g, "smc"), "category")) {  // where the missed cases are decided
    h5::Handle sg = h5::open_group(g, "smc");
    const auto categories = h5::read_strings(sg, "category");
    const auto share = h5::read_doubles(sg, "case_category_share");
    const auto cond = h5::read_doubles(g, "unconditioned_share");
    if (share.size() != C * categories.size() || cond.size() != C)
      throw h5::Error("/calibration/smc/case_category_share does not fit its cases and categories");
    std::string lines;
    for (std::size_t i = 0; i < C; ++i) {
      if (!(loo[i] < 0.05) && !missed[i]) continue;
      std::size_t top = 0;
      for (std::size_t k = 1; k < categories.size(); ++k)
        if (share[i * categories.size() + k] > share[i * categories.size() + top]) top = k;
      lines += fmt::format("  {:<30} leave-one-out P(obs.) {:.4f}; its plays end {} in {:.1f}% (all posterior draws "
                           "weighed)\n",
                           ids[i].substr(0, 30), loo[i], categories[top], 100 * share[i * categories.size() + top]);
    }
    if (!lines.empty()) fmt::print(out, "\nwhere the cases forecast below 5% are decided:\n{}", lines);
  }
  if (h5::exists(g, "feature_rules")) print_feature_rules(g, out);
  return true;
}

}  // namespace deterrence
