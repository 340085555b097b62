#include "models/coercion/coercion_summary.h"

#include <fmt/format.h>

#include <algorithm>

#include "io/results_reader.h"

namespace deterrence {

namespace {
std::string share_cell(const OutputTable& t, std::size_t element) {
  return fmt::format("{:5.1f}±{:<4.1f}", 100.0 * t.at("mean", element), 100.0 * t.at("ci95_half_width", element));
}
}  // namespace

void print_coercion_summary(const ResultsFile& results, std::FILE* out) {
  const OutputTable* shares = results.find("outcome_share");
  const OutputTable* payoff = results.find("mean_target_payoff");
  const OutputTable* bloc = results.find("mean_bloc_cost");
  const OutputTable* trigger = results.find("trigger_rate");
  const OutputTable* diff = results.find("difference_from_reference");
  if (!shares || !payoff || !diff) {
    fmt::print(out, "(not a complete coercion results file)\n");
    return;
  }
  const auto& policies = shares->labels[0];
  const auto& outcomes = shares->labels[1];
  const std::size_t k = outcomes.size();
  fmt::print(out, "Outcome shares over all episodes, % of episodes (mean ± 95% half-width over draws)\n");
  fmt::print(out, "{:<24}", "policy");
  for (const auto& o : outcomes) fmt::print(out, " {:>11}", o.substr(0, 11));
  fmt::print(out, " {:>11} {:>10} {:>8}\n", "U_T mean", "bloc cost", "trigger%");
  for (std::size_t p = 0; p < policies.size(); ++p) {
    fmt::print(out, "{:<24}", policies[p].substr(0, 24));
    for (std::size_t o = 0; o < k; ++o) fmt::print(out, " {:>11}", share_cell(*shares, p * k + o));
    fmt::print(out, " {:>11.3f} {:>10.3f} {:>8.1f}\n", payoff->at("mean", p), bloc ? bloc->at("mean", p) : 0.0,
               trigger ? 100.0 * trigger->at("mean", p) : 0.0);
  }
  fmt::print(out, "\n{}\n", diff->description);
  const auto& measures = diff->labels[1];
  fmt::print(out, "{:<24}", "policy");
  for (const auto& m : measures) fmt::print(out, " {:>24}", m);
  fmt::print(out, "\n");
  for (std::size_t p = 0; p < policies.size(); ++p) {
    fmt::print(out, "{:<24}", policies[p].substr(0, 24));
    for (std::size_t m = 0; m < measures.size(); ++m) {
      const std::size_t e = p * measures.size() + m;
      const double scale = measures[m] == "target_payoff" ? 1.0 : 100.0;
      const double mean = scale * diff->at("mean", e), half = scale * diff->at("ci95_half_width", e);
      fmt::print(out, " {:>24}", fmt::format("{:+.2f} [{:+.2f}, {:+.2f}]", mean, mean - half, mean + half));
    }
    fmt::print(out, "\n");
  }
  fmt::print(out, "(shares in percentage points; target_payoff in USD bn per episode)\n");
}

std::vector<std::vector<std::pair<std::string, std::string>>> coercion_sweep_rows(const ResultsFile& point) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  const OutputTable* shares = point.find("outcome_share");
  const OutputTable* payoff = point.find("mean_target_payoff");
  if (!shares || !payoff) return rows;
  const auto& policies = shares->labels[0];
  const auto& outcomes = shares->labels[1];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(outcomes.begin(), outcomes.end(), name) - outcomes.begin());
  };
  const std::size_t k = outcomes.size();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    std::vector<std::pair<std::string, std::string>> row{{"policy", policies[p]}};
    for (const char* o : {"DETERRED", "SELF_CENSORSHIP", "CAPITULATION", "COMPELLED", "ESCALATION"}) {
      const std::size_t c = column(o);
      if (c < k) row.emplace_back(std::string(o).substr(0, 11) + " %", share_cell(*shares, p * k + c));
    }
    row.emplace_back("U_T mean", fmt::format("{:.3f}", payoff->at("mean", p)));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace deterrence
