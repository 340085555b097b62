#pragma once
// The per-draw records of a results file (/records) checked against the file's own output layout:
// every dataset one the layout records (a categorical output's codes: an 8-bit enum of its
// categories; an aggregate real output's values or the sampled parameters: 64-bit floats), with
// one row per draw of the file and each row the output's shape (the parameters: one value per
// name in parameter_names). Throws std::runtime_error naming the file and the dataset.
#include <cstdint>
#include <string>

#include "io/h5.h"
#include "model/output_layout.h"

namespace deterrence {

void check_records(hid_t file, const std::string& path, const OutputLayout& layout, std::uint64_t draws);

}  // namespace deterrence
