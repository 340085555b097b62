#pragma once
// The validated set of uncertain parameters of one experiment: names, marginals, streams and
// Gaussian-copula groups. Built once from the config (by the engine and the model), then read
// by every sampler.
#include <Eigen/Dense>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sampling/distribution.h"

namespace deterrence {

struct Parameter {
  std::string name;
  Distribution distribution;
  std::uint64_t stream = 0;
  std::string group;  // for grouped sensitivity: salience, resolve, ...
};

struct CopulaGroup {
  std::vector<std::size_t> members;  // parameter indices
  Eigen::MatrixXd cholesky;          // lower factor of the correlation matrix
};

class ParameterSpace {
 public:
  // Throws ConfigError on a duplicate name or a name whose stream collides with another's.
  std::size_t add(const std::string& name, const Distribution& distribution,
                  const std::string& group = "");
  // Ties parameters by a Gaussian copula; throws std::invalid_argument naming the problem when
  // `correlation` is not a valid correlation matrix or a member is already in a group.
  void correlate(const std::vector<std::size_t>& members, const Eigen::MatrixXd& correlation);

  std::size_t size() const { return parameters_.size(); }
  const Parameter& operator[](std::size_t i) const { return parameters_[i]; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  const std::vector<CopulaGroup>& copulas() const { return copulas_; }
  // Looks a parameter up by name, and notes that it was read (see was_read).
  std::optional<std::size_t> find(const std::string& name) const;
  // Whether a parameter was looked up since forget_reads(), or added since: a parameter the
  // config declares but no model reads cannot act, and is refused.
  void forget_reads() const;
  bool was_read(std::size_t i) const { return read_[i]; }
  std::size_t largest_copula() const;

 private:
  std::vector<Parameter> parameters_;
  std::vector<CopulaGroup> copulas_;
  std::vector<bool> in_copula_;
  mutable std::vector<bool> read_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::unordered_map<std::uint64_t, std::size_t> by_stream_;
};

// Checks a correlation matrix; returns an empty string when valid, else what is wrong.
std::string correlation_matrix_problem(const Eigen::MatrixXd& correlation);

}  // namespace deterrence
