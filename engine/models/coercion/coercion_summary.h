#pragma once
// The policy comparison a reader of a coercion run wants first.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace deterrence {
class ResultsFile;
void print_coercion_summary(const ResultsFile& results, std::FILE* out);
// One row per policy for a sweep point: the main outcome shares and the target's payoff.
std::vector<std::vector<std::pair<std::string, std::string>>> coercion_sweep_rows(const ResultsFile& point);
}  // namespace deterrence
