#include "run/precision_target.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace deterrence {

std::vector<PrecisionTarget> parse_targets(const std::vector<std::string>& texts, const Model& model) {
  std::vector<PrecisionTarget> targets;
  for (const auto& text : texts) {
    const auto equals = text.rfind('=');
    const std::string what = text.substr(0, equals);
    double half = 0;
    try {
      if (equals == std::string::npos) throw std::invalid_argument("");
      std::size_t used = 0;
      half = std::stod(text.substr(equals + 1), &used);
      if (used != text.size() - equals - 1 || !(half > 0)) throw std::invalid_argument("");
    } catch (const std::logic_error&) {
      throw std::invalid_argument(fmt::format("--until '{}': expected OUTPUT[/ELEMENT]=HALF_WIDTH with a positive "
                                              "half-width, e.g. outcome_share/economic_nato/DETERRED=0.002",
                                              text));
    }
    const auto slash = what.find('/');
    const std::string name = what.substr(0, slash);
    const OutputSpec* spec = model.outputs().find(name);
    if (!spec || spec->kind != OutputKind::real)
      throw std::invalid_argument(fmt::format("--until '{}': '{}' is not a real output of the model", text, name));
    const std::string element = slash == std::string::npos ? "" : what.substr(slash + 1);
    bool found = false;
    for (std::size_t e = 0; e < spec->size; ++e) {
      const std::string label = spec->element_label(e);
      if (!element.empty() && label != element) continue;
      targets.push_back({name + (label.empty() ? "" : "/" + label), spec->offset + e, half});
      found = true;
    }
    if (!found)
      throw std::invalid_argument(fmt::format("--until '{}': output {} has no element '{}'", text, name, element));
  }
  return targets;
}

double half_width_of(const RunStatistics& a, const RunStatistics& b, std::size_t slot) {
  const std::uint64_t n = a.count(slot) + b.count(slot);
  if (n < 2) return std::numeric_limits<double>::infinity();
  ExactSum s1 = a.sum(slot), s2 = a.sum_sq(slot);
  s1.add(b.sum(slot));
  s2.add(b.sum_sq(slot));
  const long double nn = static_cast<long double>(n), m = s1.value_long() / nn;
  const long double variance = std::max(0.0L, (s2.value_long() - nn * m * m) / (nn - 1));
  return static_cast<double>(1.96L * std::sqrt(variance / nn));
}

}  // namespace deterrence
