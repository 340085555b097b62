#include "io/safe_files.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>
#include <stdexcept>

namespace deterrence {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  char buffer[256] = {0};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "host";
  std::string name = buffer;
  for (char& c : name)
    if (c == '-' || c == '/' || c == '.') c = '_';
  return name.empty() ? "host" : name;
}

}  // namespace

std::string temporary_name(const std::string& final_path) {
  std::random_device entropy;
  const std::uint64_t token = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
  return fmt::format("{}.partial-{}-{}-{:016x}", final_path, host_name(), getpid(), token);
}

void refuse_symlink(const fs::path& path, const char* what) {
  std::error_code ignored;
  if (fs::is_symlink(fs::symlink_status(path, ignored)))
    throw std::runtime_error(fmt::format("{} {} is a symbolic link; refusing to write through it (give a plain path)",
                                         what, path.string()));
}

void remove_dead_partials(const std::string& final_path, bool quiet) {
  const fs::path target(final_path);
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".partial-" + host_name() + "-";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    if (!entry.is_regular_file(error) || entry.is_symlink(error)) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == std::string::npos) continue;
    long pid = 0;
    try {
      pid = std::stol(rest.substr(0, dash));
    } catch (const std::exception&) {
      continue;
    }
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code removed;
    if (fs::remove(entry.path(), removed) && !quiet)
      fmt::print(stderr, "removed {}, a temporary file left by a process that is gone (pid {})\n", entry.path().string(),
                 pid);
  }
}

bool is_own_file(const fs::path& path, const std::string& prefix) {
  std::error_code error;
  if (fs::is_symlink(fs::symlink_status(path, error)) || !fs::is_regular_file(path, error)) return false;
  const std::string name = path.filename().string();
  if (name.rfind(prefix, 0) != 0) return false;
  return name.size() > 3 && (name.ends_with(".h5") || name.find(".h5.partial-") != std::string::npos);
}

namespace {
// A path a signal handler must remove: copied into static storage, since the handler may only
// make async-signal-safe calls (unlink).
struct ArmedPath {
  char path[4096];
  std::atomic<bool> armed{false};

  void arm(const std::string& text) {
    armed.store(false);
    if (text.empty() || text.size() >= sizeof path) return;
    std::copy(text.begin(), text.end(), path);
    path[text.size()] = '\0';
    armed.store(true);
  }
  void remove() {
    if (armed.load()) unlink(path);
  }
};

ArmedPath temporary_file, lock_file;

extern "C" void remove_and_exit(int) {
  temporary_file.remove();
  lock_file.remove();
  _exit(3);  // kExitInterrupted
}
}  // namespace

void exit_cleanly_on_signals() {
  struct sigaction action {};
  action.sa_handler = remove_and_exit;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGTERM, SIGINT, SIGUSR1}) sigaction(signal, &action, nullptr);  // SIGUSR1: from mpirun
}

void arm_temporary(const std::string& path) { temporary_file.arm(path); }
void disarm_temporary() { temporary_file.armed.store(false); }
void arm_lock_file(const std::string& path) { lock_file.arm(path); }
void disarm_lock_file() { lock_file.armed.store(false); }

}  // namespace deterrence
