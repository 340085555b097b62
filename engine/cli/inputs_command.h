#pragma once
// `deterrence inputs FILE [--extract DIR]`: the inputs a results file recorded (role, SHA-256,
// size, path), and, with --extract, every one of them written back byte for byte under DIR in
// their relative layout, so that `deterrence run DIR/<config>` reproduces the file.
#include <string>

namespace deterrence {

struct InputsCommandOptions {
  std::string file;
  std::string extract;  // a folder; empty: list only
};

int inputs_command(const InputsCommandOptions& options);

}  // namespace deterrence
