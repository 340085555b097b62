#pragma once
// The policy comparison a reader of a coercion run wants first.
#include <cstdio>

namespace deterrence {
class ResultsFile;
void print_coercion_summary(const ResultsFile& results, std::FILE* out);
}  // namespace deterrence
