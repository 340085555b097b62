#include "io/results_writer.h"

#include "io/cases_io.h"
#include "io/inputs_io.h"
#include "io/metadata_digest.h"
#include "io/safe_files.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "io/statistics_io.h"
#include "version.h"

namespace deterrence {

namespace fs = std::filesystem;

std::string iso_time_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

ResultsWriter::ResultsWriter(std::string path, bool overwrite) : path_(std::move(path)) {
  refuse_symlink(path_, "the output");
  remove_dead_partials(path_, false);
  if (fs::exists(path_) && !overwrite)
    throw std::runtime_error(fmt::format("{} already exists; pass --force to overwrite it", path_));
  const fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw std::runtime_error(fmt::format("cannot write {}: folder {} does not exist", path_, parent.string()));
  // Created exclusively under an unpredictable name: nothing planted there can be followed.
  for (int attempt = 0;; ++attempt) {
    temporary_path_ = temporary_name(path_);
    try {
      file_ = h5::create_file(temporary_path_, true);
      arm_temporary(temporary_path_);
      break;
    } catch (const h5::Error&) {
      if (attempt == 8) throw std::runtime_error(fmt::format("cannot create a temporary file beside {}", path_));
    }
  }
}

ResultsWriter::~ResultsWriter() {
  if (!committed_) {
    disarm_temporary();
    file_ = h5::Handle();
    std::error_code ignored;
    fs::remove(temporary_path_, ignored);
  }
}

hsize_t record_chunk_rows(std::uint32_t run_chunk, std::size_t row_bytes) {
  // Whole HDF5 chunks of at most 1 MiB that tile a run chunk exactly.
  hsize_t rows = run_chunk;
  while (rows > 1 && rows * row_bytes > (1u << 20) && rows % 2 == 0) rows /= 2;
  return rows;
}

void ResultsWriter::prepare_records(const Experiment& experiment, std::uint64_t first_draw) {
  const Model& model = *experiment.model;
  first_draw_ = first_draw;
  if (!experiment.records.outcomes && !experiment.records.parameters && !experiment.records.aggregates) return;
  h5::Handle group = h5::create_group(file_, "records");
  h5::write_attribute(group, "description", std::string("per-draw records; row k is draw first_draw + k"));
  if (experiment.records.outcomes) {
    for (const auto& spec : model.outputs().specs()) {
      if (spec.kind != OutputKind::categorical || !spec.record) continue;
      h5::Handle type = h5::enum_type(spec.categories);
      std::vector<hsize_t> row_shape;
      for (const auto& d : spec.dims) row_shape.push_back(d.labels.size());
      code_records_.emplace_back(group, spec.name, type, row_shape,
                                 record_chunk_rows(experiment.chunk_size, spec.size));
      code_record_widths_.push_back(spec.size);
    }
  }
  if (experiment.records.aggregates) {
    for (const auto& spec : model.outputs().specs()) {
      if (spec.kind != OutputKind::real || !spec.aggregate) continue;
      std::vector<hsize_t> row_shape;
      for (const auto& d : spec.dims) row_shape.push_back(d.labels.size());
      aggregate_records_.emplace_back(group, spec.name, H5T_IEEE_F64LE, row_shape,
                                      record_chunk_rows(experiment.chunk_size, 8 * spec.size));
      aggregate_record_widths_.push_back(spec.size);
    }
  }
  if (experiment.records.parameters) {
    std::vector<std::string> names;
    for (const auto& p : model.parameters().parameters()) names.push_back(p.name);
    h5::write_strings(group, "parameter_names", names);
    parameter_records_ = h5::AppendableDataset(group, "parameters", H5T_IEEE_F64LE, {names.size()},
                                               record_chunk_rows(experiment.chunk_size, 8 * names.size()));
  }
}

namespace {

// Records arrive interleaved (every recorded output of a draw side by side); each output's columns
// go to its own dataset.
template <typename T>
void write_split(std::span<const T> values, std::uint64_t draws, hsize_t row,
                 std::vector<h5::AppendableDataset>& datasets, const std::vector<std::size_t>& widths) {
  if (values.empty()) return;
  const std::size_t width = values.size() / draws;
  std::size_t column = 0;
  std::vector<T> buffer;
  for (std::size_t k = 0; k < datasets.size(); ++k) {
    const std::size_t w = widths[k];
    buffer.resize(draws * w);
    for (std::size_t d = 0; d < draws; ++d) std::copy_n(values.data() + d * width + column, w, buffer.data() + d * w);
    datasets[k].write_rows(row, draws, buffer.data());
    column += w;
  }
}

}  // namespace

void ResultsWriter::write_records(const ChunkRecords& records) {
  const hsize_t row = records.first_draw - first_draw_;
  write_split(records.codes, records.draws, row, code_records_, code_record_widths_);
  if (!records.parameters.empty()) parameter_records_.write_rows(row, records.draws, records.parameters.data());
  write_split(records.aggregates, records.draws, row, aggregate_records_, aggregate_record_widths_);
}

void write_identity(hid_t file, const Experiment& experiment) {
  h5::write_attribute(file, "filetype", std::string(kFileType));
  h5::write_attribute(file, "format_version", kFormatVersion);
  h5::write_attribute(file, "engine_version", std::string(kEngineVersion));
  h5::write_attribute(file, "git_commit", std::string(kGitCommit));
  h5::write_attribute(file, "model", experiment.model_name);
  h5::write_attribute(file, "description", experiment.description);
  h5::write_attribute(file, "config", experiment.config_text);
  h5::write_attribute(file, "config_path", experiment.config_path);
  h5::write_attribute(file, "config_hash", experiment.config_hash);
  if (!experiment.extended_files.empty()) {  // the configs it extends, as read
    h5::write_attribute(file, "config_extends", experiment.extended_files);
    h5::write_attribute(file, "config_extends_text", experiment.extended_texts);
  }
  write_inputs(file, experiment.inputs);
}

void ResultsWriter::write_results(const Experiment& experiment, const RunStatistics& statistics,
                                  const RunInfo& info) {
  const auto t0 = std::chrono::steady_clock::now();
  const Model& model = *experiment.model;
  write_identity(file_, experiment);
  h5::write_attribute(file_, "seed", experiment.seed);
  h5::write_attribute(file_, "draws", info.draw_count);
  h5::write_attribute(file_, "first_draw", info.first_draw);
  h5::write_attribute(file_, "total_draws", info.total_draws);
  h5::write_attribute(file_, "chunk_first", info.chunk_first);
  h5::write_attribute(file_, "chunk_end", info.chunk_end);
  h5::write_attribute(file_, "shard", info.shard);
  h5::write_attribute(file_, "chunk_size", static_cast<std::uint64_t>(experiment.chunk_size));
  h5::write_attribute(file_, "threads", static_cast<std::uint64_t>(info.threads));
  h5::write_attribute(file_, "start_time", info.start_time);
  h5::write_attribute(file_, "end_time", info.end_time);
  if (const auto cases = model.cases(); !cases.empty())
    write_cases(file_, cases, model.outputs().find(cases.front().output)->categories);

  write_dims(file_, model.outputs());
  {
    h5::Handle params = h5::create_group(file_, "parameters");
    std::vector<std::string> names, distributions, groups;
    for (const auto& p : model.parameters().parameters()) {
      names.push_back(p.name);
      distributions.push_back(p.distribution.describe());
      groups.push_back(p.group);
    }
    h5::write_strings(params, "name", names);
    h5::write_strings(params, "distribution", distributions);
    h5::write_strings(params, "group", groups);
  }
  write_outputs(file_, model.outputs(), statistics);
  write_content_digest(file_, statistics, info.chunk_first, info.chunk_end, experiment.config_hash);
  h5::Handle runtime = h5::create_group(file_, "runtime");
  h5::write_attribute(runtime, "setup_seconds", info.setup_seconds);
  h5::write_attribute(runtime, "sampling_and_model_seconds", info.timings.sampling_and_model_seconds);
  h5::write_attribute(runtime, "fold_seconds", info.timings.fold_seconds);
  h5::write_attribute(runtime, "record_seconds", info.timings.record_seconds);
  h5::write_attribute(runtime, "write_seconds",
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  h5::write_attribute(runtime, "total_seconds", info.total_seconds);
}

void ResultsWriter::commit() {
  // Close every object, then the file: HDF5 keeps a file with open objects open (unflushed)
  // after H5Fclose, and the renamed file must be complete the moment it has its name.
  code_records_.clear();
  aggregate_records_.clear();
  parameter_records_ = h5::AppendableDataset();
  write_metadata_digest(file_);  // after every other root attribute (io/metadata_digest.h)
  if (H5Fget_obj_count(file_, H5F_OBJ_ALL | H5F_OBJ_LOCAL) != 1)
    throw std::logic_error("results file " + temporary_path_ + " still has open objects at commit");
  h5::close_file(file_, temporary_path_);  // the last flush can fail too (a full disk)
  refuse_symlink(path_, "the output");
  fs::rename(temporary_path_, path_);
  disarm_temporary();
  committed_ = true;
}

}  // namespace deterrence
