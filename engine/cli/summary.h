#pragma once
// `deterrence summary FILE`: a table on stdout, or CSV / JSON of every statistic.
#include <cstdio>
#include <string>

#include "io/results_reader.h"

namespace deterrence {

enum class SummaryFormat { table, csv, json };

void print_summary(const ResultsFile& results, SummaryFormat format, std::FILE* out);
// The generic per-output table (also used after a model's own summary).
void print_output_tables(const ResultsFile& results, std::FILE* out, std::size_t max_rows);

}  // namespace deterrence
