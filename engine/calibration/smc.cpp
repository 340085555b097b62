#include "calibration/smc.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "calibration/rank_rows.h"
#include "run/mpi_world.h"
#include "run/parallel_chunks.h"
#include "run/runner.h"
#include "sampling/counter_rng.h"
#include "sampling/normal_quantile.h"

namespace deterrence {

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The key of one sweep's random numbers: (seed, purpose, path, stage, move).
std::uint64_t sweep_key(std::uint64_t seed, std::uint64_t purpose, std::uint64_t path, std::uint64_t stage,
                        std::uint64_t move) {
  std::uint64_t k = splitmix(seed ^ 0x6a09e667f3bcc909ULL);
  for (std::uint64_t part : {purpose, path, stage, move}) k = splitmix(k ^ part);
  return k;
}
constexpr std::uint64_t kPlays = 1, kWalk = 2, kResample = 3, kReplicate = 4;
constexpr std::uint64_t kAcceptStream = 0xffffffffULL, kKernelStream = 0xfffffffeULL;

// ln of the prior's density in z = logit u (u uniform): ln u + ln(1 − u), stably.
double log_prior_z(double z) { return -std::fabs(z) - 2.0 * std::log1p(std::exp(-std::fabs(z))); }

double uniform_of(double z) {
  const double u = 1.0 / (1.0 + std::exp(-z));
  return std::clamp(u, 0x1.0p-54, 0x1.fffffffffffffp-1);
}

struct RowSlot {
  RowSlot(const CaseLikelihood& likelihood, const Sampler& inner) : plays(likelihood.make_workspace(inner)) {}
  std::unique_ptr<CaseLikelihood::Workspace> plays;
};

}  // namespace

std::vector<double> normalised_weights(std::span<const double> log_weight) {
  const double top = *std::max_element(log_weight.begin(), log_weight.end());
  std::vector<double> w(log_weight.size());
  double sum = 0;
  for (std::size_t i = 0; i < w.size(); ++i) sum += (w[i] = std::exp(log_weight[i] - top));
  for (double& v : w) v /= sum;
  return w;
}

double effective_sample_size(std::span<const double> w) {
  double s = 0;
  for (double v : w) s += v * v;
  return 1.0 / s;
}

TemperedSmc::TemperedSmc(const Model& model, const SmcSettings& settings)
    : model_(model), settings_(settings), likelihood_(model, settings.inner) {
  if (settings_.particles < 2) throw std::invalid_argument("sequential Monte Carlo needs at least 2 particles");
  if (!(settings_.cess_fraction > 0 && settings_.cess_fraction < 1))
    throw std::invalid_argument("the conditional ESS fraction must lie in (0, 1)");
  for (std::size_t g : likelihood_.globals())
    varies_.push_back(model.parameters()[g].distribution.kind != DistributionKind::constant);
}

std::vector<double> TemperedSmc::prior_theta() const {
  const std::size_t N = settings_.particles, G = likelihood_.globals().size();
  const Sampler outer(model_.parameters(), settings_.seed);
  auto scratch = outer.make_scratch();
  std::vector<double> values(model_.parameters().size()), theta(N * G);
  for (std::size_t i = 0; i < N; ++i) {
    outer.sample(i, values, scratch);
    for (std::size_t g = 0; g < G; ++g) theta[i * G + g] = values[likelihood_.globals()[g]];
  }
  return theta;
}

void TemperedSmc::estimate_rows(Particles& p, std::uint64_t key) const {
  const std::size_t C = p.cases, K = p.classes, G = p.globals;
  const Sampler inner(model_.parameters(), key);
  // Chunks small enough that every rank has some (a particle's estimate does not depend on them).
  const std::uint64_t ranks = settings_.world ? static_cast<std::uint64_t>(settings_.world->size()) : 1;
  const std::uint64_t chunk = std::max<std::uint64_t>(1, std::min<std::uint64_t>(settings_.chunk_size, p.count / ranks));
  const RankRows rows = rank_rows(p.count, chunk, settings_.world);
  ChunkPlan plan;
  plan.first_draw = rows.first;
  plan.draw_count = rows.count;
  plan.chunk_size = chunk;
  plan.threads = effective_threads(settings_.threads);
  parallel_chunks(
      plan, [&] { return std::make_unique<RowSlot>(likelihood_, inner); },
      [&](RowSlot& s, std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
          likelihood_.estimate(inner, i * settings_.inner, {&p.theta[i * G], G}, *s.plays, &p.p_class[i * C * K],
                               &p.conditioned[i * C], &p.log_p_case[i * C]);
      },
      [](RowSlot&, std::uint64_t, std::uint64_t) { return true; }, [](std::uint64_t) {});
  if (rows.shared()) {
    settings_.world->share_rows(p.log_p_case, C, rows.starts);
    settings_.world->share_rows(p.p_class, C * K, rows.starts);
    settings_.world->share_rows(p.conditioned, C, rows.starts);
  }
}

SmcState TemperedSmc::start_from_prior() const {
  SmcState state;
  Particles& p = state.particles;
  p.count = settings_.particles;
  p.globals = likelihood_.globals().size();
  p.cases = likelihood_.cases();
  p.classes = likelihood_.classes();
  const std::size_t N = p.count, G = p.globals, C = p.cases;
  p.theta = prior_theta();
  p.z.assign(N * G, 0.0);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t g = 0; g < G; ++g)
      if (varies_[g]) {
        const double u = std::clamp(model_.parameters()[likelihood_.globals()[g]].distribution.cdf(p.theta[i * G + g]),
                                    0x1.0p-54, 0x1.fffffffffffffp-1);
        p.z[i * G + g] = std::log(u) - std::log1p(-u);
      }
  p.log_p_case.assign(N * C, 0.0);
  p.p_class.assign(N * C * p.classes, 0.0);
  p.conditioned.assign(N * C, 0);
  p.log_weight.assign(N, 0.0);
  estimate_rows(p, sweep_key(settings_.seed, kPlays, 0, 0, 0));
  return state;
}

void TemperedSmc::refresh(Particles& particles, std::uint64_t key) const {
  estimate_rows(particles, sweep_key(settings_.seed, kPlays, ~0ULL, key, 0));
}

std::vector<double> TemperedSmc::replicate_log_likelihood(std::span<const double> theta, std::uint64_t replicates) const {
  std::vector<double> out;
  const std::size_t C = likelihood_.cases(), K = likelihood_.classes();
  std::vector<double> p_class(C * K), log_p(C);
  std::vector<std::uint32_t> conditioned(C);
  for (std::uint64_t r = 0; r < replicates; ++r) {
    const Sampler inner(model_.parameters(), sweep_key(settings_.seed, kReplicate, 0, r, 0));
    auto w = likelihood_.make_workspace(inner);
    out.push_back(likelihood_.estimate(inner, 0, theta, *w, p_class.data(), conditioned.data(), log_p.data()));
  }
  return out;
}

void TemperedSmc::run(SmcState& state, const TemperingPath& path, const StageDone& stage_done) const {
  Particles& p = state.particles;
  const std::size_t N = p.count, C = p.cases;
  if (path.from.size() != C || path.to.size() != C) throw std::logic_error("a tempering path needs an exponent per case");
  std::vector<double> direction(N);
  while (!state.done()) {
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t stage = state.stages.size() + 1;
    StageRecord record;
    for (std::size_t i = 0; i < N; ++i) {
      double d = 0;
      for (std::size_t c = 0; c < C; ++c) d += (path.to[c] - path.from[c]) * p.log_p_case[i * C + c];
      direction[i] = d;
    }
    const std::vector<double> W = normalised_weights(p.log_weight);
    const double top = *std::max_element(direction.begin(), direction.end());
    // The conditional ESS of a step δ, as a share of N, and the step's mean incremental weight.
    const auto cess = [&](double delta, double* log_mean) {
      double s1 = 0, s2 = 0;
      for (std::size_t i = 0; i < N; ++i) {
        const double w = std::exp(delta * (direction[i] - top));
        s1 += W[i] * w;
        s2 += W[i] * w * w;
      }
      if (log_mean) *log_mean = delta * top + std::log(s1);
      return s1 * s1 / s2;
    };
    const double room = 1.0 - state.t;
    double delta = room;
    if (cess(room, nullptr) < settings_.cess_fraction) {
      double lo = 0, hi = room;
      for (int it = 0; it < 60; ++it) {
        const double mid = 0.5 * (lo + hi);
        (cess(mid, nullptr) >= settings_.cess_fraction ? lo : hi) = mid;
      }
      delta = lo > 0 ? lo : hi;  // always a step forward
    }
    cess(delta, &record.log_increment);
    state.log_ratio += record.log_increment;
    state.t = delta == room ? 1.0 : state.t + delta;
    for (std::size_t i = 0; i < N; ++i) p.log_weight[i] += delta * direction[i];
    const std::vector<double> after = normalised_weights(p.log_weight);
    record.ess = effective_sample_size(after);
    record.t = state.t;
    // Resample when the ESS falls below the threshold, and after every step that the conditional
    // ESS stopped short of the path's end (its ESS sits at the target then, the threshold's edge).
    if (record.ess < settings_.resample_below * static_cast<double>(N) || state.t < 1.0) {
      // Systematic resampling: one uniform per stage, positions (u + j)/N.
      const CounterRng rng(sweep_key(settings_.seed, kResample, path.id, stage, 0));
      const double u = rng.uniform(0, 0);
      std::vector<std::size_t> pick(N);
      double cumulative = after[0];
      std::size_t source = 0;
      for (std::size_t j = 0; j < N; ++j) {
        const double position = (u + static_cast<double>(j)) / static_cast<double>(N);
        while (position > cumulative && source + 1 < N) cumulative += after[++source];
        pick[j] = source;
      }
      Particles resampled = p;
      const auto copy_rows = [&](const auto& from, auto& to, std::size_t width) {
        for (std::size_t j = 0; j < N; ++j)
          std::copy(from.begin() + static_cast<std::ptrdiff_t>(pick[j] * width),
                    from.begin() + static_cast<std::ptrdiff_t>((pick[j] + 1) * width),
                    to.begin() + static_cast<std::ptrdiff_t>(j * width));
      };
      copy_rows(p.z, resampled.z, p.globals);
      copy_rows(p.theta, resampled.theta, p.globals);
      copy_rows(p.log_p_case, resampled.log_p_case, C);
      copy_rows(p.p_class, resampled.p_class, C * p.classes);
      copy_rows(p.conditioned, resampled.conditioned, C);
      std::fill(resampled.log_weight.begin(), resampled.log_weight.end(), 0.0);
      p = std::move(resampled);
      record.resampled = true;
    }
    move(state, path, stage, record);
    record.scale = state.scale;
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    state.stages.push_back(record);
    if (stage_done) stage_done(state, record);
  }
}

void TemperedSmc::move(SmcState& state, const TemperingPath& path, std::uint64_t stage, StageRecord& record) const {
  Particles& p = state.particles;
  const std::size_t N = p.count, G = p.globals, C = p.cases;
  std::vector<std::size_t> dims;
  for (std::size_t g = 0; g < G; ++g)
    if (varies_[g]) dims.push_back(g);
  const std::size_t d = dims.size();
  if (d == 0) return;
  std::vector<double> exponent(C);
  for (std::size_t c = 0; c < C; ++c) exponent[c] = path.from[c] + state.t * (path.to[c] - path.from[c]);
  const auto log_target = [&](const Particles& q, std::size_t i) {
    double s = 0;
    for (std::size_t g : dims) s += log_prior_z(q.z[i * G + g]);
    for (std::size_t c = 0; c < C; ++c) s += exponent[c] * q.log_p_case[i * C + c];
    return s;
  };
  // The walk's shape: the particles' weighted covariance in z.
  const std::vector<double> W = normalised_weights(p.log_weight);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t a = 0; a < d; ++a) mean[static_cast<Eigen::Index>(a)] += W[i] * p.z[i * G + dims[a]];
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
  Eigen::VectorXd x(static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t a = 0; a < d; ++a) x[static_cast<Eigen::Index>(a)] = p.z[i * G + dims[a]] - mean[static_cast<Eigen::Index>(a)];
    cov.noalias() += W[i] * x * x.transpose();
  }
  const double jitter = 1e-9 * std::max(1e-12, cov.trace() / static_cast<double>(d));
  cov.diagonal().array() += jitter;
  Eigen::LLT<Eigen::MatrixXd> llt(cov);
  if (llt.info() != Eigen::Success) {  // degenerate particles: fall back to their variances
    cov = Eigen::MatrixXd(cov.diagonal().asDiagonal());
    llt.compute(cov);
  }
  const Eigen::MatrixXd L = llt.matrixL();
  // The independent proposal's log density (up to a constant), N(mean, cov) in z.
  const auto log_q = [&](const std::vector<double>& z, std::size_t i) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(d));
    for (std::size_t a = 0; a < d; ++a) v[static_cast<Eigen::Index>(a)] = z[i * G + dims[a]] - mean[static_cast<Eigen::Index>(a)];
    return -0.5 * L.triangularView<Eigen::Lower>().solve(v).squaredNorm();
  };
  const std::vector<double> start = p.z;
  Particles proposal = p;
  std::vector<std::uint8_t> independent(N);
  double acceptance_sum = 0;
  const std::uint32_t max_moves = path.id == 0 ? settings_.max_moves : settings_.refit_moves;
  for (std::uint32_t m = 0; m < max_moves; ++m) {
    const std::uint64_t sweep = m + 1;
    const CounterRng rng(sweep_key(settings_.seed, kWalk, path.id, stage, sweep));
    const double step = state.scale * 2.38 / std::sqrt(static_cast<double>(d));
    Eigen::VectorXd eps(static_cast<Eigen::Index>(d));
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t a = 0; a < d; ++a) eps[static_cast<Eigen::Index>(a)] = standard_normal_quantile(rng.uniform(i, a));
      // A mixture of two π-invariant kernels, picked per particle and sweep: the random walk, or
      // (a share settings_.independent_share) an independent draw from the particles' Gaussian,
      // which can carry a particle across the posterior in one accepted move.
      independent[i] = rng.uniform(i, kKernelStream) < settings_.independent_share;
      const Eigen::VectorXd jump = independent[i] ? Eigen::VectorXd(mean + L * eps) : Eigen::VectorXd(step * (L * eps));
      for (std::size_t g = 0; g < G; ++g) proposal.theta[i * G + g] = p.theta[i * G + g];
      for (std::size_t a = 0; a < d; ++a) {
        const std::size_t g = dims[a];
        const double z = (independent[i] ? 0.0 : p.z[i * G + g]) + jump[static_cast<Eigen::Index>(a)];
        proposal.z[i * G + g] = z;
        proposal.theta[i * G + g] = model_.parameters()[likelihood_.globals()[g]].distribution.quantile(uniform_of(z));
      }
    }
    estimate_rows(proposal, sweep_key(settings_.seed, kPlays, path.id, stage, sweep));
    std::size_t accepted = 0, walks = 0, walks_accepted = 0;
    for (std::size_t i = 0; i < N; ++i) {
      double log_alpha = log_target(proposal, i) - log_target(p, i);
      if (independent[i]) log_alpha += log_q(p.z, i) - log_q(proposal.z, i);
      walks += independent[i] ? 0 : 1;
      if (!(std::log(rng.uniform(i, kAcceptStream)) < log_alpha)) continue;
      ++accepted;
      walks_accepted += independent[i] ? 0 : 1;
      const auto take = [&](const auto& from, auto& to, std::size_t width) {
        std::copy(from.begin() + static_cast<std::ptrdiff_t>(i * width), from.begin() + static_cast<std::ptrdiff_t>((i + 1) * width),
                  to.begin() + static_cast<std::ptrdiff_t>(i * width));
      };
      take(proposal.z, p.z, G);
      take(proposal.theta, p.theta, G);
      take(proposal.log_p_case, p.log_p_case, C);
      take(proposal.p_class, p.p_class, C * p.classes);
      take(proposal.conditioned, p.conditioned, C);
    }
    const double rate = static_cast<double>(accepted) / static_cast<double>(N);
    acceptance_sum += rate;
    const double walk_rate = walks ? static_cast<double>(walks_accepted) / static_cast<double>(walks) : rate;
    state.scale = std::clamp(state.scale * std::exp(walk_rate - settings_.target_acceptance), 1e-3, 10.0);
    record.moves = m + 1;
    // How far the particles have come: the mean (over parameters) weighted correlation of z now
    // with z at the stage's start.
    double correlation = 0;
    std::size_t counted = 0;
    for (std::size_t g : dims) {
      double m0 = 0, m1 = 0;
      for (std::size_t i = 0; i < N; ++i) {
        m0 += W[i] * start[i * G + g];
        m1 += W[i] * p.z[i * G + g];
      }
      double s00 = 0, s11 = 0, s01 = 0;
      for (std::size_t i = 0; i < N; ++i) {
        const double a = start[i * G + g] - m0, b = p.z[i * G + g] - m1;
        s00 += W[i] * a * a;
        s11 += W[i] * b * b;
        s01 += W[i] * a * b;
      }
      if (s00 <= 1e-300 || s11 <= 1e-300) continue;
      correlation += s01 / std::sqrt(s00 * s11);
      ++counted;
    }
    record.correlation = counted ? correlation / static_cast<double>(counted) : 0.0;
    if (record.correlation < settings_.decorrelation) break;
  }
  record.acceptance = record.moves ? acceptance_sum / record.moves : 0.0;
}

}  // namespace deterrence
