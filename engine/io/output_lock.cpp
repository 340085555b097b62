#include "io/output_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/safe_files.h"

namespace deterrence {

namespace {

std::string this_host() {
  char buffer[256] = {0};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

// "pid host" as the holder wrote it, or "" (not written yet, or not ours).
std::string holder_of(int fd) {
  char buffer[300] = {0};
  const ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "";
  std::string text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return "";
  return text;
}

std::string describe(const std::string& holder) {
  const auto space = holder.find(' ');
  if (holder.empty() || space == std::string::npos) return "pid unknown";
  return fmt::format("pid {}, host {}", holder.substr(0, space), holder.substr(space + 1));
}

}  // namespace

std::string lock_path(const std::string& output) { return output + ".lock"; }

int lock_output(OutputLock& lock, const std::string& output, bool quiet) {
  try {
    lock = OutputLock::acquire(output, quiet);
    return 0;
  } catch (const BusyOutput& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

OutputLock OutputLock::acquire(const std::string& output, bool quiet) {
  const std::string path = lock_path(output);
  refuse_symlink(path, "the lock file");
  // The file may be unlinked by its holder between our open and our lock: then the lock we got
  // is on a name nobody sees, so check the name still leads to the locked file, or try again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
      throw std::runtime_error(fmt::format("cannot create the lock file {}: {}", path, std::strerror(errno)));
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &lock) != 0) {
      const int error = errno;
      const std::string holder = holder_of(fd);
      close(fd);
      if (error == EACCES || error == EAGAIN)
        throw BusyOutput(fmt::format("{} is being written by another run ({}); wait for it to finish, or stop it "
                                     "(its checkpoint can then be resumed)",
                                     output, describe(holder)));
      throw std::runtime_error(fmt::format("cannot lock {}: {}", path, std::strerror(error)));
    }
    struct stat opened {}, named {};
    if (fstat(fd, &opened) != 0 || lstat(path.c_str(), &named) != 0 || opened.st_ino != named.st_ino ||
        opened.st_dev != named.st_dev || !S_ISREG(named.st_mode)) {
      close(fd);
      continue;
    }
    const std::string previous = holder_of(fd);
    if (!previous.empty() && !quiet)
      fmt::print(stderr, "took over the lock on {} left by a run that is gone ({})\n", output, describe(previous));
    const std::string me = fmt::format("{} {}\n", getpid(), this_host());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
      const int error = errno;
      close(fd);
      throw std::runtime_error(fmt::format("cannot write the lock file {}: {}", path, std::strerror(error)));
    }
    arm_lock_file(path);
    OutputLock held;
    held.fd_ = fd;
    held.path_ = path;
    return held;
  }
  throw std::runtime_error(fmt::format("cannot lock {}: its lock file keeps being replaced", output));
}

OutputLock::OutputLock(OutputLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

OutputLock::~OutputLock() { release(); }

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  disarm_lock_file();
  unlink(path_.c_str());  // while still holding the lock: a waiting opener then re-checks the name
  close(fd_);
  fd_ = -1;
}

}  // namespace deterrence
