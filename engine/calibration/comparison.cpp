#include "calibration/comparison.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "io/metadata_digest.h"
#include "io/results_reader.h"

namespace deterrence {

namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// The standard error of a sum of n pointwise terms: sqrt(n · their sample variance).
double sum_se(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  if (v.size() < 2) return NAN;
  const double mean = sum(v) / n;
  double squares = 0;
  for (double x : v) squares += (x - mean) * (x - mean);
  return std::sqrt(n * squares / (n - 1));
}

struct Calibration {
  std::string model, description;
  std::uint64_t seed = 0;
  std::vector<std::string> cases, observed;
};

}  // namespace

std::vector<double> stacking_weights(const std::vector<std::vector<double>>& p) {
  const std::size_t K = p.size(), n = K ? p.front().size() : 0;
  std::vector<double> w(K, 1.0 / static_cast<double>(K)), next(K);
  for (int iteration = 0; iteration < 100000; ++iteration) {
    std::fill(next.begin(), next.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double mixture = 0;
      for (std::size_t k = 0; k < K; ++k) mixture += w[k] * p[k][i];
      for (std::size_t k = 0; k < K; ++k) next[k] += w[k] * p[k][i] / mixture / static_cast<double>(n);
    }
    double change = 0;
    for (std::size_t k = 0; k < K; ++k) change = std::max(change, std::abs(next[k] - w[k]));
    w = next;
    if (change < 1e-13) break;
  }
  return w;
}

ModelComparison compare_calibrations(const std::vector<std::string>& files) {
  if (files.size() < 2) throw std::runtime_error("compare needs at least two calibration files");
  ModelComparison c;
  Calibration first;
  std::vector<std::vector<double>> densities;
  for (std::size_t m = 0; m < files.size(); ++m) {
    const std::string& path = files[m];
    h5::Handle file = open_results_file(path);
    verify_metadata(file, path);  // the figures compared as each calibration wrote them
    verify_objects(file, path);
    if (!h5::exists(file, "calibration"))
      throw std::runtime_error(fmt::format("{}: not a calibration (no /calibration; `deterrence calibrate` writes one)", path));
    h5::Handle g = h5::open_group(file, "calibration");
    Calibration here;
    here.model = h5::read_string_attribute(file, "model");
    here.description = h5::has_attribute(file, "description") ? h5::read_string_attribute(file, "description") : "";
    here.seed = h5::read_u64_attribute(file, "seed");
    here.cases = h5::read_strings(g, "case");
    here.observed = h5::read_strings(h5::open_group(file, "cases"), "observed");
    if (m == 0) {
      first = here;
      c.cases = here.cases;
      c.mean_base_log = h5::read_double_attribute(g, "mean_base_log_score");
      c.mean_held_base_log = h5::read_u64_attribute(g, "held_out_cases") > 0
                                 ? h5::read_double_attribute(g, "mean_held_base_log_score") : NAN;
      if (h5::exists(g, "feature_rules")) {
        h5::Handle r = h5::open_group(g, "feature_rules");
        c.rules = h5::read_strings(r, "rule");
        c.rule_loo_log = h5::read_doubles(r, "mean_loo_log_score");
        c.rule_held_log = h5::read_doubles(r, "mean_held_log_score");
        if (c.rule_loo_log.size() != c.rules.size() || c.rule_held_log.size() != c.rules.size())
          throw std::runtime_error(fmt::format("{}: /calibration/feature_rules: its columns differ in length", path));
      }
    } else {
      const auto refuse = [&](const std::string& what) {
        return std::runtime_error(fmt::format("{}: {} than {}, so the two cannot be compared", path, what, files[0]));
      };
      if (here.model != first.model) throw refuse("calibrates another model (" + here.model + ")");
      if (here.seed != first.seed) throw refuse(fmt::format("was calibrated with another seed ({})", here.seed));
      if (here.cases != first.cases) throw refuse("holds other cases");
      if (here.observed != first.observed) throw refuse("holds other observations of its cases");
    }
    ComparedModel model;
    model.name = std::filesystem::path(path).stem().string();
    if (model.name.ends_with(".calibration")) model.name.resize(model.name.size() - 12);
    model.file = path;
    model.description = here.description;
    const auto loo_log = h5::read_doubles(g, "loo_log_score");
    const auto k = h5::read_doubles(g, "pareto_k_loo");
    if (loo_log.size() != c.cases.size() || k.size() != c.cases.size())
      throw std::runtime_error(fmt::format("{}: /calibration's case columns differ in length", path));
    std::vector<double> density;
    for (double score : loo_log) {
      model.pointwise.push_back(-score);
      density.push_back(std::exp(-score));
    }
    model.elpd = sum(model.pointwise);
    model.elpd_se = sum_se(model.pointwise);
    model.k_max = *std::max_element(k.begin(), k.end());
    const auto loo_method = h5::exists(g, "loo_method") ? h5::read_strings(g, "loo_method")
                                                        : std::vector<std::string>(k.size(), "psis");
    if (loo_method.size() != k.size())
      throw std::runtime_error(fmt::format("{}: /calibration's case columns differ in length", path));
    for (std::size_t i = 0; i < k.size(); ++i) {
      if (loo_method[i] != "psis")
        ++model.refits;
      else if (!(k[i] <= 0.7))
        ++model.k_over_07;
    }
    model.method = h5::has_attribute(g, "method") ? h5::read_string_attribute(g, "method") : "importance";
    model.log_evidence = h5::has_attribute(g, "log_evidence") ? h5::read_double_attribute(g, "log_evidence") : NAN;
    model.effective_sample_size = h5::read_double_attribute(g, "effective_sample_size");
    model.held_out = h5::read_u64_attribute(g, "held_out_cases");
    model.mean_held_log = model.held_out > 0 ? h5::read_double_attribute(g, "mean_held_log_score") : NAN;
    const auto names = h5::read_strings(g, "parameter");
    const auto edge = h5::read_u64(g, "at_prior_edge");
    for (std::size_t i = 0; i < names.size() && i < edge.size(); ++i)
      if (edge[i]) model.at_prior_edge.push_back(names[i]);
    densities.push_back(std::move(density));
    c.models.push_back(std::move(model));
  }
  const auto w = stacking_weights(densities);
  const std::size_t M = c.models.size();
  for (std::size_t m = 0; m < M; ++m) c.models[m].stacking_weight = w[m];
  c.difference.assign(M * M, 0.0);
  c.difference_se.assign(M * M, 0.0);
  for (std::size_t a = 0; a < M; ++a)
    for (std::size_t b = 0; b < M; ++b) {
      std::vector<double> d(c.cases.size());
      for (std::size_t i = 0; i < d.size(); ++i) d[i] = c.models[a].pointwise[i] - c.models[b].pointwise[i];
      c.difference[a * M + b] = sum(d);
      c.difference_se[a * M + b] = a == b ? 0.0 : sum_se(d);
    }
  return c;
}

void write_comparison(hid_t file, const ModelComparison& c) {
  h5::Handle g = h5::create_group(file, "comparison");
  const std::size_t M = c.models.size(), C = c.cases.size();
  h5::write_attribute(g, "description",
                      std::string("calibrations of nested models on the same cases and draws: PSIS leave-one-out elpd "
                                  "(sum over cases of ln p_loo) with its standard error, pairwise differences "
                                  "difference[row, column] = elpd_row - elpd_column with theirs, Pareto k, the "
                                  "held-out mean log score and stacking weights (Yao et al. 2018)"));
  h5::write_attribute(g, "mean_base_log_score", c.mean_base_log);
  h5::write_attribute(g, "mean_held_base_log_score", c.mean_held_base_log);
  std::vector<std::string> names, files, descriptions, edges;
  std::vector<double> elpd, se, kmax, held, weight, ess, pointwise;
  std::vector<std::uint64_t> kbad, held_count, refits;
  std::vector<double> evidence;
  for (const auto& m : c.models) {
    names.push_back(m.name);
    files.push_back(m.file);
    descriptions.push_back(m.description);
    edges.push_back(fmt::format("{}", fmt::join(m.at_prior_edge, ", ")));
    elpd.push_back(m.elpd);
    se.push_back(m.elpd_se);
    kmax.push_back(m.k_max);
    kbad.push_back(m.k_over_07);
    refits.push_back(m.refits);
    evidence.push_back(m.log_evidence);
    held.push_back(m.mean_held_log);
    held_count.push_back(m.held_out);
    weight.push_back(m.stacking_weight);
    ess.push_back(m.effective_sample_size);
    pointwise.insert(pointwise.end(), m.pointwise.begin(), m.pointwise.end());
  }
  h5::write_strings(g, "model", names);
  h5::write_strings(g, "case", c.cases);
  h5::write_strings(g, "calibration_file", files);
  h5::write_strings(g, "model_description", descriptions);
  h5::write_strings(g, "at_prior_edge", edges);
  h5::write_doubles(g, "elpd_loo", elpd, {M});
  h5::write_doubles(g, "elpd_loo_se", se, {M});
  h5::write_doubles(g, "pareto_k_max", kmax, {M});
  h5::write_u64(g, "pareto_k_over_0_7", kbad, {M});
  h5::write_u64(g, "loo_refits", refits, {M});
  h5::write_doubles(g, "log_evidence", evidence, {M});
  if (!c.rules.empty()) {
    h5::Handle r = h5::create_group(g, "feature_rules");
    h5::write_strings(r, "rule", c.rules);
    h5::write_doubles(r, "mean_loo_log_score", c.rule_loo_log, {c.rules.size()});
    h5::write_doubles(r, "mean_held_log_score", c.rule_held_log, {c.rules.size()});
  }
  h5::write_doubles(g, "mean_held_log_score", held, {M});
  h5::write_u64(g, "held_out_cases", held_count, {M});
  h5::write_doubles(g, "stacking_weight", weight, {M});
  h5::write_doubles(g, "effective_sample_size", ess, {M});
  h5::write_doubles(g, "pointwise_elpd", pointwise, {M, C});
  h5::write_doubles(g, "elpd_difference", c.difference, {M, M});
  h5::write_doubles(g, "elpd_difference_se", c.difference_se, {M, M});
  h5::make_scale(g, "model");
  h5::make_scale(g, "case");
  for (const char* name : {"calibration_file", "model_description", "at_prior_edge", "elpd_loo", "elpd_loo_se",
                           "pareto_k_max", "pareto_k_over_0_7", "loo_refits", "log_evidence", "mean_held_log_score",
                           "held_out_cases",
                           "stacking_weight", "effective_sample_size"})
    h5::attach_scale(g, name, "model", 0);
  h5::attach_scale(g, "pointwise_elpd", "model", 0);
  h5::attach_scale(g, "pointwise_elpd", "case", 1);
  h5::attach_scale(g, "elpd_difference", "model", 0);
  h5::attach_scale(g, "elpd_difference_se", "model", 0);
}

bool print_comparison(hid_t file, std::FILE* out) {
  if (!h5::exists(file, "comparison")) return false;
  h5::Handle g = h5::open_group(file, "comparison");
  const auto names = h5::read_strings(g, "model");
  const auto elpd = h5::read_doubles(g, "elpd_loo"), se = h5::read_doubles(g, "elpd_loo_se"),
             kmax = h5::read_doubles(g, "pareto_k_max"), held = h5::read_doubles(g, "mean_held_log_score"),
             weight = h5::read_doubles(g, "stacking_weight"), ess = h5::read_doubles(g, "effective_sample_size"),
             diff = h5::read_doubles(g, "elpd_difference"), diff_se = h5::read_doubles(g, "elpd_difference_se");
  const auto kbad = h5::read_u64(g, "pareto_k_over_0_7");
  const auto refits = h5::exists(g, "loo_refits") ? h5::read_u64(g, "loo_refits") : std::vector<std::uint64_t>(names.size(), 0);
  const auto evidence = h5::exists(g, "log_evidence") ? h5::read_doubles(g, "log_evidence")
                                                      : std::vector<double>(names.size(), NAN);
  const auto edges = h5::read_strings(g, "at_prior_edge");
  const auto cases = h5::read_strings(g, "case");
  const std::size_t M = names.size();
  if (elpd.size() != M || se.size() != M || kmax.size() != M || held.size() != M || weight.size() != M ||
      ess.size() != M || kbad.size() != M || edges.size() != M || diff.size() != M * M || diff_se.size() != M * M ||
      refits.size() != M || evidence.size() != M)
    throw h5::Error("/comparison: its model columns differ in length");
  std::size_t best = 0;
  for (std::size_t m = 1; m < M; ++m)
    if (elpd[m] > elpd[best]) best = m;
  fmt::print(out, "Model comparison on {} cases (leave-one-out: PSIS, refitted exactly where k > 0.7; higher elpd "
                  "forecasts better)\n",
             cases.size());
  fmt::print(out, "{:<22} {:>9} {:>7} {:>16} {:>9} {:>7} {:>6} {:>6} {:>10} {:>9} {:>7}\n", "model", "elpd_loo", "se",
             "vs best [se]", "ln p(rec)", "k max", "refit", "k>0.7", "held log", "stacking", "ESS");
  for (std::size_t m = 0; m < M; ++m)
    fmt::print(out, "{:<22} {:>9.2f} {:>7.2f} {:>16} {:>9} {:>7.2f} {:>6} {:>6} {:>10} {:>9.3f} {:>7.1f}\n",
               names[m].substr(0, 22), elpd[m], se[m],
               m == best ? std::string("best") : fmt::format("{:.2f} [{:.2f}]", diff[m * M + best], diff_se[m * M + best]),
               std::isnan(evidence[m]) ? std::string("-") : fmt::format("{:.2f}", evidence[m]), kmax[m], refits[m],
               kbad[m], std::isnan(held[m]) ? std::string("-") : fmt::format("{:.3f}", held[m]), weight[m], ess[m]);
  fmt::print(out, "base rate: mean log score {:.3f} leave-one-out", h5::read_double_attribute(g, "mean_base_log_score"));
  const double held_base = h5::read_double_attribute(g, "mean_held_base_log_score");
  if (!std::isnan(held_base)) fmt::print(out, ", {:.3f} held out", held_base);
  fmt::print(out, " (a model's mean log score is -elpd / {}; lower is better)\n", cases.size());
  for (std::size_t m = 0; m < M; ++m)
    if (!edges[m].empty())
      fmt::print(out, "prior-data conflict in {}: posterior median outside the prior's 5-95% range for {}\n", names[m],
                 edges[m]);
  std::size_t unreliable = 0;
  for (std::size_t m = 0; m < M; ++m) unreliable += kbad[m] > 0 ? 1 : 0;
  if (unreliable)
    fmt::print(out, "{} of {} models have cases whose leave-one-out rests on PSIS with Pareto k > 0.7: those estimates "
                    "(and so these differences and weights) are not reliable; calibrate with --method smc to refit them\n",
               unreliable, M);
  if (h5::exists(g, "feature_rules")) {
    h5::Handle r = h5::open_group(g, "feature_rules");
    const auto rules = h5::read_strings(r, "rule");
    const auto loo = h5::read_doubles(r, "mean_loo_log_score"), rheld = h5::read_doubles(r, "mean_held_log_score");
    if (loo.size() != rules.size() || rheld.size() != rules.size() || rules.empty())
      throw h5::Error("/comparison/feature_rules: its columns differ in length");
    fmt::print(out, "\nthe forecasts made without the game (mean log score; lower is better):\n");
    std::size_t best_rule = 0;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      fmt::print(out, "  {:<20} {:>7.3f} leave-one-out{}\n", rules[i], loo[i],
                 std::isnan(rheld[i]) ? std::string() : fmt::format(", {:.3f} held out", rheld[i]));
      if (loo[i] < loo[best_rule]) best_rule = i;
    }
    const double best_model_score = -elpd[best] / static_cast<double>(cases.size());
    fmt::print(out, "The best model, {} ({:.3f}), forecasts the cases out of sample {} the best rule without the game, "
                    "{} ({:.3f}).\n",
               names[best], best_model_score, best_model_score < loo[best_rule] ? "better than" : "worse than",
               rules[best_rule], loo[best_rule]);
  }
  return true;
}

}  // namespace deterrence
