#pragma once
// The inputs a run read, in its results file (/inputs: path, role, sha256, text per file).
#include <string>
#include <vector>

#include "config/input_log.h"
#include "io/h5.h"

namespace deterrence {

void write_inputs(hid_t file, const std::vector<InputFile>& inputs);
// Empty for a file written before inputs were recorded. Throws h5::Error when malformed, or when a
// stored text does not match its stored SHA-256.
std::vector<InputFile> read_inputs(hid_t file);
// "" when both sets hold the same bytes; else which input differs, for a refusal.
std::string differing_input(const std::vector<InputFile>& a, const std::vector<InputFile>& b);

}  // namespace deterrence
