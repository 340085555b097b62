#include "cli/summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "calibration/calibration_io.h"
#include "cli/cases_command.h"
#include "model/registry.h"

namespace deterrence {

namespace {

std::string json_number(double x) { return std::isfinite(x) ? fmt::format("{:.17g}", x) : "null"; }

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += c;
    }
  }
  return out + "\"";
}

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
  fmt::print(out, "\n");
  if (!r.cases().empty()) {
    fmt::print(out, "Historical cases, each under the policy then in force:\n");
    print_case_table(r.case_forecasts(), out, false);
    fmt::print(out, "\n");
  }
}

void print_csv(const ResultsFile& r, std::FILE* out) {
  fmt::print(out, "output,element,category,count,mean,sd,ci95_low,ci95_high,min,max,q05,q50,q95,share,wilson95_low,wilson95_high\n");
  for (const auto& t : r.outputs()) {
    for (std::size_t e = 0; e < t.elements; ++e) {
      const std::string label = t.element_label(e);
      if (t.kind == "categorical") {
        for (std::size_t c = 0; c < t.categories.size(); ++c)
          fmt::print(out, "{},{},{},{},,,,,,,,,,{:.10g},{:.10g},{:.10g}\n", t.name, label, t.categories[c],
                     t.at("counts", e, c), t.at("share", e, c), t.at("wilson95_low", e, c), t.at("wilson95_high", e, c));
      } else {
        const double m = t.at("mean", e), h = t.at("ci95_half_width", e);
        std::string q05, q50, q95;
        if (!t.quantile_levels.empty()) {
          q05 = fmt::format("{:.10g}", t.at("quantiles", e, 1));
          q50 = fmt::format("{:.10g}", t.at("quantiles", e, 4));
          q95 = fmt::format("{:.10g}", t.at("quantiles", e, 7));
        }
        fmt::print(out, "{},{},,{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{},{},,,\n", t.name, label,
                   t.at("count", e), m, t.at("sd", e), m - h, m + h, t.at("min", e), t.at("max", e), q05, q50, q95);
      }
    }
  }
}

void print_json(const ResultsFile& r, std::FILE* out) {
  fmt::print(out, "{{\"file\": {}, \"model\": {}, \"draws\": {}, \"seed\": {}, \"outputs\": {{", json_string(r.path()),
             json_string(r.attribute("model")), r.count_attribute("draws"), r.count_attribute("seed"));
  bool first_output = true;
  for (const auto& t : r.outputs()) {
    fmt::print(out, "{}\n  {}: {{\"kind\": {}, \"description\": {}, \"elements\": [", first_output ? "" : ",",
               json_string(t.name), json_string(t.kind), json_string(t.description));
    first_output = false;
    for (std::size_t e = 0; e < t.elements; ++e) {
      fmt::print(out, "{}\n    {{\"element\": {}", e ? "," : "", json_string(t.element_label(e)));
      if (t.kind == "categorical") {
        fmt::print(out, ", \"categories\": {{");
        for (std::size_t c = 0; c < t.categories.size(); ++c)
          fmt::print(out, "{}{}: {{\"count\": {}, \"share\": {}, \"wilson95\": [{}, {}]}}", c ? ", " : "",
                     json_string(t.categories[c]), t.at("counts", e, c), json_number(t.at("share", e, c)),
                     json_number(t.at("wilson95_low", e, c)), json_number(t.at("wilson95_high", e, c)));
        fmt::print(out, "}}}}");
      } else {
        fmt::print(out, ", \"count\": {}, \"mean\": {}, \"sd\": {}, \"ci95_half_width\": {}, \"min\": {}, \"max\": {}",
                   t.at("count", e), json_number(t.at("mean", e)), json_number(t.at("sd", e)),
                   json_number(t.at("ci95_half_width", e)), json_number(t.at("min", e)), json_number(t.at("max", e)));
        if (!t.quantile_levels.empty()) {
          fmt::print(out, ", \"quantiles\": {{");
          for (std::size_t q = 0; q < t.quantile_levels.size(); ++q)
            fmt::print(out, "{}\"{}\": {}", q ? ", " : "", t.quantile_levels[q], json_number(t.at("quantiles", e, q)));
          fmt::print(out, "}}");
        }
        fmt::print(out, "}}");
      }
    }
    fmt::print(out, "]}}");
  }
  fmt::print(out, "\n}}}}\n");
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
    if (!print_calibration(file, out)) fmt::print(out, "(no outputs)\n");
    return;
  }
  if (!results.sweep_keys().empty() && format == SummaryFormat::table) {
    print_header(results, out);
    print_sweep_table(results, out);
    return;
  }
  if (!results.sweep_keys().empty()) {
    // CSV / JSON of a sweep: every point in turn, each introduced by its values.
    for (std::size_t k = 0; k < results.sweep_values().size(); ++k) {
      const ResultsFile point(results.path(), k);
      if (format == SummaryFormat::csv) {
        std::string values;
        for (std::size_t j = 0; j < results.sweep_keys().size(); ++j)
          values += fmt::format("{}{}={}", j ? "; " : "", results.sweep_keys()[j], results.sweep_values()[k][j]);
        fmt::print(out, "# sweep point {}: {}\n", k, values);
        print_csv(point, out);
      } else {
        print_json(point, out);
      }
    }
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
