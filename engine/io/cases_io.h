#pragma once
// The historical cases a run played, in its results file (/cases): one row per case, so that
// `summary` and the Python reader forecast and score them from the stored counts alone.
#include <string>
#include <vector>

#include "io/h5.h"
#include "model/case_spec.h"

namespace deterrence {

// `categories`: the categories of each case's output, to name the classes' members.
void write_cases(hid_t file, const std::vector<CaseSpec>& cases, const std::vector<std::string>& categories);
// Empty when the file has no /cases. Throws h5::Error naming what is malformed.
std::vector<CaseSpec> read_cases(hid_t file, const std::vector<std::string>& categories);

}  // namespace deterrence
