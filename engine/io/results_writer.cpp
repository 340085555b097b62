#include "io/results_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "stats/intervals.h"
#include "stats/quantile_sketch.h"
#include "version.h"

namespace deterrence {

namespace fs = std::filesystem;

const std::vector<double> kQuantileLevels = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};

std::string iso_time_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

ResultsWriter::ResultsWriter(std::string path, bool overwrite) : path_(std::move(path)) {
  if (fs::exists(path_) && !overwrite)
    throw std::runtime_error(fmt::format("{} already exists; pass --force to overwrite it", path_));
  const fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw std::runtime_error(fmt::format("cannot write {}: folder {} does not exist", path_, parent.string()));
  temporary_path_ = fmt::format("{}.partial-{}", path_, getpid());
  file_ = h5::create_file(temporary_path_);
}

ResultsWriter::~ResultsWriter() {
  if (!committed_) {
    file_ = h5::Handle();
    std::error_code ignored;
    fs::remove(temporary_path_, ignored);
  }
}

namespace {
hsize_t record_chunk_rows(std::uint32_t run_chunk, std::size_t row_bytes) {
  // Whole HDF5 chunks of at most 1 MiB that tile a run chunk exactly.
  hsize_t rows = run_chunk;
  while (rows > 1 && rows * row_bytes > (1u << 20) && rows % 2 == 0) rows /= 2;
  return rows;
}
}  // namespace

void ResultsWriter::prepare_records(const Experiment& experiment, std::uint64_t draw_count) {
  const Model& model = *experiment.model;
  if (!experiment.records.outcomes && !experiment.records.parameters) return;
  h5::Handle group = h5::create_group(file_, "records");
  h5::write_attribute(group, "description", std::string("per-draw records; row k is draw first_draw + k"));
  if (experiment.records.outcomes) {
    for (const auto& spec : model.outputs().specs()) {
      if (spec.kind != OutputKind::categorical || !spec.record) continue;
      h5::Handle type = h5::enum_type(spec.categories);
      std::vector<hsize_t> row_shape;
      for (const auto& d : spec.dims) row_shape.push_back(d.labels.size());
      code_records_.emplace_back(group, spec.name, type, row_shape, draw_count,
                                 record_chunk_rows(experiment.chunk_size, spec.size));
      code_record_widths_.push_back(spec.size);
    }
  }
  if (experiment.records.parameters) {
    std::vector<std::string> names;
    for (const auto& p : model.parameters().parameters()) names.push_back(p.name);
    h5::write_strings(group, "parameter_names", names);
    parameter_records_ = h5::AppendableDataset(group, "parameters", H5T_IEEE_F64LE, {names.size()}, draw_count,
                                               record_chunk_rows(experiment.chunk_size, 8 * names.size()));
  }
}

void ResultsWriter::write_records(const ChunkRecords& records) {
  const hsize_t row = records.first_draw - first_draw_;
  if (!records.codes.empty()) {
    // Records arrive interleaved (all recorded outputs per draw); split them per dataset.
    const std::size_t width = records.codes.size() / records.draws;
    std::size_t column = 0;
    std::vector<std::uint8_t> buffer;
    for (std::size_t k = 0; k < code_records_.size(); ++k) {
      const std::size_t w = code_record_widths_[k];
      buffer.resize(records.draws * w);
      for (std::size_t d = 0; d < records.draws; ++d)
        std::copy_n(records.codes.data() + d * width + column, w, buffer.data() + d * w);
      code_records_[k].write_rows(row, records.draws, buffer.data());
      column += w;
    }
  }
  if (!records.parameters.empty()) parameter_records_.write_rows(row, records.draws, records.parameters.data());
}

namespace {

void write_dims(hid_t file, const OutputLayout& layout) {
  h5::Handle dims = h5::create_group(file, "dims");
  std::vector<std::string> written;
  for (const auto& spec : layout.specs())
    for (const auto& d : spec.dims) {
      if (std::find(written.begin(), written.end(), d.name) != written.end()) continue;
      h5::write_strings(dims, d.name, d.labels);
      written.push_back(d.name);
    }
}

std::vector<hsize_t> shape_with(const OutputSpec& spec, std::optional<hsize_t> trailing) {
  std::vector<hsize_t> shape;
  for (const auto& d : spec.dims) shape.push_back(d.labels.size());
  if (trailing) shape.push_back(*trailing);
  return shape;
}

void write_real(hid_t group, const OutputSpec& spec, const RunStatistics& s) {
  std::vector<std::uint64_t> count;
  std::vector<double> mean, variance, sd, half, min, max;
  std::vector<std::int64_t> sum_digits, sum_sq_digits;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const std::size_t slot = spec.offset + e;
    count.push_back(s.count(slot));
    mean.push_back(s.mean(slot));
    variance.push_back(s.variance(slot));
    sd.push_back(std::sqrt(variance.back()));
    half.push_back(mean_half_width(variance.back(), count.back()));
    min.push_back(s.count(slot) ? s.min(slot) : std::nan(""));
    max.push_back(s.count(slot) ? s.max(slot) : std::nan(""));
    ExactSum a = s.sum(slot), b = s.sum_sq(slot);
    a.normalize();
    b.normalize();
    sum_digits.insert(sum_digits.end(), a.digits().begin(), a.digits().end());
    sum_sq_digits.insert(sum_sq_digits.end(), b.digits().begin(), b.digits().end());
  }
  const auto shape = shape_with(spec, std::nullopt);
  h5::write_u64(group, "count", count, shape);
  h5::write_doubles(group, "mean", mean, shape);
  h5::write_doubles(group, "variance", variance, shape);
  h5::write_doubles(group, "sd", sd, shape);
  h5::write_doubles(group, "ci95_half_width", half, shape);
  h5::write_doubles(group, "min", min, shape);
  h5::write_doubles(group, "max", max, shape);
  h5::write_i64(group, "sum_exact", sum_digits, shape_with(spec, ExactSum::kDigits));
  h5::write_i64(group, "sum_sq_exact", sum_sq_digits, shape_with(spec, ExactSum::kDigits));
  if (!spec.quantiles) return;
  std::vector<double> quantiles;
  std::vector<std::uint64_t> sketch_counts;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const std::size_t slot = spec.offset + e;
    for (double q : kQuantileLevels) quantiles.push_back(s.quantile(slot, q));
    const auto counts = s.sketch(slot);
    sketch_counts.insert(sketch_counts.end(), counts.begin(), counts.end());
  }
  h5::write_doubles(group, "quantile_levels", kQuantileLevels, {kQuantileLevels.size()});
  h5::write_doubles(group, "quantiles", quantiles, shape_with(spec, kQuantileLevels.size()));
  h5::write_u64(group, "sketch", sketch_counts, shape_with(spec, sketch::size()));
  h5::write_attribute(group, "sketch_relative_accuracy", sketch::kRelativeAccuracy);
}

void write_categorical(hid_t group, const OutputSpec& spec, const RunStatistics& s) {
  const std::size_t k = spec.categories.size();
  std::vector<std::uint64_t> counts;
  std::vector<double> shares, low, high;
  for (std::size_t e = 0; e < spec.size; ++e) {
    const auto c = s.category_counts(spec.offset + e);
    std::uint64_t total = 0;
    for (auto v : c) total += v;
    for (std::size_t j = 0; j < k; ++j) {
      counts.push_back(c[j]);
      shares.push_back(total ? static_cast<double>(c[j]) / static_cast<double>(total) : std::nan(""));
      const auto [lo, hi] = wilson_interval(c[j], total);
      low.push_back(lo);
      high.push_back(hi);
    }
  }
  h5::write_attribute(group, "categories", spec.categories);
  const auto shape = shape_with(spec, k);
  h5::write_u64(group, "counts", counts, shape);
  h5::write_doubles(group, "share", shares, shape);
  h5::write_doubles(group, "wilson95_low", low, shape);
  h5::write_doubles(group, "wilson95_high", high, shape);
}

}  // namespace

void ResultsWriter::write_results(const Experiment& experiment, const RunStatistics& statistics,
                                  const RunInfo& info) {
  const auto t0 = std::chrono::steady_clock::now();
  const Model& model = *experiment.model;
  h5::write_attribute(file_, "filetype", std::string(kFileType));
  h5::write_attribute(file_, "format_version", kFormatVersion);
  h5::write_attribute(file_, "engine_version", std::string(kEngineVersion));
  h5::write_attribute(file_, "git_commit", std::string(kGitCommit));
  h5::write_attribute(file_, "model", experiment.model_name);
  h5::write_attribute(file_, "description", experiment.description);
  h5::write_attribute(file_, "config", experiment.config_text);
  h5::write_attribute(file_, "config_path", experiment.config_path);
  h5::write_attribute(file_, "config_hash", experiment.config_hash);
  h5::write_attribute(file_, "seed", experiment.seed);
  h5::write_attribute(file_, "draws", info.draw_count);
  h5::write_attribute(file_, "first_draw", info.first_draw);
  h5::write_attribute(file_, "chunk_size", static_cast<std::uint64_t>(experiment.chunk_size));
  h5::write_attribute(file_, "threads", static_cast<std::uint64_t>(info.threads));
  h5::write_attribute(file_, "start_time", info.start_time);
  h5::write_attribute(file_, "end_time", info.end_time);

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
  h5::Handle outputs = h5::create_group(file_, "outputs");
  for (const auto& spec : model.outputs().specs()) {
    h5::Handle group = h5::create_group(outputs, spec.name);
    h5::write_attribute(group, "kind", std::string(spec.kind == OutputKind::real ? "real" : "categorical"));
    h5::write_attribute(group, "description", spec.description);
    std::vector<std::string> dim_names;
    for (const auto& d : spec.dims) dim_names.push_back(d.name);
    h5::write_attribute(group, "dims", dim_names);
    if (spec.kind == OutputKind::real)
      write_real(group, spec, statistics);
    else
      write_categorical(group, spec, statistics);
  }
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
  file_ = h5::Handle();  // close before the rename
  fs::rename(temporary_path_, path_);
  committed_ = true;
}

}  // namespace deterrence
