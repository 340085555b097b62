#pragma once
// The likelihood of the record at one value of the global parameters θ, estimated from K inner
// plays of everything θ leaves uncertain (docs/model.md §8): per case, the Jeffreys-smoothed
// share of the plays meeting its condition that end in each scored class, and ln p_c =
// ln Σ weight · P(class). Both calibration methods (importance sampling and sequential Monte
// Carlo) estimate through this one function; the plays go through the model's batched kernel
// when it has one (Model::batch_size), with the same bits as one play at a time.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "model/model.h"
#include "sampling/sampler.h"

namespace deterrence {

class CaseLikelihood {
 public:
  CaseLikelihood(const Model& model, std::uint64_t inner_plays);

  // What one worker owns, sized once: estimating allocates nothing.
  struct Workspace {
    Sampler::Scratch scratch;
    std::unique_ptr<ModelWorkspace> model;
    std::vector<double> rows;                       // K · parameters
    std::vector<std::span<const double>> batch;     // one batch's rows
    std::vector<double> reals, one_reals;
    std::vector<std::uint8_t> codes, one_codes;
    std::vector<std::uint32_t> counts;              // [case, class]
  };
  std::unique_ptr<Workspace> make_workspace(const Sampler& any_inner) const;

  // Plays draws first_play … first_play + K − 1 of `inner` with θ (one value per global, in
  // globals() order) in place of their globals. Writes, per case, P(class) to p_class (cases ×
  // classes, NaN past a case's classes or when never conditioned), the conditioned play count and
  // ln p_c (0 where never conditioned: it contributes nothing for this θ); returns Σ_c ln p_c.
  double estimate(const Sampler& inner, std::uint64_t first_play, std::span<const double> theta, Workspace& w,
                  double* p_class, std::uint32_t* conditioned, double* log_p_case) const;

  // How the plays end, whatever the condition: each case's count of every category of its output
  // over the same K plays (cases × categories(), added to `counts`): where a case the record
  // observed is decided instead (e.g. NOT_CONTESTED: the coercer tolerates).
  void count_categories(const Sampler& inner, std::uint64_t first_play, std::span<const double> theta, Workspace& w,
                        std::uint64_t* counts) const;
  std::size_t categories() const { return categories_; }
  const std::vector<std::string>& category_names() const { return category_names_; }

  // ln p_c from a case's stored class probabilities (as estimate() computed it).
  double log_p_observed(std::size_t c, const double* p_class_of_case) const;

  const std::vector<std::size_t>& globals() const { return globals_; }
  std::size_t cases() const { return cases_.size(); }
  std::size_t classes() const { return classes_; }
  std::uint64_t inner_plays() const { return inner_; }
  const std::vector<CaseSpec>& specs() const { return cases_; }

 private:
  const Model& model_;
  std::uint64_t inner_;
  std::vector<CaseSpec> cases_;
  std::vector<std::size_t> globals_;
  std::size_t classes_ = 0, batch_ = 1, categories_ = 0;
  std::vector<std::string> category_names_;  // of the first case's output
  std::vector<std::size_t> case_slot_;                 // the code slot each case reads
  std::vector<std::vector<int>> class_of_category_;    // per case and category: its class (−1: none)
  std::vector<std::vector<std::pair<std::size_t, double>>> observed_;  // per case: (class, weight)
};

}  // namespace deterrence
