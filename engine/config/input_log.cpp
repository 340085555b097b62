#include "config/input_log.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <filesystem>
#include <stdexcept>

namespace deterrence {

namespace {
thread_local InputRecorder* active = nullptr;
}  // namespace

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

InputRecorder::InputRecorder() : previous_(active) { active = this; }
InputRecorder::~InputRecorder() { active = previous_; }

void record_input(const std::string& path, const std::string& role, const std::string& text) {
  if (!active) return;
  const std::string resolved = std::filesystem::weakly_canonical(path).string();
  for (const auto& f : active->files_)
    if (std::filesystem::weakly_canonical(f.path).string() == resolved) return;
  active->files_.push_back({path, role, text, sha256_hex(text)});
}

}  // namespace deterrence
