#pragma once
// Progress on stderr: a live line (draws done, draws/s, ETA) on a terminal, plain periodic log
// lines otherwise (cluster logs), nothing with --quiet. Called only from the folding thread.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace deterrence {

// Wall seconds since `start` (phase timings of runs, sweeps and the runner).
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class Progress {
 public:
  enum class Mode { quiet, terminal, log };
  static Mode detect(bool quiet);
  Progress(Mode mode, std::uint64_t total_draws, std::FILE* stream = stderr);
  void update(std::uint64_t draws_done);
  void finish(std::uint64_t draws_done);

 private:
  void print(std::uint64_t draws_done, bool final);
  Mode mode_;
  std::uint64_t total_;
  std::FILE* stream_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace deterrence
