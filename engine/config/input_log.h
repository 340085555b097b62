#pragma once
// Every file an experiment reads — its config, the configs it extends, its data files — with its
// exact bytes and SHA-256, in the order read. The results file stores them (/inputs), the run's
// identity hash covers them, and `deterrence inputs FILE --extract DIR` writes them back.
#include <string>
#include <vector>

namespace deterrence {

struct InputFile {
  std::string path;    // as resolved when read (absolute or relative to the working folder)
  std::string role;    // config, extends or data
  std::string text;    // the exact bytes
  std::string sha256;  // hex
};

std::string sha256_hex(const std::string& bytes);
// The SHA-256 of a file's bytes, read in blocks (results files may be large). Throws
// std::runtime_error naming the file when it cannot be read.
std::string sha256_of_file(const std::string& path);

// While one is alive on this thread, every config or data file read is recorded in it.
class InputRecorder {
 public:
  InputRecorder();
  ~InputRecorder();
  InputRecorder(const InputRecorder&) = delete;
  InputRecorder& operator=(const InputRecorder&) = delete;
  const std::vector<InputFile>& files() const { return files_; }
  std::vector<InputFile> take() { return std::move(files_); }

 private:
  friend void record_input(const std::string&, const std::string&, const std::string&);
  std::vector<InputFile> files_;
  InputRecorder* previous_;
};

// Records a file read (no-op without a recorder; a file read twice is recorded once).
void record_input(const std::string& path, const std::string& role, const std::string& text);

}  // namespace deterrence
