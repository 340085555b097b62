#include "cli/merge_command.h"

#include <fmt/format.h>

#include <chrono>

#include "io/h5.h"
#include "io/pieces.h"
#include "io/results_writer.h"
#include "io/output_lock.h"
#include "io/safe_files.h"
#include "io/statistics_io.h"
#include "sensitivity/sensitivity_io.h"

namespace deterrence {

namespace {

void copy_string_attributes(hid_t from, hid_t to, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (h5::has_attribute(from, name)) h5::write_attribute(to, name, h5::read_string_attribute(from, name));
}

}  // namespace

int merge_command(const MergeCommandOptions& options) {
  exit_cleanly_on_signals();  // SIGTERM: remove the temporary file, exit 3
  const auto start = std::chrono::steady_clock::now();
  OutputLock lock;
  if (const int code = lock_output(lock, options.out, options.quiet)) return code;
  try {
    // Every check before anything is written.
    const PieceSet set = read_pieces(options.shards);
    check_coverage(set, 0, set.total_chunks());
    h5::Handle first = h5::open_file(set.pieces.front().path);
    const OutputLayout layout = read_layout(first);
    RunStatistics totals(layout);
    fold_pieces(set, totals);

    ResultsWriter writer(options.out, options.force);
    const hid_t file = writer.file();
    copy_string_attributes(first, file, {"filetype"});
    h5::write_attribute(file, "format_version", set.format_version);
    copy_string_attributes(first, file, {"engine_version", "git_commit", "model", "description", "config",
                                         "config_path", "config_hash"});
    for (const char* name : {"config_extends", "config_extends_text"})
      if (h5::has_attribute(first, name)) h5::write_attribute(file, name, h5::read_strings_attribute(first, name));
    h5::write_attribute(file, "seed", set.seed);
    h5::write_attribute(file, "draws", set.total_draws);
    h5::write_attribute(file, "first_draw", std::uint64_t{0});
    h5::write_attribute(file, "total_draws", set.total_draws);
    h5::write_attribute(file, "chunk_first", std::uint64_t{0});
    h5::write_attribute(file, "chunk_end", set.total_chunks());
    h5::write_attribute(file, "shard", std::string("1/1"));
    h5::write_attribute(file, "chunk_size", set.chunk_size);
    std::string earliest = set.pieces.front().start_time;
    std::vector<std::string> sources;
    for (const auto& p : set.pieces) {
      earliest = std::min(earliest, p.start_time);
      sources.push_back(p.path);
    }
    h5::write_attribute(file, "start_time", earliest);
    h5::write_attribute(file, "end_time", iso_time_now());
    h5::write_attribute(file, "merged_from", sources);
    for (const char* group : {"dims", "parameters", "cases", "inputs", "posterior"})
      if (h5::exists(first, group)) h5::copy_group(first, group, file, set.pieces.front().path);
    write_outputs(file, layout, totals);
    write_content_digest(file, totals, 0, set.total_chunks(), set.config_hash);
    if (h5::exists(first, "sensitivity")) {
      // Sensitivity shards: their exact sums add up to the single-process sums.
      StoredSensitivity merged = read_sensitivity(first, set.pieces.front().path);
      for (std::size_t i = 1; i < set.pieces.size(); ++i) {
        h5::Handle other = h5::open_file(set.pieces[i].path);
        const StoredSensitivity part = read_sensitivity(other, set.pieces[i].path);
        if (part.groups != merged.groups || part.shape.width() != merged.shape.width() ||
            part.shape.replicates != merged.shape.replicates)
          throw std::runtime_error(fmt::format("{} does not belong with {}: its sensitivity outputs, groups or "
                                               "bootstrap differ",
                                               set.pieces[i].path, set.pieces.front().path));
        for (std::size_t k = 0; k < merged.sums.size(); ++k) merged.sums[k].add(part.sums[k]);
      }
      write_sensitivity(file, merged);
    }
    write_piece_records(file, options.out, set, options.copy ? RecordsMode::copy : RecordsMode::virtual_dataset);
    {
      h5::Handle runtime = h5::create_group(file, "runtime");
      h5::write_attribute(runtime, "merge_seconds",
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    writer.commit();
    if (!options.quiet)
      fmt::print(stderr, "merged {} shard file(s), {} draws, into {}\n", set.pieces.size(), set.total_draws,
                 options.out);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
