#include "config/input_log.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace deterrence {

namespace {
thread_local InputRecorder* active = nullptr;
}  // namespace

namespace {
std::string hex_of(const unsigned char* digest, unsigned int length) {
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}
}  // namespace

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return hex_of(digest, length);
}

std::string sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the file");
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    if (in.gcount() > 0 && EVP_DigestUpdate(context.get(), block.data(), static_cast<std::size_t>(in.gcount())) != 1)
      throw std::runtime_error("SHA-256 failed");
  }
  if (in.bad()) throw std::runtime_error(path + ": cannot read the file");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) throw std::runtime_error("SHA-256 failed");
  return hex_of(digest, length);
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
