#pragma once
// How draws split into shards: the run's chunks (chunk_size draws each, the last one possibly
// shorter) are cut into N contiguous ranges of whole chunks, shard I taking chunks
// [floor((I-1)·C/N), floor(I·C/N)). Every shard layout covers the same chunks, so the merged
// statistics are those of one process.
#include <cstdint>
#include <string>

namespace deterrence {

struct Shard {
  std::uint64_t index = 1, count = 1;  // I of N, 1-based
  std::string text() const;            // "I/N"
};

// Parses "I/N" (1 <= I <= N); throws std::invalid_argument with a message for users.
Shard parse_shard(const std::string& text);

struct ChunkRange {
  std::uint64_t first = 0, end = 0;  // chunks [first, end)
};

std::uint64_t chunk_count(std::uint64_t draws, std::uint64_t chunk_size);
// Throws std::invalid_argument if the run has fewer chunks than shards.
ChunkRange shard_chunks(const Shard& shard, std::uint64_t draws, std::uint64_t chunk_size);
std::uint64_t first_draw_of(std::uint64_t chunk, std::uint64_t chunk_size);
// Draws in chunks [first, end) of a run of `draws` draws.
std::uint64_t draws_in(const ChunkRange& range, std::uint64_t draws, std::uint64_t chunk_size);

}  // namespace deterrence
