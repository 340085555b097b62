#pragma once
// `deterrence show CONFIG [--origins]`: the config as the engine reads it, with every `extends:`
// applied; with --origins, each setting with the file that set it.
#include <string>

namespace deterrence {

int show_command(const std::string& config, bool origins);

}  // namespace deterrence
