#pragma once
// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2015/2022; used for
// leave-one-out in Vehtari, Gelman & Gabry 2017): the largest importance ratios are replaced by
// expected order statistics of a generalized Pareto fitted to them (Zhang & Stephens 2009, with
// the weakly informative prior of the loo package), then truncated at S^{3/4} times their mean.
// k̂, the fitted shape, says how far the estimate can be trusted: below 0.5 good, 0.5–0.7 usable,
// above 0.7 unreliable.
#include <vector>

namespace deterrence {

struct SmoothedWeights {
  std::vector<double> log_weights;  // smoothed log ratios (not normalised)
  double k_hat = 0;                 // NaN when the tail is too short to fit
};

SmoothedWeights pareto_smooth(const std::vector<double>& log_ratios);

// Generalized Pareto fit to exceedances x (all > 0): shape k and scale sigma.
void fit_generalized_pareto(std::vector<double> x, double& k, double& sigma);

}  // namespace deterrence
