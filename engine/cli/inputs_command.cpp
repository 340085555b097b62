#include "cli/inputs_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "io/inputs_io.h"
#include "io/results_reader.h"

namespace deterrence {

namespace fs = std::filesystem;

namespace {

// The deepest folder holding every input: the layout below it is kept on extraction, so the
// relative paths inside the configs (data/…, ../baseline.yaml) still lead to the same files.
fs::path common_folder(const std::vector<InputFile>& inputs) {
  fs::path common = fs::path(inputs.front().path).parent_path();
  for (const auto& f : inputs) {
    const fs::path folder = fs::path(f.path).parent_path();
    fs::path shared;
    auto a = common.begin(), b = folder.begin();
    for (; a != common.end() && b != folder.end() && *a == *b; ++a, ++b) shared /= *a;
    common = shared;
  }
  return common;
}

void write_new_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  // Never over anything: a new file, no link followed.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot create {} (it exists, or the folder is not writable)", path.string()));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      close(fd);
      throw std::runtime_error(fmt::format("cannot write {}", path.string()));
    }
    written += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

}  // namespace

int inputs_command(const InputsCommandOptions& options) {
  try {
    h5::Handle file = open_results_file(options.file);
    const std::vector<InputFile> inputs = read_inputs(file);
    if (inputs.empty()) {
      fmt::print(stderr, "error: {} records no inputs (written before inputs were recorded)\n", options.file);
      return 1;
    }
    const fs::path common = common_folder(inputs);
    for (const auto& f : inputs)
      fmt::print("{:<8} {}  {:>9} bytes  {}\n", f.role, f.sha256, f.text.size(), fs::relative(f.path, common).string());
    if (options.extract.empty()) return 0;
    const fs::path root(options.extract);
    for (const auto& f : inputs) write_new_file(root / fs::relative(f.path, common), f.text);
    const fs::path config = root / fs::relative(inputs.front().path, common);
    fmt::print("wrote {} file(s) under {}; to reproduce: deterrence run {} (same seed and draws as recorded)\n",
               inputs.size(), root.string(), config.string());
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
