#pragma once
// One writer per output. A command that writes OUT (run, sweep, merge, sensitivity, calibrate)
// holds an exclusive POSIX record lock (fcntl) on "OUT.lock" for its whole life; the file names
// the holder ("pid host"). fcntl locks are released by the kernel when a process dies, however it
// dies, so a lock file left by a dead process is simply taken over. On NFS (v3 with lockd, v4)
// fcntl locks are the primitive the server honours; flock() is not.
#include <stdexcept>
#include <string>

namespace deterrence {

// Another live process holds the output (exit 2: the command was pointed at a busy output).
class BusyOutput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputLock {
 public:
  OutputLock() = default;
  // Takes the lock on `output` or throws BusyOutput naming the holder. Says on stderr (unless
  // quiet) when it takes over the lock file of a process that is gone.
  static OutputLock acquire(const std::string& output, bool quiet);
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();  // removes the lock file, then lets the lock go

  bool held() const { return fd_ >= 0; }

 private:
  void release() noexcept;
  int fd_ = -1;
  std::string path_;
};

// "OUT.lock"
std::string lock_path(const std::string& output);

// For the commands: takes the lock into `lock`; on failure prints "error: …" and returns the
// exit code (2 for a busy output, 1 for any other failure), else 0.
int lock_output(OutputLock& lock, const std::string& output, bool quiet);

}  // namespace deterrence
