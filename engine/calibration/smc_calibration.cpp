#include "calibration/smc_calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "calibration/psis.h"

namespace deterrence {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One progress line per stage. The ETA of the path assumes every remaining stage steps as far
// as this one did at its cost (steps grow as t does, so it errs long).
std::string stage_line(const std::string& path, std::size_t stage, const StageRecord& r, double step, double elapsed) {
  const double remaining = r.t >= 1.0 || step <= 0 ? 0.0 : std::ceil((1.0 - r.t) / step) * r.seconds;
  return fmt::format("{} stage {}: t {:.4g}, ESS {:.0f}{}, {} moves (acceptance {:.2f}, correlation {:.2f}), {:.1f} s "
                     "({:.0f} s so far{})",
                     path, stage, r.t, r.ess, r.resampled ? " resampled" : "", r.moves, r.acceptance, r.correlation,
                     r.seconds, elapsed, remaining >= 1 ? fmt::format(", this path's ETA <= {:.0f} s", remaining) : "");
}

double last_step(const SmcState& s) {
  const std::size_t n = s.stages.size();
  return n == 0 ? 0.0 : s.stages[n - 1].t - (n > 1 ? s.stages[n - 2].t : 0.0);
}

// The particles' weighted predictive of each class of case c (weights over the particles).
std::vector<double> predictive(const Particles& p, std::size_t c, std::size_t n_classes) {
  const std::vector<double> w = normalised_weights(p.log_weight);
  std::vector<double> out(n_classes, 0.0);
  double total = 0;
  for (std::size_t i = 0; i < p.count; ++i) {
    if (p.conditioned[i * p.cases + c] == 0) continue;
    total += w[i];
    for (std::size_t k = 0; k < n_classes; ++k) out[k] += w[i] * p.p_class[(i * p.cases + c) * p.classes + k];
  }
  // No particle met the condition: the smoothing of zero counts gives every class the same chance.
  for (double& v : out) v = total > 0 ? v / total : 1.0 / static_cast<double>(n_classes);
  return out;
}

}  // namespace

SmcSettings smc_settings(const CalibrationSettings& settings) {
  SmcSettings s;
  s.particles = settings.draws;
  s.inner = settings.inner;
  s.seed = settings.seed;
  s.chunk_size = settings.chunk_size;
  s.threads = settings.threads;
  s.world = settings.world;
  s.cess_fraction = settings.cess_fraction;
  s.max_moves = settings.max_moves;
  s.refit_moves = settings.refit_moves;
  s.decorrelation = settings.decorrelation;
  return s;
}

CalibrationDraws run_smc_calibration(const Model& model, const CalibrationSettings& settings,
                                     const SmcState* resume_from, const SmcHooks& hooks) {
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  const auto say = [&](const std::string& line) {
    if (hooks.progress) hooks.progress(line);
  };
  const TemperedSmc smc(model, smc_settings(settings));
  const CaseLikelihood& likelihood = smc.likelihood();
  const std::size_t C = likelihood.cases(), K = likelihood.classes(), G = likelihood.globals().size();
  const auto cases = likelihood.specs();
  SmcState state = resume_from ? *resume_from : smc.start_from_prior();
  if (!resume_from) say(fmt::format("stage 0: {} particles from the prior, {:.1f} s", settings.draws, elapsed()));
  TemperingPath posterior{0, std::vector<double>(C, 0.0), std::vector<double>(C, 1.0)};
  smc.run(state, posterior, [&](const SmcState& s, const StageRecord& r) {
    say(stage_line("posterior", s.stages.size(), r, last_step(s), elapsed()));
    if (hooks.stage_done) hooks.stage_done(s);
  });

  CalibrationDraws d;
  d.method = "smc";
  d.globals = likelihood.globals();
  d.cases = C;
  d.classes = K;
  const Particles& p = state.particles;
  const std::size_t N = p.count;
  d.theta = p.theta;
  d.p_class = p.p_class;
  d.conditioned = p.conditioned;
  d.log_likelihood.assign(N, 0.0);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t c = 0; c < C; ++c) d.log_likelihood[i] += p.log_p_case[i * C + c];
  d.log_proposal.assign(N, 0.0);
  d.log_weight = p.log_weight;
  d.prior_theta = smc.prior_theta();
  d.log_evidence = state.log_ratio;
  for (const auto& r : state.stages) {
    d.round_ess.push_back(r.ess);
    d.stage_t.push_back(r.t);
    d.stage_acceptance.push_back(r.acceptance);
    d.stage_correlation.push_back(r.correlation);
    d.stage_scale.push_back(r.scale);
    d.stage_log_increment.push_back(r.log_increment);
    d.stage_seconds.push_back(r.seconds);
    d.stage_moves.push_back(r.moves);
  }
  // The likelihood estimate's own noise where the posterior sits: its mean θ (in z, mapped back).
  {
    const std::vector<double> w = normalised_weights(p.log_weight);
    std::vector<double> theta_mean(G);
    for (std::size_t g = 0; g < G; ++g) {
      const Distribution& prior = model.parameters()[d.globals[g]].distribution;
      if (prior.kind == DistributionKind::constant) {
        theta_mean[g] = p.theta[g];
        continue;
      }
      double z = 0;
      for (std::size_t i = 0; i < N; ++i) z += w[i] * p.z[i * G + g];
      theta_mean[g] = prior.quantile(std::clamp(1.0 / (1.0 + std::exp(-z)), 0x1.0p-54, 0x1.fffffffffffffp-1));
    }
    d.replicate_log_likelihood = smc.replicate_log_likelihood(theta_mean, 20);
  }
  // How every case's posterior plays end, whatever its condition: where a missed case is decided.
  {
    const std::size_t M = likelihood.categories();
    const Sampler inner(model.parameters(), settings.seed ^ 0x5bd1e9955bd1e995ULL);
    auto w = likelihood.make_workspace(inner);
    const std::vector<double> weight = normalised_weights(p.log_weight);
    std::vector<std::uint64_t> counts(C * M);
    d.category_names = likelihood.category_names();
    d.case_category_share.assign(C * M, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      std::fill(counts.begin(), counts.end(), 0);
      likelihood.count_categories(inner, i * settings.inner, {&p.theta[i * G], G}, *w, counts.data());
      for (std::size_t j = 0; j < C * M; ++j)
        d.case_category_share[j] += weight[i] * static_cast<double>(counts[j]) / static_cast<double>(settings.inner);
    }
  }
  // Exact leave-one-out wherever PSIS on the final particles cannot be trusted.
  const std::vector<double> log_w = d.posterior_log_weights();
  d.loo_refit.assign(C, 0);
  d.loo_refit_p_class.assign(C * K, kNaN);
  d.loo_refit_log_ratio.assign(C, kNaN);
  d.loo_refit_stages.assign(C, 0);
  for (std::size_t c = 0; c < C; ++c) {
    std::vector<double> ratio(N);
    for (std::size_t i = 0; i < N; ++i) ratio[i] = log_w[i] - p.log_p_case[i * C + c];
    const auto [low, high] = std::minmax_element(ratio.begin(), ratio.end());
    if (*high - *low < 1e-12) continue;  // the case weighs every particle alike: PSIS is exact
    const double k_hat = pareto_smooth(ratio).k_hat;
    if (!(k_hat > settings.refit_above_k) && !(std::isnan(k_hat) && settings.refit_above_k <= 0.7)) continue;
    SmcState out = state;
    out.t = 0;
    out.log_ratio = 0;
    out.stages.clear();
    TemperingPath leave{1 + c, std::vector<double>(C, 1.0), std::vector<double>(C, 1.0)};
    leave.to[c] = 0.0;
    smc.run(out, leave, [&](const SmcState& s, const StageRecord& r) {
      say(stage_line(fmt::format("leave out {} (case {} of {}):", cases[c].id, c + 1, C), s.stages.size(), r,
                     last_step(s), elapsed()));
    });
    smc.refresh(out.particles, 1 + c);
    const std::vector<double> pc = predictive(out.particles, c, cases[c].classes.size());
    for (std::size_t k = 0; k < pc.size(); ++k) d.loo_refit_p_class[c * K + k] = pc[k];
    d.loo_refit[c] = 1;
    d.loo_refit_log_ratio[c] = out.log_ratio;
    d.loo_refit_stages[c] = static_cast<std::uint32_t>(out.stages.size());
  }
  // The held-out cases: the posterior tempered to leave them all out, then their forecast.
  std::vector<double> to(C, 1.0);
  bool any_held = false;
  for (std::size_t c = 0; c < C; ++c)
    if (settings.held_out(cases[c].id, cases[c].year)) {
      to[c] = 0.0;
      any_held = true;
    }
  if (any_held) {
    SmcState out = state;
    out.t = 0;
    out.log_ratio = 0;
    out.stages.clear();
    smc.run(out, {1 + C, std::vector<double>(C, 1.0), to}, [&](const SmcState& s, const StageRecord& r) {
      say(stage_line("hold out:", s.stages.size(), r, last_step(s), elapsed()));
    });
    smc.refresh(out.particles, 1 + C);
    d.held_fit_ess = effective_sample_size(normalised_weights(out.particles.log_weight));
    d.held_p_class.assign(C * K, kNaN);
    for (std::size_t c = 0; c < C; ++c) {
      if (to[c] != 0.0) continue;
      const std::vector<double> pc = predictive(out.particles, c, cases[c].classes.size());
      for (std::size_t k = 0; k < pc.size(); ++k) d.held_p_class[c * K + k] = pc[k];
    }
  }
  return d;
}

}  // namespace deterrence
