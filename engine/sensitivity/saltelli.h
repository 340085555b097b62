#pragma once
// Variance-based sensitivity: first-order and total Sobol indices by Saltelli's design
// (matrices A and B of independent inputs, and A with each group's columns taken from B:
// N·(G+2) model evaluations), with Saltelli (2010)'s first-order and Jansen's total-order
// estimators, and 95% intervals from a Poisson bootstrap of the rows. Row j of the design is
// draw j: it runs in the engine's chunk loop, and every sum is exact, so the indices are the
// same bits for any thread count.
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"
#include "run/progress.h"
#include "sampling/parameter_space.h"
#include "stats/exact_sum.h"
#include "stats/statistics.h"

namespace deterrence {

// Groups of parameters whose joint effect is one index ("salience" is one question to a user,
// not eighty). Correlated parameters (a copula) must share a group: the indices of groups are
// defined when the groups are independent of each other.
struct SensitivityGroups {
  std::vector<std::string> names;
  std::vector<std::vector<std::size_t>> members;  // parameter indices of each group
};
// by_parameter: one group per parameter. Otherwise the parameters' `group` labels (unlabelled
// parameters form "other"). Throws std::invalid_argument when a copula spans two groups.
SensitivityGroups make_groups(const ParameterSpace& space, bool by_parameter);

// One real output element whose variance is decomposed.
struct SensitivityTarget {
  std::string output;
  std::size_t element = 0;
  std::size_t slot = 0;  // in DrawOutputs::reals
};

struct SaltelliSettings {
  std::uint64_t first_row = 0;  // this process's rows: [first_row, first_row + rows) of the design
  std::uint64_t rows = 4096;    // N (or a shard's share of it)
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 256;
  int threads = 1;
  int bootstrap = 100;  // Poisson bootstrap replicates
};

struct IndexEstimate {
  double value = 0, low = 0, high = 0;  // estimate and 95% bootstrap percentile interval
};

struct SaltelliResult {
  std::vector<std::vector<IndexEstimate>> first_order, total;  // [target][group]
  std::vector<double> mean, variance;                          // per target, from A and B rows
  std::vector<std::uint64_t> rows_used;                        // rows where every evaluation gave a number
  double seconds = 0;
};

// The exact sums behind the indices: per target, bootstrap replicate (0: the estimate itself)
// and field (n, ΣfA, ΣfB, ΣfA², ΣfB², then per group Σ fB(fABg − fA) and Σ (fA − fABg)²).
// Sums of disjoint row ranges (shards) add up to the sums of their union, bit for bit.
struct SaltelliShape {
  std::size_t targets = 0, groups = 0, replicates = 0;
  std::size_t fields() const { return 5 + 2 * groups; }
  std::size_t width() const { return targets * replicates * fields(); }
};

// Runs the design's rows into `sums` (sized shape.width()); `a_statistics` receives the plain
// statistics of the A rows (which are the same draws of a plain run with the same seed).
void accumulate_saltelli(const Model& model, const SensitivityGroups& groups,
                         const std::vector<SensitivityTarget>& targets, const SaltelliSettings& settings,
                         std::vector<ExactSum>& sums, RunStatistics& a_statistics, Progress* progress);

// The indices and their bootstrap intervals from the sums.
SaltelliResult estimate_saltelli(const std::vector<ExactSum>& sums, const SaltelliShape& shape);

}  // namespace deterrence
