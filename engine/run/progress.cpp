#include "run/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace deterrence {

Progress::Mode Progress::detect(bool quiet) {
  if (quiet) return Mode::quiet;
  return isatty(STDERR_FILENO) ? Mode::terminal : Mode::log;
}

Progress::Progress(Mode mode, std::uint64_t total_draws, std::FILE* stream)
    : mode_(mode), total_(total_draws), stream_(stream),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(std::uint64_t draws_done) {
  if (mode_ == Mode::quiet) return;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = mode_ == Mode::terminal ? std::chrono::milliseconds(250) : std::chrono::seconds(10);
  if (now - last_ < interval) return;
  last_ = now;
  print(draws_done, false);
}

void Progress::finish(std::uint64_t draws_done) {
  if (mode_ == Mode::quiet) return;
  print(draws_done, true);
}

void Progress::print(std::uint64_t done, bool final) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  const double percent = total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  const std::string line =
      final ? fmt::format("{} draws in {:.1f} s ({:.0f} draws/s)", done, seconds, rate)
            : fmt::format("{}/{} draws ({:.1f}%), {:.0f} draws/s, ETA {:.0f} s", done, total_, percent, rate, eta);
  if (mode_ == Mode::terminal) {
    fmt::print(stream_, "\r\033[K{}{}", line, final ? "\n" : "");
  } else {
    fmt::print(stream_, "[deterrence] {}\n", line);
  }
  std::fflush(stream_);
}

}  // namespace deterrence
