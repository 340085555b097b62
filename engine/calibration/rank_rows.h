#pragma once
// Which rows (draws, particles) of a calibration table this MPI rank computes: the shard rule
// over chunks, so every rank count covers the same chunks; all ranks then share their rows
// (World::share_rows) and hold the whole table, the same bits as one process.
#include <cstdint>
#include <vector>

#include "run/mpi_world.h"
#include "run/shard.h"

namespace deterrence {

struct RankRows {
  std::vector<std::uint64_t> starts;  // every rank's first row, then the row count
  std::uint64_t first = 0, count = 0; // this rank's
  bool shared() const { return starts.size() > 2; }
};

inline RankRows rank_rows(std::uint64_t rows, std::uint64_t chunk_size, const World* world) {
  RankRows r;
  const int ranks = world ? world->size() : 1;
  for (int k = 0; k < ranks; ++k)
    r.starts.push_back(first_draw_of(
        shard_chunks({static_cast<std::uint64_t>(k) + 1, static_cast<std::uint64_t>(ranks)}, rows, chunk_size).first,
        chunk_size));
  r.starts.push_back(rows);
  const auto rank = static_cast<std::size_t>(world ? world->rank() : 0);
  r.first = r.starts[rank];
  r.count = r.starts[rank + 1] - r.first;
  return r;
}

}  // namespace deterrence
