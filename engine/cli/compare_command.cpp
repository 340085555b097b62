#include "cli/compare_command.h"

#include <fmt/format.h>

#include "calibration/comparison.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/safe_files.h"
#include "version.h"

namespace deterrence {

int compare_command(const CompareCommandOptions& options) {
  exit_cleanly_on_signals();  // SIGTERM: nothing half-written is left (exit 3)
  ModelComparison comparison;
  try {
    comparison = compare_calibrations(options.calibrations);
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  OutputLock lock;
  if (const int code = lock_output(lock, options.out, options.quiet)) return code;
  try {
    ResultsWriter writer(options.out, options.force);
    const hid_t file = writer.file();
    h5::write_attribute(file, "filetype", std::string(kFileType));
    h5::write_attribute(file, "format_version", kFormatVersion);
    h5::write_attribute(file, "engine_version", std::string(kEngineVersion));
    h5::write_attribute(file, "git_commit", std::string(kGitCommit));
    {
      h5::Handle source = h5::open_file(options.calibrations.front());
      h5::write_attribute(file, "model", h5::read_string_attribute(source, "model"));
      h5::write_attribute(file, "seed", h5::read_u64_attribute(source, "seed"));
    }
    h5::write_attribute(file, "description", std::string("comparison of calibrations (deterrence compare)"));
    h5::write_attribute(file, "start_time", iso_time_now());
    h5::write_attribute(file, "end_time", iso_time_now());
    write_comparison(file, comparison);
    writer.commit();
    if (!options.quiet) {
      h5::Handle written = h5::open_file(options.out);
      print_comparison(written, stdout);
      fmt::print(stderr, "wrote {}\n", options.out);
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
