#include "sampling/parameter_space.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "config/config_error.h"
#include "sampling/counter_rng.h"

namespace deterrence {

std::size_t ParameterSpace::add(const std::string& name, const Distribution& distribution,
                                const std::string& group) {
  if (by_name_.count(name)) throw ConfigError(fmt::format("parameter '{}' is defined twice", name));
  const std::uint64_t stream = stream_of(name);
  if (auto clash = by_stream_.find(stream); clash != by_stream_.end())
    throw ConfigError(fmt::format("parameters '{}' and '{}' hash to the same random stream; rename one",
                                  parameters_[clash->second].name, name));
  const std::size_t index = parameters_.size();
  parameters_.push_back({name, distribution, stream, group});
  parameters_.back().distribution.prepare();
  in_copula_.push_back(false);
  read_.push_back(true);  // a parameter added by a model is read by it
  by_name_[name] = index;
  by_stream_[stream] = index;
  return index;
}

std::string correlation_matrix_problem(const Eigen::MatrixXd& r) {
  if (r.rows() != r.cols()) return fmt::format("the matrix is {}x{}, not square", r.rows(), r.cols());
  for (Eigen::Index i = 0; i < r.rows(); ++i) {
    if (!std::isfinite(r(i, i)) || std::abs(r(i, i) - 1.0) > 1e-12)
      return fmt::format("diagonal entry [{}][{}] is {}, not 1", i, i, r(i, i));
    for (Eigen::Index j = 0; j < r.cols(); ++j) {
      if (!std::isfinite(r(i, j))) return fmt::format("entry [{}][{}] is not finite", i, j);
      if (std::abs(r(i, j)) > 1.0)
        return fmt::format("entry [{}][{}] is {}, outside [-1, 1]", i, j, r(i, j));
      if (std::abs(r(i, j) - r(j, i)) > 1e-12)
        return fmt::format("entries [{}][{}] and [{}][{}] differ: the matrix is not symmetric", i, j, j, i);
    }
  }
  Eigen::LLT<Eigen::MatrixXd> llt(r);
  if (llt.info() != Eigen::Success) return "the matrix is not positive definite";
  return "";
}

void ParameterSpace::correlate(const std::vector<std::size_t>& members,
                               const Eigen::MatrixXd& correlation) {
  if (static_cast<Eigen::Index>(members.size()) != correlation.rows())
    throw std::invalid_argument(fmt::format("{} parameters but a {}x{} correlation matrix",
                                            members.size(), correlation.rows(), correlation.cols()));
  const std::string problem = correlation_matrix_problem(correlation);
  if (!problem.empty()) throw std::invalid_argument("not a valid correlation matrix: " + problem);
  for (std::size_t m : members) {
    if (in_copula_.at(m))
      throw std::invalid_argument(
          fmt::format("parameter '{}' is already in another correlation group", parameters_[m].name));
    in_copula_[m] = true;
  }
  copulas_.push_back({members, Eigen::LLT<Eigen::MatrixXd>(correlation).matrixL()});
}

std::optional<std::size_t> ParameterSpace::find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  read_[it->second] = true;
  return it->second;
}

void ParameterSpace::forget_reads() const { std::fill(read_.begin(), read_.end(), false); }

std::size_t ParameterSpace::largest_copula() const {
  std::size_t largest = 0;
  for (const auto& group : copulas_) largest = std::max(largest, group.members.size());
  return largest;
}

}  // namespace deterrence
