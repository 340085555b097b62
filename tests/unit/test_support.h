#pragma once
// Small helpers shared by the tests: temporary folders and config files, running the CLI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace deterrence::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "deterrence-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return file(name);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command, returns its exit status; output goes to `log` when given.
inline int shell(const std::string& command, const std::string& log = "") {
  const std::string full = log.empty() ? command + " >/dev/null 2>&1" : command + " >" + log + " 2>&1";
  const int status = std::system(full.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline const char* kIshigamiParameters = R"(parameters:
  x1: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793}
  x2: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793}
  x3: {dist: uniform, min: -3.141592653589793, max: 3.141592653589793}
)";

}  // namespace deterrence::testing
