#pragma once
// Precision targets (`run --until OUTPUT[/ELEMENT]=HALF_WIDTH`): a run stops at the first chunk
// where every target's 95% half-width is at most its value.
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"
#include "stats/statistics.h"

namespace deterrence {

// A real output element and the 95% half-width it must reach.
struct PrecisionTarget {
  std::string text;
  std::size_t slot = 0;
  double half_width = 0;
};
// No target counts as met before this many draws: a rare share is 0 ± 0 after a few draws.
constexpr std::uint64_t kMinDrawsForTarget = 1000;

// Throws std::invalid_argument naming the target that does not parse or names no real output.
std::vector<PrecisionTarget> parse_targets(const std::vector<std::string>& texts, const Model& model);
// The 95% half-width of a slot over two partial statistics (restored segments + this run).
double half_width_of(const RunStatistics& a, const RunStatistics& b, std::size_t slot);

}  // namespace deterrence
