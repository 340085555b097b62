// libFuzzer target: the config reader. Each input is written as a config file beside a copy of
// the shipped configs (so `extends:` and data paths resolve) and loaded exactly as `run` loads
// it: parse, extends chain, model description, priors, cases. A clean refusal (any exception,
// which `main` turns into exit 1 or 2) is fine; a crash, abort, hang, leak or sanitizer report
// is a finding.
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/experiment.h"

namespace fs = std::filesystem;

namespace {
fs::path input_path;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* configs = std::getenv("DETERRENCE_CONFIGS");
  if (!configs) {
    std::fprintf(stderr, "set DETERRENCE_CONFIGS to the project's configs/ folder\n");
    std::abort();
  }
  std::string pattern = (fs::temp_directory_path() / "fuzz-config-XXXXXX").string();
  const fs::path work = mkdtemp(pattern.data());
  fs::copy(configs, work / "configs", fs::copy_options::recursive);
  input_path = work / "configs" / "fuzz-input.yaml";
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(input_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const deterrence::Experiment experiment = deterrence::load_experiment(input_path.string());
    (void)experiment.model->parameters().size();
  } catch (const std::exception&) {
    // refused with a message: what `deterrence run` would print
  }
  return 0;
}
