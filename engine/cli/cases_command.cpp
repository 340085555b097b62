#include "cli/cases_command.h"

#include "calibration/posterior.h"

#include <fmt/format.h>

#include <cmath>

#include "calibration/feature_rules.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "run/runner.h"

namespace deterrence {

namespace {

std::string observed_text(const CaseSpec& c) {
  std::string text;
  for (const auto& o : c.observed)
    // A partial outcome: "CAP 0.25 + RES 0.75".
    text += (text.empty() ? "" : " + ") + (c.observed.size() > 1 ? fmt::format("{} {:g}", o.label.substr(0, 3), o.weight) : o.label);
  return text;
}

// Unconditional probability of the observed classes over all draws (the share version 1 scored).
double p_unconditional(const CaseForecast& f) {
  double p = 0;
  for (const auto& o : f.spec.observed)
    for (std::size_t k = 0; k < f.spec.classes.size(); ++k)
      if (f.spec.classes[k].label == o.label) p += o.weight * static_cast<double>(f.class_counts[k]);
  return f.draws ? p / static_cast<double>(f.draws) : std::nan("");
}

}  // namespace

void print_case_table(const std::vector<CaseForecast>& forecasts, std::FILE* out, bool csv) {
  const CaseScores s = score_cases(forecasts);
  if (csv) {
    fmt::print(out, "case,name,year,observed,condition,draws,p_condition,p_observed_unconditional,p_observed_given_condition,"
                    "p_low,p_high,model_log_score,base_log_score,model_brier,base_brier\n");
    for (std::size_t i = 0; i < forecasts.size(); ++i) {
      const auto& f = forecasts[i];
      fmt::print(out, "{},\"{}\",{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", f.spec.id,
                 f.spec.name, f.spec.year, observed_text(f.spec), f.spec.condition, f.draws, f.p_condition,
                 p_unconditional(f), f.p_observed, f.p_observed_low, f.p_observed_high, s.model_log[i], s.base_log[i],
                 s.model_brier[i], s.base_brier[i]);
    }
    return;
  }
  fmt::print(out, "{:<30} {:>4} {:<22} {:>9} {:>8} {:>22} {:>7} {:>7} {:>6} {:>6}\n", "case", "year", "observed",
             "P(cond.)", "P(obs.)", "P(obs. | cond.) [95%]", "log", "base", "Brier", "base");
  std::vector<std::string> never;
  for (std::size_t i = 0; i < forecasts.size(); ++i) {
    const auto& f = forecasts[i];
    const std::string cond = f.spec.condition == "coerced" ? "" : " (" + f.spec.condition + ")";
    if (f.never_conditioned()) {
      never.push_back(f.spec.id);
      fmt::print(out, "{:<30} {:>4} {:<22} {:>9.4f} {:>8.4f} {:>22} {:>7} {:>7} {:>6} {:>6}\n", f.spec.id.substr(0, 30),
                 f.spec.year, (observed_text(f.spec) + cond).substr(0, 22), f.p_condition, p_unconditional(f),
                 "never " + f.spec.condition, "-", "-", "-", "-");
      continue;
    }
    fmt::print(out, "{:<30} {:>4} {:<22} {:>9.4f} {:>8.4f} {:>6.3f} [{:.3f}, {:.3f}] {:>7.3f} {:>7.3f} {:>6.3f} {:>6.3f}\n",
               f.spec.id.substr(0, 30), f.spec.year, (observed_text(f.spec) + cond).substr(0, 22), f.p_condition,
               p_unconditional(f), f.p_observed, f.p_observed_low, f.p_observed_high, s.model_log[i], s.base_log[i],
               s.model_brier[i], s.base_brier[i]);
  }
  fmt::print(out,
             "\n{} cases, {} scored: mean log score {:.3f} (base rate {:.3f}), mean Brier {:.3f} (base rate {:.3f}); "
             "lower is better.\nskill against the base rate: log {:+.3f}, Brier {:+.3f} (positive: the model forecasts "
             "better)\n",
             forecasts.size(), s.scored, s.mean_model_log, s.mean_base_log, s.mean_model_brier, s.mean_base_brier,
             1.0 - s.mean_model_log / s.mean_base_log, 1.0 - s.mean_model_brier / s.mean_base_brier);
  if (!never.empty()) {
    std::string list;
    for (const auto& id : never) list += (list.empty() ? "" : ", ") + id;
    fmt::print(out, "not scored ({} case(s) whose condition held in no draw): {}\n", never.size(), list);
  }
  // The forecasts made without the model, over the same scored cases (calibration/feature_rules.h).
  std::vector<CaseSpec> scored;
  for (std::size_t i = 0; i < forecasts.size(); ++i)
    if (!forecasts[i].never_conditioned()) scored.push_back(forecasts[i].spec);
  if (!scored.empty()) {
    fmt::print(out, "forecasts without the model, leave-one-out over the {} scored cases (+1/2 per class): ", scored.size());
    std::string sep;
    for (const auto& r : score_feature_rules(scored, {})) {
      fmt::print(out, "{}{} {:.3f}", sep, r.name, r.mean_loo_log);
      sep = ", ";
    }
    fmt::print(out, " (mean log score)\n");
  }
  fmt::print(out,
             "(P(cond.): share of draws in which the target was coerced (provoked, for a withdrawn threat); P(obs.): the "
             "unconditional share; the forecast a record is scored against is P(obs. | cond.). Log score -ln p with +1/2 "
             "smoothing per class; base rate: the other cases' observations, leave-one-out.)\n");
}

int cases_command(const CasesCommandOptions& options) {
  try {
    Experiment e = load_experiment(options.config);
    const auto cases = e.model->cases();
    if (cases.empty())
      throw ConfigError(fmt::format("{}: declares no historical cases (give model_options.cases a case library)",
                                    options.config));
    if (options.draws) e.draws = *options.draws;
    if (!options.posterior.empty()) attach_posterior(e, options.posterior);
    RunStatistics totals(e.model->outputs());
    RunSettings settings;
    settings.draw_count = e.draws;
    settings.seed = e.seed;
    settings.chunk_size = e.chunk_size;
    settings.threads = options.threads;
    settings.resampled = e.posterior ? &e.posterior->draws : nullptr;
    run_draws(*e.model, settings, totals, nullptr, nullptr);
    std::vector<CaseForecast> forecasts;
    for (const auto& c : cases) {
      const OutputSpec* spec = e.model->outputs().find(c.output);
      const auto counts = totals.category_counts(spec->offset + c.element);
      forecasts.push_back(forecast_case(c, std::vector<std::uint64_t>(counts.begin(), counts.end())));
    }
    if (!options.csv)
      fmt::print("{}: {} draws, seed {}{}\n\n", options.config, e.draws, e.seed,
                 e.posterior ? fmt::format(", on the posterior of {} (ESS {:.1f}; scores in sample: the cases the "
                                           "posterior was fitted to)",
                                           options.posterior, e.posterior->effective_sample_size)
                             : std::string());
    print_case_table(forecasts, stdout, options.csv);
    return 0;
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
