#pragma once
// Errors in user input. Every message names the file, line and column, the key path,
// what was found and what was expected, so a user can fix the config without guessing.
#include <stdexcept>
#include <string>

namespace deterrence {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace deterrence
