#include "calibration/case_likelihood.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace deterrence {

CaseLikelihood::CaseLikelihood(const Model& model, std::uint64_t inner_plays)
    : model_(model), inner_(inner_plays), cases_(model.cases()), globals_(model.calibration_parameters()) {
  if (cases_.empty()) throw std::runtime_error("the experiment declares no historical cases to calibrate on");
  if (inner_ == 0) throw std::invalid_argument("a likelihood needs at least one inner play");
  batch_ = std::max<std::size_t>(1, model.batch_size());
  for (const auto& c : cases_) classes_ = std::max(classes_, c.classes.size());
  category_names_ = model.outputs().find(cases_.front().output)->categories;
  categories_ = category_names_.size();
  for (const auto& c : cases_) {
    const OutputSpec* output = model.outputs().find(c.output);
    if (output->categories.size() != categories_)
      throw std::runtime_error("the cases read outputs with different categories");
    case_slot_.push_back(output->offset + c.element);
    std::vector<int> of_category(output->categories.size(), -1);
    for (std::size_t k = 0; k < c.classes.size(); ++k)
      for (std::size_t category : c.classes[k].categories) of_category[category] = static_cast<int>(k);
    class_of_category_.push_back(std::move(of_category));
    std::vector<std::pair<std::size_t, double>> observed;
    for (const auto& o : c.observed)
      for (std::size_t k = 0; k < c.classes.size(); ++k)
        if (c.classes[k].label == o.label) observed.emplace_back(k, o.weight);
    observed_.push_back(std::move(observed));
  }
}

std::unique_ptr<CaseLikelihood::Workspace> CaseLikelihood::make_workspace(const Sampler& any_inner) const {
  auto w = std::make_unique<Workspace>();
  const std::size_t P = model_.parameters().size();
  w->scratch = any_inner.make_scratch(static_cast<std::size_t>(inner_));
  w->model = model_.make_workspace();
  w->rows.resize(static_cast<std::size_t>(inner_) * P);
  w->batch.resize(batch_);
  w->reals.resize(model_.outputs().real_slots() * batch_);
  w->codes.resize(model_.outputs().code_slots() * batch_);
  w->one_reals.resize(model_.outputs().real_slots());
  w->one_codes.resize(model_.outputs().code_slots());
  w->counts.resize(cases_.size() * classes_);
  return w;
}

double CaseLikelihood::log_p_observed(std::size_t c, const double* p) const {
  double p_observed = 0;
  for (const auto& [k, weight] : observed_[c]) p_observed += weight * p[k];
  return std::log(p_observed);
}

void CaseLikelihood::count_categories(const Sampler& inner, std::uint64_t first_play, std::span<const double> theta,
                                      Workspace& w, std::uint64_t* counts) const {
  const std::size_t P = model_.parameters().size(), C = cases_.size();
  const std::size_t plays = static_cast<std::size_t>(inner_);
  inner.sample_draws(first_play, plays, w.rows, w.scratch);
  for (std::size_t k = 0; k < plays; ++k)
    for (std::size_t g = 0; g < globals_.size(); ++g) w.rows[k * P + globals_[g]] = theta[g];
  DrawOutputs out{w.one_reals, w.one_codes};
  for (std::size_t k = 0; k < plays; ++k) {
    model_.evaluate({w.rows.data() + k * P, P}, w.model.get(), out);
    for (std::size_t c = 0; c < C; ++c) ++counts[c * categories_ + w.one_codes[case_slot_[c]]];
  }
}

double CaseLikelihood::estimate(const Sampler& inner, std::uint64_t first_play, std::span<const double> theta,
                                Workspace& w, double* p_class, std::uint32_t* conditioned, double* log_p_case) const {
  const std::size_t P = model_.parameters().size(), C = cases_.size(), K = classes_;
  const std::size_t plays = static_cast<std::size_t>(inner_);
  inner.sample_draws(first_play, plays, w.rows, w.scratch);
  for (std::size_t k = 0; k < plays; ++k)  // θ is the draw's; the rest varies
    for (std::size_t g = 0; g < globals_.size(); ++g) w.rows[k * P + globals_[g]] = theta[g];
  std::fill(w.counts.begin(), w.counts.end(), 0u);
  const auto count = [&](std::uint8_t code, std::size_t c) {
    const int cls = class_of_category_[c][code];
    if (cls >= 0) ++w.counts[c * K + static_cast<std::size_t>(cls)];
  };
  if (batch_ == 1) {
    DrawOutputs out{w.one_reals, w.one_codes};
    for (std::size_t k = 0; k < plays; ++k) {
      model_.evaluate({w.rows.data() + k * P, P}, w.model.get(), out);
      for (std::size_t c = 0; c < C; ++c) count(w.one_codes[case_slot_[c]], c);
    }
  } else {
    const BatchOutputs out{w.reals, w.codes, batch_};
    for (std::size_t start = 0; start < plays; start += batch_) {
      const std::size_t n = std::min(batch_, plays - start);
      for (std::size_t b = 0; b < n; ++b) w.batch[b] = {w.rows.data() + (start + b) * P, P};
      model_.evaluate_batch({w.batch.data(), n}, w.model.get(), out);
      for (std::size_t b = 0; b < n; ++b)
        for (std::size_t c = 0; c < C; ++c) count(out.code(case_slot_[c], b), c);
    }
  }
  double log_lik = 0;
  for (std::size_t c = 0; c < C; ++c) {
    const std::size_t n_classes = cases_[c].classes.size();
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < n_classes; ++k) n += w.counts[c * K + k];
    conditioned[c] = n;
    double* p = p_class + c * K;
    std::fill(p, p + K, std::numeric_limits<double>::quiet_NaN());
    log_p_case[c] = 0;
    if (n == 0) continue;  // never conditioned: contributes nothing for this θ (docs/model.md §8)
    // Jeffreys-smoothed: a class no inner play produced gets 1/2, so ln p >= -ln(2K + 4).
    for (std::size_t k = 0; k < n_classes; ++k)
      p[k] = (w.counts[c * K + k] + 0.5) / (static_cast<double>(n) + 0.5 * static_cast<double>(n_classes));
    log_p_case[c] = log_p_observed(c, p);
    log_lik += log_p_case[c];
  }
  return log_lik;
}

}  // namespace deterrence
