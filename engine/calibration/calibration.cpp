#include "calibration/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include <boost/math/distributions/beta.hpp>

#include "calibration/case_likelihood.h"
#include "calibration/psis.h"
#include "calibration/rank_rows.h"
#include "calibration/smc.h"
#include "run/mpi_world.h"
#include "run/parallel_chunks.h"
#include "run/runner.h"
#include "run/shard.h"
#include "sampling/sampler.h"
#include "stats/case_forecast.h"

namespace deterrence {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Inner plays draw from the same named streams under another key: (seed ^ this, draw·K + play).
constexpr std::uint64_t kInnerKey = 0x9e3779b97f4a7c15ULL;

struct Slot {
  Slot(const Model& model, const Sampler& outer, const Sampler& inner, const CaseLikelihood& likelihood)
      : outer_scratch(outer.make_scratch()), plays(likelihood.make_workspace(inner)) {
    theta.resize(model.parameters().size());
    theta_globals.resize(likelihood.globals().size());
    log_p_case.resize(likelihood.cases());
  }
  Sampler::Scratch outer_scratch;
  std::unique_ptr<CaseLikelihood::Workspace> plays;
  std::vector<double> theta, theta_globals, log_p_case;
  std::vector<double> u;  // a draw's θ in the prior's uniform scale (adaptive rounds)
};

// Weighted quantile of `x` (weights sum to 1).
double weighted_quantile(const std::vector<double>& x, const std::vector<double>& w, double q) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  double cumulative = 0;
  for (std::size_t i : order) {
    cumulative += w[i];
    if (cumulative >= q) return x[i];
  }
  return x[order.back()];
}

std::vector<double> normalise(const std::vector<double>& log_w) { return normalised_weights(log_w); }

// Adaptive importance sampling (population Monte Carlo): in the prior's own uniform scale
// u = F(θ), where the prior is U(0, 1)^G, each round's proposal is a product of one beta per
// global parameter fitted to the previous round's weighted u (moments), mixed with 10% of the
// uniform so that no region of the prior is ever left out. A draw's weight is its likelihood
// over its proposal density (in u: the prior's density is 1).
struct Proposal {
  std::vector<Distribution> beta;  // per global; constant parameters are left at their value
  std::vector<bool> varies;
  static constexpr double kDefensive = 0.1;
  double log_density(const std::vector<double>& u) const {
    double s = 0;
    for (std::size_t g = 0; g < beta.size(); ++g) {
      if (!varies[g]) continue;
      const double density = boost::math::pdf(boost::math::beta_distribution<>(beta[g].a, beta[g].b), u[g]);
      s += std::log(kDefensive + (1.0 - kDefensive) * density);
    }
    return s;
  }
};

CalibrationDraws run_calibration_round(const Model& model, const CalibrationSettings& settings, std::uint64_t round,
                                       const Proposal* proposal);

}  // namespace

bool CalibrationSettings::held_out(const std::string& id, const std::string& year) const {
  if (hold_out_from > 0 && std::stoll(year) >= hold_out_from) return true;
  return std::find(hold_out_ids.begin(), hold_out_ids.end(), id) != hold_out_ids.end();
}

std::vector<double> CalibrationDraws::posterior_log_weights() const {
  if (!log_weight.empty()) return log_weight;
  std::vector<double> lw(log_likelihood.size());
  for (std::size_t i = 0; i < lw.size(); ++i) lw[i] = log_likelihood[i] - log_proposal[i];
  return lw;
}

CalibrationDraws run_calibration(const Model& model, const CalibrationSettings& settings,
                                 const CalibrationDraws* resume_from, const RoundDone& round_done) {
  const auto log_weights = [](const CalibrationDraws& r) {
    std::vector<double> lw(r.log_likelihood.size());
    for (std::size_t i = 0; i < lw.size(); ++i) lw[i] = r.log_likelihood[i] - r.log_proposal[i];
    return lw;
  };
  CalibrationDraws d;
  if (resume_from) {
    d = *resume_from;
  } else {
    d = run_calibration_round(model, settings, 0, nullptr);
    d.prior_theta = d.theta;
    d.round_ess = {effective_sample_size(normalise(log_weights(d)))};
    if (round_done && settings.rounds > 1) round_done(d);
  }
  const auto globals = d.globals;
  const std::size_t G = globals.size(), N = settings.draws;
  for (std::uint64_t round = d.round_ess.size(); round < settings.rounds; ++round) {
    const std::vector<double> w = normalise(log_weights(d));
    Proposal q;
    for (std::size_t g = 0; g < G; ++g) {
      const Distribution& prior = model.parameters()[globals[g]].distribution;
      const bool varies = prior.kind != DistributionKind::constant;
      double m = 0, v = 0;
      if (varies) {
        for (std::size_t i = 0; i < N; ++i) m += w[i] * prior.cdf(d.theta[i * G + g]);
        for (std::size_t i = 0; i < N; ++i) v += w[i] * std::pow(prior.cdf(d.theta[i * G + g]) - m, 2);
      }
      m = std::clamp(m, 0.01, 0.99);
      // Moment-matched beta, kept from collapsing onto one draw: at least the spread of a beta of
      // concentration 1000 (sd ~ 0.016 at m = 0.5).
      const double concentration = std::clamp(m * (1 - m) / std::max(v, 1e-12) - 1.0, 2.0, 1000.0);
      Distribution b = Distribution::beta(std::max(0.5, m * concentration), std::max(0.5, (1 - m) * concentration));
      b.prepare();
      q.beta.push_back(b);
      q.varies.push_back(varies);
    }
    const std::vector<double> prior_theta = d.prior_theta;
    std::vector<double> round_ess = d.round_ess;
    d = run_calibration_round(model, settings, round, &q);
    d.prior_theta = prior_theta;
    round_ess.push_back(effective_sample_size(normalise(log_weights(d))));
    d.round_ess = round_ess;
    if (round_done && round + 1 < settings.rounds) round_done(d);
  }
  return d;
}

namespace {

CalibrationDraws run_calibration_round(const Model& model, const CalibrationSettings& settings, std::uint64_t round,
                                       const Proposal* proposal) {
  const CaseLikelihood likelihood(model, settings.inner);
  CalibrationDraws d;
  d.globals = likelihood.globals();
  d.cases = likelihood.cases();
  d.classes = likelihood.classes();
  const std::size_t N = settings.draws, C = d.cases, K = d.classes, G = d.globals.size();
  d.theta.assign(N * G, kNaN);
  d.p_class.assign(N * C * K, kNaN);
  d.conditioned.assign(N * C, 0);
  d.log_likelihood.assign(N, 0.0);
  d.log_proposal.assign(N, 0.0);
  // Round 0's θ are draws 0..N-1 of `run` (same seed and streams); later rounds draw from their
  // proposal on streams keyed by the round. Inner plays have their own key per round.
  const Sampler outer(model.parameters(), settings.seed);
  const Sampler inner(model.parameters(), settings.seed ^ kInnerKey ^ (round * 0xbf58476d1ce4e5b9ULL));
  const CounterRng proposal_rng(settings.seed ^ (round * 0x94d049bb133111ebULL) ^ 0x2545f4914f6cdd1dULL);
  // This rank's draws (all of them in one process), by the shard rule.
  const RankRows rows = rank_rows(N, settings.chunk_size, settings.world);
  ChunkPlan plan;
  plan.first_draw = rows.first;
  plan.draw_count = rows.count;
  plan.chunk_size = settings.chunk_size;
  plan.threads = effective_threads(settings.threads);
  parallel_chunks(
      plan, [&] { return std::make_unique<Slot>(model, outer, inner, likelihood); },
      [&](Slot& s, std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i) {
          outer.sample(i, s.theta, s.outer_scratch);
          if (proposal) {
            std::vector<double>& u = s.u;
            u.assign(G, 0.0);  // sized once per slot: no allocation per draw
            for (std::size_t g = 0; g < G; ++g) {
              const Parameter& p = model.parameters()[d.globals[g]];
              if (!proposal->varies[g]) continue;
              // The defensive mixture: a tenth of the draws from the prior, the rest from the beta.
              const double pick = proposal_rng.uniform(i, p.stream ^ 0x5851f42d4c957f2dULL);
              const double v = proposal_rng.uniform(i, p.stream);
              u[g] = pick < Proposal::kDefensive ? v : proposal->beta[g].quantile(v);
              u[g] = std::clamp(u[g], 0x1.0p-54, 0x1.fffffffffffffp-1);
              s.theta[d.globals[g]] = p.distribution.quantile(u[g]);
            }
            d.log_proposal[i] = proposal->log_density(u);
          }
          for (std::size_t g = 0; g < G; ++g) d.theta[i * G + g] = s.theta_globals[g] = s.theta[d.globals[g]];
          d.log_likelihood[i] = likelihood.estimate(inner, i * settings.inner, s.theta_globals, *s.plays,
                                                    &d.p_class[i * C * K], &d.conditioned[i * C], s.log_p_case.data());
        }
      },
      [](Slot&, std::uint64_t, std::uint64_t) { return true; }, [](std::uint64_t) {});
  if (rows.shared()) {
    settings.world->share_rows(d.theta, G, rows.starts);
    settings.world->share_rows(d.p_class, C * K, rows.starts);
    settings.world->share_rows(d.conditioned, C, rows.starts);
    settings.world->share_rows(d.log_likelihood, 1, rows.starts);
    settings.world->share_rows(d.log_proposal, 1, rows.starts);
  }
  return d;
}

}  // namespace

CalibrationSummary summarise_calibration(const Model& model, const CalibrationDraws& d,
                                         const CalibrationSettings& settings) {
  const auto cases = model.cases();
  const std::size_t N = d.log_likelihood.size(), C = d.cases, K = d.classes, G = d.globals.size();
  CalibrationSummary s;
  const std::vector<double> log_w = d.posterior_log_weights();
  const SmoothedWeights posterior = pareto_smooth(log_w);
  s.k_hat = posterior.k_hat;
  s.weights = normalise(log_w);  // plain weights for the posterior summaries
  s.ess = effective_sample_size(s.weights);
  const std::vector<double> flat(N, 1.0 / static_cast<double>(N));
  for (std::size_t g = 0; g < G; ++g) {
    std::vector<double> x(N), x_prior(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = d.theta[i * G + g];
    for (std::size_t i = 0; i < N; ++i) x_prior[i] = d.prior_theta.empty() ? x[i] : d.prior_theta[i * G + g];
    ParameterPosterior p;
    p.name = model.parameters()[d.globals[g]].name;
    const auto moments = [&](const std::vector<double>& v, const std::vector<double>& w, double& mean, double& sd) {
      mean = 0;
      for (std::size_t i = 0; i < N; ++i) mean += w[i] * v[i];
      double var = 0;
      for (std::size_t i = 0; i < N; ++i) var += w[i] * (v[i] - mean) * (v[i] - mean);
      sd = std::sqrt(var);
    };
    moments(x_prior, flat, p.prior_mean, p.prior_sd);
    moments(x, s.weights, p.mean, p.sd);
    p.prior_q05 = weighted_quantile(x_prior, flat, 0.05);
    p.prior_q50 = weighted_quantile(x_prior, flat, 0.5);
    p.prior_q95 = weighted_quantile(x_prior, flat, 0.95);
    p.q05 = weighted_quantile(x, s.weights, 0.05);
    p.q50 = weighted_quantile(x, s.weights, 0.5);
    p.q95 = weighted_quantile(x, s.weights, 0.95);
    p.at_edge = p.prior_q95 > p.prior_q05 && (p.q50 < p.prior_q05 || p.q50 > p.prior_q95);
    s.parameters.push_back(p);
  }
  // Per case: its log p_c per draw (0 where never conditioned: it contributed nothing).
  const auto log_p = [&](std::size_t i, std::size_t c) {
    if (d.conditioned[i * C + c] == 0) return 0.0;
    double p = 0;
    for (const auto& o : cases[c].observed)
      for (std::size_t k = 0; k < cases[c].classes.size(); ++k)
        if (cases[c].classes[k].label == o.label) p += o.weight * d.p_class[(i * C + c) * K + k];
    return std::log(p);
  };
  // The predictive class probabilities of case c under weights w (draws where c was never
  // conditioned carry no forecast for it and are left out).
  const auto predictive = [&](std::size_t c, const std::vector<double>& w) {
    std::vector<double> p(cases[c].classes.size(), 0.0);
    double total = 0;
    for (std::size_t i = 0; i < N; ++i) {
      if (d.conditioned[i * C + c] == 0) continue;
      total += w[i];
      for (std::size_t k = 0; k < p.size(); ++k) p[k] += w[i] * d.p_class[(i * C + c) * K + k];
    }
    // No draw met the case's condition: the model gives no forecast given it, and the smoothing
    // of zero counts (+1/2 per class) gives every class the same chance.
    for (double& v : p) v = total > 0 ? v / total : 1.0 / static_cast<double>(p.size());
    return p;
  };
  const auto scores = [](const std::vector<double>& p, const std::vector<double>& observed, double& log_score,
                         double& brier) {
    score_forecast(p, observed, log_score, brier);
    double p_observed = 0;
    for (std::size_t k = 0; k < p.size(); ++k) p_observed += observed[k] * p[k];
    return p_observed;
  };
  std::vector<double> elpd;
  std::vector<const CaseSpec*> all;
  for (const auto& c : cases) all.push_back(&c);
  for (std::size_t c = 0; c < C; ++c) {
    CaseValidation v;
    v.id = cases[c].id;
    v.year = cases[c].year;
    const std::vector<double> observed = observed_weights(cases[c]);
    std::size_t never = 0;
    for (std::size_t i = 0; i < N; ++i) never += d.conditioned[i * C + c] == 0;
    v.unconditioned_share = static_cast<double>(never) / static_cast<double>(N);
    double ignored_log = 0, ignored_brier = 0;
    v.p_in_sample = scores(predictive(c, s.weights), observed, ignored_log, ignored_brier);
    // Leave-one-out: the prior draws weighted by every other case's likelihood, Pareto-smoothed.
    std::vector<double> log_ratio(N);
    for (std::size_t i = 0; i < N; ++i) log_ratio[i] = log_w[i] - log_p(i, c);
    const SmoothedWeights loo = pareto_smooth(log_ratio);
    v.k_hat = loo.k_hat;
    v.loo_refit = !d.loo_refit.empty() && d.loo_refit[c];
    if (v.loo_refit) {  // exact: the posterior tempered to leave the case out (calibration/smc_calibration.h)
      v.p_loo_class.assign(d.loo_refit_p_class.begin() + static_cast<std::ptrdiff_t>(c * K),
                           d.loo_refit_p_class.begin() + static_cast<std::ptrdiff_t>(c * K + cases[c].classes.size()));
      ++s.loo_refits;
    } else {
      v.p_loo_class = predictive(c, normalise(loo.log_weights));
    }
    v.p_loo = scores(v.p_loo_class, observed, v.loo_log, v.loo_brier);
    // Why a case is missed: P(observed | condition, θ) across the posterior's draws.
    {
      std::vector<double> p_obs, w_obs;
      double w_total = 0, top = 0;
      for (std::size_t i = 0; i < N; ++i) {
        if (d.conditioned[i * C + c] == 0) continue;
        p_obs.push_back(std::exp(log_p(i, c)));
        w_obs.push_back(s.weights[i]);
        w_total += s.weights[i];
        if (s.weights[i] > 0) top = std::max(top, p_obs.back());
      }
      if (w_total > 0) {
        for (double& x : w_obs) x /= w_total;
        v.p_obs_q05 = weighted_quantile(p_obs, w_obs, 0.05);
        v.p_obs_q50 = weighted_quantile(p_obs, w_obs, 0.5);
        v.p_obs_q95 = weighted_quantile(p_obs, w_obs, 0.95);
        v.missed_everywhere = top < 0.01;
      } else {
        v.p_obs_q05 = v.p_obs_q50 = v.p_obs_q95 = kNaN;
      }
    }
    std::vector<const CaseSpec*> others;
    for (std::size_t o = 0; o < C; ++o)
      if (o != c) others.push_back(&cases[o]);
    scores(base_rate(cases[c], others), observed, v.base_log, v.base_brier);
    elpd.push_back(-v.loo_log);
    s.cases.push_back(v);
  }
  for (const auto& v : s.cases) {
    s.elpd_loo += -v.loo_log;
    s.mean_loo_log += v.loo_log / static_cast<double>(C);
    s.mean_base_log += v.base_log / static_cast<double>(C);
    s.mean_loo_brier += v.loo_brier / static_cast<double>(C);
    s.mean_base_brier += v.base_brier / static_cast<double>(C);
  }
  double mean = s.elpd_loo / static_cast<double>(C), var = 0;
  for (double e : elpd) var += (e - mean) * (e - mean);
  s.elpd_loo_se = std::sqrt(static_cast<double>(C) * var / std::max<double>(1.0, static_cast<double>(C) - 1.0));
  // Held out by year or name: fit on the others, forecast these. SMC: the posterior tempered to
  // leave them out (CalibrationDraws::held_p_class); importance sampling: the draws reweighted.
  std::vector<bool> held(C);
  bool any_held = false;
  for (std::size_t c = 0; c < C; ++c) any_held |= (held[c] = settings.held_out(cases[c].id, cases[c].year));
  s.rules = score_feature_rules(cases, any_held ? held : std::vector<bool>{});
  {
    std::set<std::vector<double>> distinct;
    for (std::size_t i = 0; i < N; ++i)
      if (s.weights[i] > 0) distinct.insert(std::vector<double>(d.theta.begin() + static_cast<std::ptrdiff_t>(i * G),
                                                                d.theta.begin() + static_cast<std::ptrdiff_t>((i + 1) * G)));
    s.distinct_draws = static_cast<double>(distinct.size());
  }
  if (any_held) {
    // The draws weighted by the training cases alone: from the prior (importance sampling), or
    // the posterior's weights without the held-out cases' likelihoods (SMC; the diagnostic ESS).
    const bool from_prior = d.log_weight.empty();
    std::vector<double> log_train(N);
    for (std::size_t i = 0; i < N; ++i) log_train[i] = from_prior ? -d.log_proposal[i] : log_w[i];
    std::vector<const CaseSpec*> train;
    for (std::size_t c = 0; c < C; ++c) {
      if (!held[c]) train.push_back(&cases[c]);
      if (from_prior == !held[c])
        for (std::size_t i = 0; i < N; ++i) log_train[i] += from_prior ? log_p(i, c) : -log_p(i, c);
    }
    const std::vector<double> w = normalise(pareto_smooth(log_train).log_weights);
    s.held_ess = std::isnan(d.held_fit_ess) ? effective_sample_size(normalise(log_train)) : d.held_fit_ess;
    for (std::size_t c = 0; c < C; ++c) {
      if (!held[c]) continue;
      CaseValidation& v = s.cases[c];
      v.held_out = true;
      const std::vector<double> observed = observed_weights(cases[c]);
      std::vector<double> forecast = predictive(c, w);
      if (!d.held_p_class.empty())
        forecast.assign(d.held_p_class.begin() + static_cast<std::ptrdiff_t>(c * K),
                        d.held_p_class.begin() + static_cast<std::ptrdiff_t>(c * K + cases[c].classes.size()));
      v.p_held_out = scores(forecast, observed, v.held_log, v.held_brier);
      scores(base_rate(cases[c], train), observed, v.held_base_log, v.held_base_brier);
      ++s.held_out_count;
    }
    for (const auto& v : s.cases)
      if (v.held_out) {
        const double n = static_cast<double>(s.held_out_count);
        s.mean_held_log += v.held_log / n;
        s.mean_held_base_log += v.held_base_log / n;
        s.mean_held_brier += v.held_brier / n;
        s.mean_held_base_brier += v.held_base_brier / n;
      }
  }
  return s;
}

}  // namespace deterrence
