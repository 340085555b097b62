#pragma once
// The MPI ranks of a run, or a world of one. Built with MPI when CMake finds it
// (DETERRENCE_HAVE_MPI); MPI is initialised only when the process was started by mpirun, so
// the plain binary never needs an MPI runtime.
#include <cstdint>
#include <vector>

#include "stats/exact_sum.h"
#include "stats/statistics.h"

namespace deterrence {

class World {
 public:
  // Initialises MPI if this process was launched by mpirun (and finalises it on destruction).
  // Throws std::runtime_error if it was launched by mpirun with several ranks but the engine
  // was built without MPI: every rank would otherwise run the whole experiment.
  World(int* argc, char*** argv);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  int max(int value) const;            // the largest value over ranks, on every rank
  void barrier() const;
  // Adds every other rank's statistics into the root's `totals` (exact, like merge()).
  void reduce_to_root(RunStatistics& totals) const;
  // Adds every other rank's exact sums into the root's (same length on every rank).
  void reduce_to_root(std::vector<ExactSum>& sums) const;

  // Rows of a table every rank holds in full but filled only in its own block of rows: rank r's
  // block is rows [starts[r], starts[r + 1]) of `width` values. Afterwards every rank holds every
  // block (exact copies; a world of one does nothing).
  void share_rows(std::vector<double>& table, std::size_t width, const std::vector<std::uint64_t>& starts) const;
  void share_rows(std::vector<std::uint32_t>& table, std::size_t width, const std::vector<std::uint64_t>& starts) const;

  static bool built_with_mpi();

 private:
  int rank_ = 0, size_ = 1;
  bool initialised_ = false;
};

}  // namespace deterrence
