#pragma once
// Results files that each hold a contiguous range of chunks of one experiment — shard files
// from `run --shard`, and the checkpoint segments of a resumable run — checked to belong
// together and folded into the statistics of the whole, exactly.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/output_layout.h"
#include "stats/statistics.h"

namespace deterrence {

struct Piece {
  std::string path;
  std::uint64_t chunk_first = 0, chunk_end = 0;  // chunks [first, end)
  std::uint64_t first_draw = 0, draws = 0;
  std::string start_time;
};

struct PieceSet {
  std::vector<Piece> pieces;  // sorted by chunk range
  std::string model, config_hash, engine_version;
  std::uint64_t seed = 0, total_draws = 0, chunk_size = 0, format_version = 0;
  std::uint64_t total_chunks() const { return (total_draws + chunk_size - 1) / chunk_size; }
};

// Reads every file's header. Throws std::runtime_error naming the file when one is missing, is
// not a results file of this format, or belongs to another experiment (config, seed, draws,
// chunk size or engine differ from the first file's).
PieceSet read_pieces(const std::vector<std::string>& paths);

// Throws std::runtime_error unless the pieces hold every chunk of [first, end) exactly once,
// naming the missing, duplicated or overlapping chunks and the files involved.
void check_coverage(const PieceSet& set, std::uint64_t first_chunk, std::uint64_t end_chunk);

// Adds every piece's statistics into `totals` (exact: the order does not matter).
void fold_pieces(const PieceSet& set, RunStatistics& totals);

enum class RecordsMode { copy, virtual_dataset };
// Writes the pieces' per-draw records into `file` (at `file_path`) as /records: copied, or as
// virtual datasets over the piece files (paths relative to the merged file's folder).
void write_piece_records(hid_t file, const std::string& file_path, const PieceSet& set, RecordsMode mode);

// Labels the axes of /records (dimension scales): draw (a dimension without values), each
// recorded output's dims with the labels in root/dims, parameter_names for the parameters.
// `root` is the file, or a sweep point's group.
void label_records(hid_t root, hid_t records);

// Throws std::runtime_error if a virtual record dataset in `file` (at `path`) reads from a
// file that does not exist: HDF5 itself would silently read fill values.
void check_record_sources(hid_t file, const std::string& path);

}  // namespace deterrence
