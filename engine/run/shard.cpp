#include "run/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace deterrence {

std::string Shard::text() const { return fmt::format("{}/{}", index, count); }

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard shard;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    std::size_t used = 0;
    shard.index = std::stoull(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("");
    shard.count = std::stoull(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("");
  } catch (const std::logic_error&) {
    throw std::invalid_argument(fmt::format("--shard '{}': expected I/N, e.g. 2/8 (shard 2 of 8)", text));
  }
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count)
    throw std::invalid_argument(fmt::format("--shard '{}': I must be between 1 and N", text));
  return shard;
}

std::uint64_t chunk_count(std::uint64_t draws, std::uint64_t chunk_size) { return (draws + chunk_size - 1) / chunk_size; }

ChunkRange shard_chunks(const Shard& shard, std::uint64_t draws, std::uint64_t chunk_size) {
  const std::uint64_t chunks = chunk_count(draws, chunk_size);
  if (shard.count > chunks)
    throw std::invalid_argument(fmt::format("--shard {}: the run has only {} chunk(s) of {} draws; use at most {} shards",
                                            shard.text(), chunks, chunk_size, chunks));
  // 128-bit products: draws up to 2^64 never overflow.
  const auto cut = [&](std::uint64_t i) {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(i) * chunks / shard.count);
  };
  return {cut(shard.index - 1), cut(shard.index)};
}

std::uint64_t first_draw_of(std::uint64_t chunk, std::uint64_t chunk_size) { return chunk * chunk_size; }

std::uint64_t draws_in(const ChunkRange& range, std::uint64_t draws, std::uint64_t chunk_size) {
  const std::uint64_t first = std::min(draws, range.first * chunk_size);
  const std::uint64_t end = std::min(draws, range.end * chunk_size);
  return end - first;
}

}  // namespace deterrence
