#include "cli/summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "calibration/calibration_io.h"
#include "calibration/comparison.h"
#include "cli/cases_command.h"
#include "model/registry.h"

namespace deterrence {

namespace {


void print_header(const ResultsFile& r, std::FILE* out) {
  std::string how = fmt::format("threads {}", r.count_attribute("threads"));
  if (r.merged_from() > 0) how = fmt::format("merged from {} shards", r.merged_from());
  else if (!r.attribute("shard").empty() && r.attribute("shard") != "1/1")
    how = fmt::format("shard {}: draws {}-{} of {}", r.attribute("shard"), r.count_attribute("first_draw"),
                      r.count_attribute("first_draw") + r.count_attribute("draws") - 1, r.count_attribute("total_draws"));
  fmt::print(out, "{}  model {}  draws {}  seed {}  {}\n", r.path(), r.attribute("model"), r.count_attribute("draws"),
             r.count_attribute("seed"), how);
  if (!r.attribute("description").empty()) fmt::print(out, "{}\n", r.attribute("description"));
  if (!r.inputs().empty()) {
    fmt::print(out, "inputs (SHA-256; `deterrence inputs {}` lists and extracts them):\n", r.path());
    for (const auto& f : r.inputs())
      fmt::print(out, "  {:<8} {}  {}\n", f.role, f.sha256.substr(0, 16), std::filesystem::path(f.path).filename().string());
  }
  if (const auto& p = r.posterior())
    fmt::print(out,
               "on the posterior of {}: each draw's {} resampled from {} calibration draws of effective sample size "
               "{:.1f} (Pareto k {:.2f}); every interval below is Monte Carlo error given those draws, whose effective "
               "sample size is how many distinct worlds of them stand behind it\n",
               std::filesystem::path(p->calibration_file).filename().string(),
               p->parameters.size() > 60 ? "global parameters" : p->parameters, p->calibration_draws,
               p->effective_sample_size, p->pareto_k);
  else
    fmt::print(out, "on the priors of the config (no calibration: `run --posterior CALIB.h5` plays on one)\n");
  fmt::print(out, "\n");
  if (!r.cases().empty()) {
    fmt::print(out, "Historical cases, each under the policy then in force:\n");
    print_case_table(r.case_forecasts(), out, false);
    fmt::print(out, "\n");
  }
}

// One long table: a row per output element (and category); a sweep adds its point and the swept
// values as leading columns, under one header.
void print_csv_rows(const ResultsFile& r, std::FILE* out, const std::string& prefix) {
  for (const auto& t : r.outputs()) {
    for (std::size_t e = 0; e < t.elements; ++e) {
      const std::string label = t.element_label(e);
      if (t.kind == "categorical") {
        for (std::size_t c = 0; c < t.categories.size(); ++c)
          fmt::print(out, "{}{},{},{},{},,,,,,,,,,{:.10g},{:.10g},{:.10g}\n", prefix, t.name, label, t.categories[c],
                     t.at("counts", e, c), t.at("share", e, c), t.at("wilson95_low", e, c), t.at("wilson95_high", e, c));
      } else {
        const double m = t.at("mean", e), h = t.at("ci95_half_width", e);
        std::string q05, q50, q95;
        if (!t.quantile_levels.empty()) {
          q05 = fmt::format("{:.10g}", t.at("quantiles", e, 1));
          q50 = fmt::format("{:.10g}", t.at("quantiles", e, 4));
          q95 = fmt::format("{:.10g}", t.at("quantiles", e, 7));
        }
        fmt::print(out, "{}{},{},,{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{},{},,,\n", prefix, t.name, label,
                   t.at("count", e), m, t.at("sd", e), m - h, m + h, t.at("min", e), t.at("max", e), q05, q50, q95);
      }
    }
  }
}

constexpr const char* kCsvColumns =
    "output,element,category,count,mean,sd,ci95_low,ci95_high,min,max,q05,q50,q95,share,wilson95_low,wilson95_high";

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted(1, '"');
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

// A swept value as JSON: a number when it reads as one, else its YAML text.
nlohmann::ordered_json swept_value(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(value)) return value;
  return text;
}

nlohmann::ordered_json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

// A count as an integer; one a uint64 cannot hold (only a damaged file has it) as null rather
// than an undefined conversion (found by tests/fuzz/fuzz_results).
nlohmann::ordered_json count_or_null(double x) {
  if (!(x >= 0.0 && x < 18446744073709551616.0)) return nullptr;
  return static_cast<std::uint64_t>(x);
}

// The outputs of one run (or one sweep point) as JSON.
nlohmann::ordered_json outputs_json(const ResultsFile& r) {
  nlohmann::ordered_json outputs = nlohmann::ordered_json::object();
  for (const auto& t : r.outputs()) {
    nlohmann::ordered_json output;
    output["kind"] = t.kind;
    output["description"] = t.description;
    output["dims"] = t.dims;
    if (t.kind == "categorical") output["categories"] = t.categories;
    nlohmann::ordered_json elements = nlohmann::ordered_json::array();
    for (std::size_t e = 0; e < t.elements; ++e) {
      nlohmann::ordered_json element;
      element["element"] = t.element_label(e);
      nlohmann::ordered_json labels = nlohmann::ordered_json::object();
      std::size_t rest = e, stride = t.elements;
      for (std::size_t d = 0; d < t.dims.size(); ++d) {
        stride /= t.labels[d].size();
        labels[t.dims[d]] = t.labels[d][rest / stride];
        rest %= stride;
      }
      element["labels"] = labels;
      if (t.kind == "categorical") {
        nlohmann::ordered_json categories = nlohmann::ordered_json::object();
        for (std::size_t c = 0; c < t.categories.size(); ++c)
          categories[t.categories[c]] = {{"count", count_or_null(t.at("counts", e, c))},
                                         {"share", finite_or_null(t.at("share", e, c))},
                                         {"wilson95", {finite_or_null(t.at("wilson95_low", e, c)),
                                                       finite_or_null(t.at("wilson95_high", e, c))}}};
        element["categories"] = categories;
      } else {
        element["count"] = count_or_null(t.at("count", e));
        for (const char* name : {"mean", "sd", "ci95_half_width", "min", "max"})
          element[name] = finite_or_null(t.at(name, e));
        if (!t.quantile_levels.empty()) {
          nlohmann::ordered_json quantiles = nlohmann::ordered_json::object();
          for (std::size_t q = 0; q < t.quantile_levels.size(); ++q)
            quantiles[fmt::format("{}", t.quantile_levels[q])] = finite_or_null(t.at("quantiles", e, q));
          element["quantiles"] = quantiles;
        }
      }
      elements.push_back(std::move(element));
    }
    output["elements"] = std::move(elements);
    outputs[t.name] = std::move(output);
  }
  return outputs;
}

// One JSON document for any results file: a run's outputs, or a sweep's points (each with its
// swept values and outputs). Its shape is documented in the README ("summary --json").
void print_json(const ResultsFile& r, std::FILE* out) {
  nlohmann::ordered_json document;
  document["file"] = r.path();
  document["model"] = r.attribute("model");
  document["draws"] = r.count_attribute("draws");
  document["seed"] = r.count_attribute("seed");
  document["config_hash"] = r.attribute("config_hash");
  if (const auto& p = r.posterior())
    document["posterior"] = {{"calibration_file", p->calibration_file},
                             {"parameters", p->parameters},
                             {"calibration_draws", p->calibration_draws},
                             {"effective_sample_size", finite_or_null(p->effective_sample_size)},
                             {"pareto_k", finite_or_null(p->pareto_k)}};
  else
    document["posterior"] = nullptr;
  if (r.sweep_keys().empty()) {
    document["kind"] = "run";
    document["outputs"] = outputs_json(r);
  } else {
    document["kind"] = "sweep";
    document["sweep_keys"] = r.sweep_keys();
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < r.sweep_values().size(); ++k) {
      const ResultsFile point(r.path(), k);
      nlohmann::ordered_json values = nlohmann::ordered_json::object();
      for (std::size_t j = 0; j < r.sweep_keys().size(); ++j)
        values[r.sweep_keys()[j]] = swept_value(r.sweep_values()[k][j]);
      points.push_back({{"point", k}, {"values", values}, {"outputs", outputs_json(point)}});
    }
    document["points"] = std::move(points);
  }
  fmt::print(out, "{}\n", document.dump(1));
}

void print_csv(const ResultsFile& r, std::FILE* out) {
  if (r.sweep_keys().empty()) {
    fmt::print(out, "{}\n", kCsvColumns);
    print_csv_rows(r, out, "");
    return;
  }
  std::string header = "point";
  for (const auto& key : r.sweep_keys()) header += fmt::format(",{}", csv_field(key));
  fmt::print(out, "{},{}\n", header, kCsvColumns);
  for (std::size_t k = 0; k < r.sweep_values().size(); ++k) {
    std::string prefix = fmt::format("{}", k);
    for (const auto& value : r.sweep_values()[k]) prefix += fmt::format(",{}", csv_field(value));
    print_csv_rows(ResultsFile(r.path(), k), out, prefix + ",");
  }
}

}  // namespace

void print_output_tables(const ResultsFile& r, std::FILE* out, std::size_t max_rows) {
  for (const auto& t : r.outputs()) {
    fmt::print(out, "{} — {}\n", t.name, t.description);
    const std::size_t rows = std::min(t.elements, max_rows);
    if (t.kind == "categorical") {
      fmt::print(out, "  {:<34}", "");
      for (const auto& c : t.categories) fmt::print(out, " {:>16}", c.substr(0, 16));
      fmt::print(out, "\n");
      for (std::size_t e = 0; e < rows; ++e) {
        fmt::print(out, "  {:<34}", t.element_label(e).substr(0, 34));
        for (std::size_t c = 0; c < t.categories.size(); ++c) fmt::print(out, " {:>15.1f}%", 100.0 * t.at("share", e, c));
        fmt::print(out, "\n");
      }
    } else {
      const bool q = !t.quantile_levels.empty();
      fmt::print(out, "  {:<34} {:>14} {:>12} {:>12} {:>12} {:>12}{}\n", "", "mean", "±95%", "sd", "min", "max",
                 q ? fmt::format(" {:>12} {:>12} {:>12}", "q05", "median", "q95") : "");
      for (std::size_t e = 0; e < rows; ++e) {
        fmt::print(out, "  {:<34} {:>14.6g} {:>12.4g} {:>12.6g} {:>12.6g} {:>12.6g}", t.element_label(e).substr(0, 34),
                   t.at("mean", e), t.at("ci95_half_width", e), t.at("sd", e), t.at("min", e), t.at("max", e));
        if (q)
          fmt::print(out, " {:>12.6g} {:>12.6g} {:>12.6g}", t.at("quantiles", e, 1), t.at("quantiles", e, 4),
                     t.at("quantiles", e, 7));
        fmt::print(out, "\n");
      }
    }
    if (rows < t.elements) fmt::print(out, "  … {} more rows (use --csv or --json for all)\n", t.elements - rows);
    fmt::print(out, "\n");
  }
}

namespace {

// The generic sweep row: every scalar output (mean ± half-width, or the share of each category).
std::vector<SummaryRow> generic_sweep_rows(const ResultsFile& point) {
  SummaryRow row;
  for (const auto& t : point.outputs()) {
    if (t.elements != 1) continue;
    if (t.kind == "categorical") {
      for (std::size_t c = 0; c < t.categories.size(); ++c)
        row.emplace_back(t.name + " " + t.categories[c] + " %", fmt::format("{:.1f}", 100.0 * t.at("share", 0, c)));
    } else {
      row.emplace_back(t.name, fmt::format("{:.5g}±{:.2g}", t.at("mean", 0), t.at("ci95_half_width", 0)));
    }
  }
  return {row};
}

// A sweep: one block of rows per point, the swept values first.
void print_sweep_table(const ResultsFile& results, std::FILE* out) {
  const ModelEntry* model = find_model(results.attribute("model"));
  const auto& keys = results.sweep_keys();
  fmt::print(out, "Sweep of {} point(s) over {}, every point on the same draws\n\n", results.sweep_values().size(),
             fmt::join(keys, ", "));
  bool header = false;
  std::vector<std::size_t> widths;
  for (std::size_t k = 0; k < results.sweep_values().size(); ++k) {
    const ResultsFile point(results.path(), k);
    const auto rows = model && model->sweep_rows ? model->sweep_rows(point) : generic_sweep_rows(point);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::vector<std::pair<std::string, std::string>> cells;
      for (std::size_t j = 0; j < keys.size(); ++j)
        cells.emplace_back(keys[j], r == 0 ? results.sweep_values()[k][j] : "");
      cells.insert(cells.end(), rows[r].begin(), rows[r].end());
      if (!header) {
        for (const auto& [name, cell] : cells) widths.push_back(std::max<std::size_t>(12, std::min<std::size_t>(name.size(), 28)));
        for (std::size_t c = 0; c < cells.size(); ++c)
          fmt::print(out, "{}{:>{}}", c ? " " : "", cells[c].first.substr(cells[c].first.size() > 28 ? cells[c].first.size() - 28 : 0), widths[c]);
        fmt::print(out, "\n");
        header = true;
      }
      for (std::size_t c = 0; c < cells.size(); ++c)
        fmt::print(out, "{}{:>{}}", c ? " " : "", cells[c].second, c < widths.size() ? widths[c] : 12);
      fmt::print(out, "\n");
    }
  }
}

}  // namespace

void print_summary(const ResultsFile& results, SummaryFormat format, std::FILE* out) {
  if (results.outputs().empty()) {
    // A calibration file: its weights and validation (no per-draw outputs of a run).
    print_header(results, out);
    h5::Handle file = open_results_file(results.path());
    if (!print_calibration(file, out) && !print_comparison(file, out)) fmt::print(out, "(no outputs)\n");
    return;
  }
  if (!results.sweep_keys().empty() && format == SummaryFormat::table) {
    print_header(results, out);
    print_sweep_table(results, out);
    return;
  }
  switch (format) {
    case SummaryFormat::csv:
      print_csv(results, out);
      return;
    case SummaryFormat::json:
      print_json(results, out);
      return;
    case SummaryFormat::table:
      break;
  }
  print_header(results, out);
  if (!results.sensitivity().empty()) {
    // Sobol indices first: what the file was made for.
    for (const auto& t : results.sensitivity()) {
      const OutputTable* table = results.find(t.output);
      fmt::print(out, "Sobol indices of {} (first order S and total ST, 95% bootstrap intervals)\n", t.output);
      fmt::print(out, "  {:<34} {:<14} {:>24} {:>24}\n", "element", "group", "S", "ST");
      for (std::size_t e = 0; e < std::min<std::size_t>(t.elements, 12); ++e)
        for (std::size_t g = 0; g < t.groups.size(); ++g) {
          const std::size_t k = e * t.groups.size() + g;
          fmt::print(out, "  {:<34} {:<14} {:>7.3f} [{:6.3f}, {:6.3f}] {:>7.3f} [{:6.3f}, {:6.3f}]\n",
                     g == 0 ? (table ? table->element_label(e) : std::to_string(e)).substr(0, 34) : "",
                     t.groups[g].substr(0, 14), t.first_order[k], t.first_order_low[k], t.first_order_high[k],
                     t.total[k], t.total_low[k], t.total_high[k]);
        }
      if (t.elements > 12) fmt::print(out, "  … {} more elements (h5py: /sensitivity/{})\n", t.elements - 12, t.output);
      fmt::print(out, "\n");
    }
    return;
  }
  const ModelEntry* model = find_model(results.attribute("model"));
  if (model && model->summary) {
    model->summary(results, out);
    return;
  }
  print_output_tables(results, out, 40);
}

}  // namespace deterrence
