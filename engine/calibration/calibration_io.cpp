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
                           "loo_brier", "base_brier", "unconditioned_share", "p_held_out"})
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
  fmt::print(out, "Calibration: {} draws of the global parameters, {} inner plays per draw and case\n",
             h5::read_u64_attribute(g, "draws"), h5::read_u64_attribute(g, "inner_plays"));
  if (h5::exists(g, "round_effective_sample_size")) {
    std::string rounds;
    for (double e : h5::read_doubles(g, "round_effective_sample_size")) rounds += fmt::format("{}{:.1f}", rounds.empty() ? "" : ", ", e);
    fmt::print(out, "effective sample size by round (1: the prior; then adaptive proposals): {}\n", rounds);
  }
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
  fmt::print(out, "\n{:<30} {:>10} {:>7} {:>8} {:>8} {:>10}\n", "case (leave-one-out)", "P(obs.)", "k", "log", "base",
             "held out");
  for (std::size_t i = 0; i < C; ++i)
    fmt::print(out, "{:<30} {:>10.4f} {:>7.2f} {:>8.3f} {:>8.3f} {:>10}\n", ids[i].substr(0, 30), loo[i], k[i], ll[i], bl[i],
               std::isnan(held[i]) ? std::string("-") : fmt::format("{:.4f}", held[i]));
  fmt::print(out, "\nleave-one-out (PSIS): elpd {:.2f} (se {:.2f}); mean log score {:.3f} against {:.3f} for the base "
                  "rate; mean Brier {:.3f} against {:.3f}\n",
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
  return true;
}

}  // namespace deterrence
