#include "io/pieces.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "io/h5.h"
#include "io/inputs_io.h"
#include "io/metadata_digest.h"
#include "io/records_check.h"
#include "io/results_reader.h"
#include "io/results_writer.h"
#include "io/statistics_io.h"

namespace deterrence {

namespace fs = std::filesystem;

namespace {

// A results file that holds a chunk range (every file since format 2).
h5::Handle open_results(const std::string& path) {
  h5::Handle file = open_results_file(path);
  if (!h5::has_attribute(file, "chunk_first"))
    throw std::runtime_error(fmt::format("{}: written by an engine without shard support (format {}, need {})", path,
                                         h5::read_u64_attribute(file, "format_version"), kFormatVersion));
  return file;
}

std::string chunks_text(std::uint64_t first, std::uint64_t end) {
  return end - first == 1 ? fmt::format("chunk {}", first) : fmt::format("chunks {}-{}", first, end - 1);
}

}  // namespace

PieceSet read_pieces(const std::vector<std::string>& paths) {
  if (paths.empty()) throw std::runtime_error("no shard files given");
  PieceSet set;
  for (const auto& path : paths) {
    h5::Handle file = open_results(path);
    verify_metadata(file, path);  // no root attribute altered since it was written
    verify_objects(file, path);   // nor any group or dataset outside the statistics and records
    Piece piece;
    piece.path = path;
    piece.chunk_first = h5::read_u64_attribute(file, "chunk_first");
    piece.chunk_end = h5::read_u64_attribute(file, "chunk_end");
    piece.first_draw = h5::read_u64_attribute(file, "first_draw");
    piece.draws = h5::read_u64_attribute(file, "draws");
    piece.start_time = h5::read_string_attribute(file, "start_time");
    const std::string model = h5::read_string_attribute(file, "model");
    const std::string hash = h5::read_string_attribute(file, "config_hash");
    const std::string engine = h5::read_string_attribute(file, "engine_version");
    const std::uint64_t seed = h5::read_u64_attribute(file, "seed");
    const std::uint64_t total = h5::read_u64_attribute(file, "total_draws");
    const std::uint64_t chunk = h5::read_u64_attribute(file, "chunk_size");
    const std::uint64_t format = h5::read_u64_attribute(file, "format_version");
    if (set.pieces.empty()) {
      set.model = model;
      set.config_hash = hash;
      set.engine_version = engine;
      set.seed = seed;
      set.total_draws = total;
      set.chunk_size = chunk;
      set.format_version = format;
    } else {
      const std::string& first = set.pieces.front().path;
      const auto differ = [&](const char* what, const auto& mine, const auto& theirs) {
        if (mine != theirs)
          throw std::runtime_error(fmt::format("{} does not belong with {}: its {} is {}, not {}", path, first, what,
                                               mine, theirs));
      };
      differ("format version", format, set.format_version);
      differ("engine version", engine, set.engine_version);
      differ("model", model, set.model);
      if (hash != set.config_hash) {
        // Name the input that changed (a config or data file), when both files recorded theirs.
        h5::Handle first_file = open_results(first);
        const std::string which = differing_input(read_inputs(file), read_inputs(first_file));
        throw std::runtime_error(fmt::format("{} does not belong with {}: {}", path, first,
                                             which.empty() ? fmt::format("its config hash is {}, not {}", hash,
                                                                         set.config_hash)
                                                           : "its inputs differ: " + which));
      }
      differ("seed", seed, set.seed);
      differ("number of draws", total, set.total_draws);
      differ("chunk size", chunk, set.chunk_size);
    }
    set.pieces.push_back(piece);
  }
  std::stable_sort(set.pieces.begin(), set.pieces.end(), [](const Piece& a, const Piece& b) {
    return a.chunk_first != b.chunk_first ? a.chunk_first < b.chunk_first : a.chunk_end < b.chunk_end;
  });
  return set;
}

void check_coverage(const PieceSet& set, std::uint64_t first_chunk, std::uint64_t end_chunk) {
  std::uint64_t next = first_chunk;
  const Piece* previous = nullptr;
  for (const auto& piece : set.pieces) {
    if (piece.chunk_first < next) {
      if (previous && previous->chunk_first == piece.chunk_first && previous->chunk_end == piece.chunk_end)
        throw std::runtime_error(fmt::format("{} and {} both hold {}", previous->path, piece.path,
                                             chunks_text(piece.chunk_first, piece.chunk_end)));
      throw std::runtime_error(fmt::format("{} ({}) overlaps {} ({})", piece.path,
                                           chunks_text(piece.chunk_first, piece.chunk_end),
                                           previous ? previous->path : std::string("the range"),
                                           previous ? chunks_text(previous->chunk_first, previous->chunk_end)
                                                    : chunks_text(first_chunk, end_chunk)));
    }
    if (piece.chunk_first > next)
      throw std::runtime_error(fmt::format("{} are in no file given{}; the files must hold {}",
                                           chunks_text(next, piece.chunk_first),
                                           previous ? fmt::format(" (between {} and {})", previous->path, piece.path)
                                                    : fmt::format(" (before {})", piece.path),
                                           chunks_text(first_chunk, end_chunk)));
    next = piece.chunk_end;
    previous = &piece;
  }
  if (next < end_chunk)
    throw std::runtime_error(fmt::format("{} are in no file given{}; the files must hold {}", chunks_text(next, end_chunk),
                                         previous ? fmt::format(" (after {})", previous->path) : std::string(),
                                         chunks_text(first_chunk, end_chunk)));
  if (next > end_chunk)
    throw std::runtime_error(fmt::format("{} holds chunks past the end of {}", previous->path,
                                         chunks_text(first_chunk, end_chunk)));
}

void fold_pieces(const PieceSet& set, RunStatistics& totals) {
  for (const auto& piece : set.pieces) {
    h5::Handle file = open_results(piece.path);
    RunStatistics part(totals.layout());
    verify_statistics(file, piece.path, part);  // checksum and counts, before anything is folded
    totals.merge(part);
  }
}

namespace {

struct RecordDataset {
  std::string name;
  h5::Handle type;
  std::vector<hsize_t> row_shape;
};

std::vector<RecordDataset> record_datasets(hid_t file) {
  std::vector<RecordDataset> result;
  if (!h5::exists(file, "records")) return result;
  h5::Handle group = h5::open_group(file, "records");
  for (const auto& name : h5::children(group)) {
    if (name == "parameter_names" || h5::is_scale(group, name)) continue;  // labels, not records
    h5::Handle dataset = h5::open_dataset(group, name);
    RecordDataset r{name, h5::Handle(H5Dget_type(dataset), H5Tclose, "get the type of " + name), {}};
    const auto shape = h5::dataset_shape(dataset);
    r.row_shape.assign(shape.begin() + 1, shape.end());
    result.push_back(std::move(r));
  }
  return result;
}

}  // namespace

void label_records(hid_t root, hid_t records) {
  std::vector<std::string> names;
  for (const auto& name : h5::children(records))
    if (name != "parameter_names" && !h5::is_scale(records, name)) names.push_back(name);
  if (names.empty()) return;
  const auto rows = h5::shape_of(records, names.front());
  if (rows.empty()) return;
  if (h5::exists(records, "draw")) return;  // a record named like the axis: leave it unlabelled
  h5::write_dimension_only(records, "draw", rows[0]);
  for (const auto& name : names) {
    h5::attach_scale(records, name, "draw", 0);
    if (name == "parameters" && h5::exists(records, "parameter_names")) {
      if (!h5::is_scale(records, "parameter_names")) h5::make_scale(records, "parameter_names");
      h5::attach_scale(records, name, "parameter_names", 1);
      h5::write_cf_attributes(records, name, "value of each sampled parameter in each draw", "");
      continue;
    }
    // An output's records: its dims, labelled as in /dims.
    if (!h5::exists(root, "outputs/" + name) || !h5::exists(root, "dims")) continue;
    h5::Handle output = h5::open_group(root, "outputs/" + name);
    h5::Handle dims = h5::open_group(root, "dims");
    const auto dim_names = h5::read_strings_attribute(output, "dims");
    const auto shape = h5::shape_of(records, name);
    if (shape.size() != dim_names.size() + 1) continue;
    for (std::size_t axis = 0; axis < dim_names.size(); ++axis) {
      const std::string& d = dim_names[axis];
      if (!h5::exists(records, d)) {
        if (!h5::exists(dims, d)) break;
        const auto labels = h5::read_strings(dims, d);
        if (labels.size() != shape[axis + 1]) break;
        h5::write_strings(records, d, labels);
        h5::make_scale(records, d);
      } else if (!h5::is_scale(records, d)) {
        break;  // a record named like a dim: leave this one unlabelled
      }
      h5::attach_scale(records, name, d, static_cast<unsigned>(axis + 1));
    }
    h5::write_cf_attributes(records, name, "code of each element's category in each draw (an HDF5 enum)", "");
  }
}

void write_piece_records(hid_t file, const std::string& file_path, const PieceSet& set, RecordsMode mode) {
  // Each piece's records against its own layout first: shape and type, naming file and dataset.
  for (const auto& piece : set.pieces) {
    h5::Handle f = open_results(piece.path);
    check_records(f, piece.path, read_layout(f), piece.draws);
  }
  h5::Handle first = open_results(set.pieces.front().path);
  const auto datasets = record_datasets(first);
  if (datasets.empty()) return;
  h5::Handle group = h5::create_group(file, "records");
  h5::write_attribute(group, "description", std::string("per-draw records; row k is draw first_draw + k"));
  h5::Handle first_records = h5::open_group(first, "records");
  if (h5::exists(first_records, "parameter_names"))
    h5::write_strings(group, "parameter_names", h5::read_strings(first_records, "parameter_names"));
  // Every piece must hold the same record datasets, each with a row per draw of its range.
  for (const auto& piece : set.pieces) {
    h5::Handle f = open_results(piece.path);
    const auto mine = record_datasets(f);
    if (mine.size() != datasets.size())
      throw std::runtime_error(fmt::format("{} records {} datasets per draw, {} records {}", piece.path, mine.size(),
                                           set.pieces.front().path, datasets.size()));
    h5::Handle records = h5::open_group(f, "records");
    for (const auto& d : datasets) {
      if (!h5::exists(records, d.name))
        throw std::runtime_error(fmt::format("{} has no per-draw records '{}'", piece.path, d.name));
      const auto shape = h5::shape_of(records, d.name);
      if (shape.empty() || shape[0] != piece.draws)
        throw std::runtime_error(fmt::format("{}: records '{}' has {} rows for {} draws", piece.path, d.name,
                                             shape.empty() ? 0 : shape[0], piece.draws));
      // Every piece's rows must have the same shape and type, or the merged dataset is unreadable.
      h5::Handle dataset = h5::open_dataset(records, d.name);
      h5::Handle type(H5Dget_type(dataset), H5Tclose, "get the type of records " + d.name);
      if (!std::equal(shape.begin() + 1, shape.end(), d.row_shape.begin(), d.row_shape.end()) ||
          H5Tequal(type, d.type) <= 0)
        throw std::runtime_error(fmt::format("{}: records '{}' have another row shape or type than in {}", piece.path,
                                             d.name, set.pieces.front().path));
    }
  }
  const fs::path folder = fs::absolute(file_path).parent_path();
  // Row 0 is the first piece's first draw (draw 0 for a whole run, a shard's first draw else).
  const std::uint64_t base = set.pieces.front().first_draw;
  std::uint64_t rows = 0;
  for (const auto& piece : set.pieces) rows += piece.draws;
  for (const auto& d : datasets) {
    std::size_t row_bytes = H5Tget_size(d.type);
    for (hsize_t extent : d.row_shape) row_bytes *= extent;
    if (mode == RecordsMode::virtual_dataset) {
      std::vector<h5::VirtualSource> sources;
      for (const auto& piece : set.pieces) {
        if (piece.draws == 0) continue;
        const std::string source = fs::relative(fs::absolute(piece.path), folder).string();
        sources.push_back({source, "/records/" + d.name, piece.first_draw - base, piece.draws});
      }
      h5::create_virtual_rows(group, d.name, d.type, d.row_shape, rows, sources);
    } else {
      h5::AppendableDataset target(group, d.name, d.type, d.row_shape,
                                   record_chunk_rows(static_cast<std::uint32_t>(set.chunk_size), row_bytes));
      for (const auto& piece : set.pieces) {
        h5::Handle f = open_results(piece.path);
        h5::Handle records = h5::open_group(f, "records");
        h5::Handle source = h5::open_dataset(records, d.name);
        target.copy_rows_from(source, piece.first_draw - base);
      }
    }
  }
  label_records(file, group);
}

void check_record_sources(hid_t file, const std::string& path) {
  if (!h5::exists(file, "records")) return;
  h5::Handle group = h5::open_group(file, "records");
  const fs::path folder = fs::absolute(path).parent_path();
  for (const auto& name : h5::children(group)) {
    h5::Handle dataset = h5::open_dataset(group, name);
    for (const auto& source : h5::virtual_source_files(dataset)) {
      const fs::path p = fs::path(source).is_absolute() ? fs::path(source) : folder / source;
      if (!fs::exists(p))
        throw std::runtime_error(fmt::format("{}: per-draw records '{}' read from {}, which is missing (merge with "
                                             "--copy to make a file that stands alone)",
                                             path, name, p.string()));
    }
  }
}

}  // namespace deterrence
