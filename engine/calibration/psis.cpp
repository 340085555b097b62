#include "calibration/psis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace deterrence {

void fit_generalized_pareto(std::vector<double> x, double& k, double& sigma) {
  std::sort(x.begin(), x.end());
  const auto n = static_cast<double>(x.size());
  const double prior = 3.0;
  const int m = 30 + static_cast<int>(std::floor(std::sqrt(n)));
  std::vector<double> b(static_cast<std::size_t>(m)), k_of(b.size()), log_lik(b.size());
  const double quartile = x[static_cast<std::size_t>(std::floor(n / 4.0 + 0.5)) - 1];
  for (int j = 0; j < m; ++j) {
    b[static_cast<std::size_t>(j)] = 1.0 - std::sqrt(static_cast<double>(m) / (j + 1 - 0.5));
    b[static_cast<std::size_t>(j)] = b[static_cast<std::size_t>(j)] / (prior * quartile) + 1.0 / x.back();
  }
  for (std::size_t j = 0; j < b.size(); ++j) {
    double s = 0;
    for (double v : x) s += std::log1p(-b[j] * v);
    k_of[j] = s / n;
    log_lik[j] = n * (std::log(-b[j] / k_of[j]) - k_of[j] - 1.0);
  }
  // Posterior weights of the grid of b values (a quadrature of the profile likelihood).
  std::vector<double> w(b.size());
  for (std::size_t j = 0; j < b.size(); ++j) {
    double s = 0;
    for (std::size_t l = 0; l < b.size(); ++l) s += std::exp(log_lik[l] - log_lik[j]);
    w[j] = 1.0 / s;
  }
  double total = 0, b_post = 0;
  for (std::size_t j = 0; j < b.size(); ++j)
    if (w[j] >= 10 * std::numeric_limits<double>::epsilon()) total += w[j];
  for (std::size_t j = 0; j < b.size(); ++j)
    if (w[j] >= 10 * std::numeric_limits<double>::epsilon()) b_post += b[j] * w[j] / total;
  double s = 0;
  for (double v : x) s += std::log1p(-b_post * v);
  const double k_post = s / n;  // the shape: mean of log(1 - θ̂ x) (Zhang & Stephens' parametrisation)
  sigma = -k_post / b_post;
  k = (n * k_post + 10.0 * 0.5) / (n + 10.0);  // weakly informative prior towards 0.5
}

SmoothedWeights pareto_smooth(const std::vector<double>& log_ratios) {
  SmoothedWeights out;
  out.log_weights = log_ratios;
  const std::size_t S = log_ratios.size();
  const double max_lr = *std::max_element(log_ratios.begin(), log_ratios.end());
  for (double& v : out.log_weights) v -= max_lr;  // ratios in (0, 1]: no overflow
  const std::size_t M = std::min<std::size_t>(S / 5, static_cast<std::size_t>(3.0 * std::sqrt(static_cast<double>(S))));
  out.k_hat = std::numeric_limits<double>::quiet_NaN();
  if (M >= 5 && S > M + 1) {
    std::vector<std::size_t> order(S);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return out.log_weights[a] != out.log_weights[b] ? out.log_weights[a] < out.log_weights[b] : a < b;
    });
    const double cutoff = out.log_weights[order[S - M - 1]];
    std::vector<double> exceed;
    for (std::size_t i = S - M; i < S; ++i) exceed.push_back(std::exp(out.log_weights[order[i]]) - std::exp(cutoff));
    const bool degenerate = std::all_of(exceed.begin(), exceed.end(), [&](double v) { return v <= 0.0; }) ||
                            *std::min_element(exceed.begin(), exceed.end()) <= 0.0;
    if (!degenerate) {
      double k = 0, sigma = 0;
      fit_generalized_pareto(exceed, k, sigma);
      out.k_hat = k;
      if (std::isfinite(k) && std::isfinite(sigma) && sigma > 0) {
        for (std::size_t j = 0; j < M; ++j) {
          const double p = (static_cast<double>(j) + 0.5) / static_cast<double>(M);
          const double q = std::abs(k) < 1e-12 ? -sigma * std::log1p(-p) : sigma / k * (std::pow(1.0 - p, -k) - 1.0);
          out.log_weights[order[S - M + j]] = std::min(0.0, std::log(q + std::exp(cutoff)));
        }
      }
    }
  }
  // Truncate at S^{3/4} times the mean weight.
  double sum = 0;
  for (double v : out.log_weights) sum += std::exp(v);
  const double cap = std::log(sum / static_cast<double>(S)) + 0.75 * std::log(static_cast<double>(S));
  for (double& v : out.log_weights) v = std::min(v, cap);
  return out;
}

}  // namespace deterrence
