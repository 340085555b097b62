#include "run/experiment_run.h"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "calibration/posterior.h"
#include "config/experiment.h"
#include "io/h5.h"
#include "io/inputs_io.h"
#include "io/pieces.h"
#include "io/results_reader.h"
#include "io/results_writer.h"
#include "io/safe_files.h"
#include "io/statistics_io.h"
#include "run/checkpoint.h"
#include "run/interrupt.h"
#include "run/mpi_world.h"
#include "run/progress.h"
#include "run/precision_target.h"
#include "run/runner.h"
#include "version.h"

namespace deterrence {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// One experiment (or one shard of it) run as checkpointed segments.
class SegmentedRun {
 public:
  SegmentedRun(const Experiment& e, const RunOptions& o, const Shard& shard, ChunkRange range, fs::path folder)
      : e_(e), options_(o), shard_(shard), range_(range), folder_(std::move(folder)),
        segment_(e.model->outputs()), totals_(e.model->outputs()) {
    if (e.design.kind != DesignKind::monte_carlo)
      design_ = std::make_unique<Design>(e.design, e.model->parameters(), e.seed, e.draws);
    if (e.design.kind == DesignKind::sobol && e.design.replicates > 1)
      replicates_.assign(e.design.replicates, RunStatistics(e.model->outputs()));
  }
  const std::vector<RunStatistics>& replicates() const { return replicates_; }

  void set_targets(std::vector<PrecisionTarget> targets) { targets_ = std::move(targets); }
  // Every target met with the draws folded so far (restored segments and this run)?
  bool targets_met() const {
    if (targets_.empty()) return false;
    for (const auto& t : targets_)
      if (!(half_width_of(totals_, segment_, t.slot) <= t.half_width)) return false;
    return true;
  }
  std::string target_report() const {
    std::string text;
    for (const auto& t : targets_)
    {
      const double h = half_width_of(totals_, segment_, t.slot);
      text += fmt::format("{}{}: ±{:.4g} (target {:g}, {})", text.empty() ? "" : "; ", t.text, h, t.half_width,
                          h <= t.half_width ? "met" : "not met");
    }
    return text;
  }
  std::uint64_t reached_chunk() const { return reached_; }

  std::vector<std::string> heal(const std::vector<std::string>& paths) {
    std::vector<std::string> good;
    std::uint64_t next = range_.first;
    bool broken = false;
    for (const auto& path : paths) {
      std::string problem;
      std::uint64_t first = 0, end = 0;
      try {
        h5::Handle file = open_results_file(path);
        // Another experiment's checkpoint is refused below, never "healed" away.
        if (h5::read_string_attribute(file, "config_hash") != e_.config_hash) {
          good.push_back(path);
          continue;
        }
        first = h5::read_u64_attribute(file, "chunk_first");
        end = h5::read_u64_attribute(file, "chunk_end");
        RunStatistics check(e_.model->outputs());
        verify_statistics(file, path, check);
      } catch (const std::exception& error) {
        problem = error.what();
      }
      if (problem.empty() && !broken && first == next) {
        good.push_back(path);
        next = end;
        continue;
      }
      broken = true;
      if (problem.empty()) {
        // Sound, but after a gap: the run recomputes from the gap on, so this one is redone.
        fs::remove(path);
        continue;
      }
      const fs::path aside = set_aside_name(path);
      fs::rename(path, aside);
      if (!options_.quiet)
        fmt::print(stderr, "set aside {} as {} ({}); its chunks and those after it will be recomputed\n", path,
                   aside.string(), problem.substr(0, 300));
    }
    return good;
  }

  // Beside the output, named after it and the segment, never over an existing file.
  fs::path set_aside_name(const std::string& segment) const {
    const fs::path out = fs::path(folder_).parent_path() / fs::path(folder_).filename().replace_extension("");
    for (int k = 1;; ++k) {
      const fs::path candidate = fmt::format("{}.set-aside-{}-{}", out.string(), k, fs::path(segment).filename().string());
      std::error_code error;
      if (!fs::exists(fs::symlink_status(candidate, error))) return candidate;
    }
  }

  // Folds the segments a previous attempt completed; returns the first chunk still to run. A
  // segment that cannot be read or fails its checksum is set aside (moved beside the output,
  // never deleted); its chunks and all after it are recomputed (sound segments after it are
  // removed, being redone): the result is the same bits as an uninterrupted run.
  std::uint64_t restore() {
    const auto paths = heal(completed_segments(folder_));
    if (paths.empty()) return range_.first;
    const PieceSet set = read_pieces(paths);
    const auto mismatch = [&](const std::string& what) {
      return UsageError(fmt::format("cannot resume: the checkpoint in {} was made with another {}; pass --force to "
                                    "start over",
                                    folder_.string(), what));
    };
    if (set.config_hash != e_.config_hash) {
      h5::Handle segment = h5::open_file(set.pieces.front().path);
      const std::string which = differing_input(e_.inputs, read_inputs(segment));
      throw UsageError(fmt::format("cannot resume: the checkpoint in {} was made with other inputs{}; pass --force to "
                                   "start over",
                                   folder_.string(), which.empty() ? "" : " (" + which + ")"));
    }
    // Another engine version may draw other numbers from the same seed (0.2.0: new normal quantile,
    // beta tails; 0.3.0: policies of many members sum in threshold order; 0.3.1: Ishigami's sines).
    if (set.engine_version != kEngineVersion) throw mismatch(fmt::format("engine version ({})", set.engine_version));
    if (set.seed != e_.seed) throw mismatch("seed");
    if (set.total_draws != e_.draws) throw mismatch("number of draws");
    if (set.chunk_size != e_.chunk_size) throw mismatch("chunk size");
    const std::uint64_t end = set.pieces.back().chunk_end;
    if (end > range_.end) throw mismatch("shard");
    check_coverage(set, range_.first, end);
    fold_pieces(set, totals_);
    for (const auto& piece : set.pieces) restored_draws_ += piece.draws;
    return end;
  }

  RunTimings run(std::uint64_t first_chunk, const std::atomic<bool>* stop, int threads) {
    RunSettings settings;
    settings.first_draw = first_draw_of(first_chunk, e_.chunk_size);
    settings.draw_count = draws_in({first_chunk, range_.end}, e_.draws, e_.chunk_size);
    settings.seed = e_.seed;
    settings.chunk_size = e_.chunk_size;
    settings.threads = threads;
    settings.record_codes = e_.records.outcomes && e_.model->outputs().recorded_code_slots() > 0;
    settings.record_parameters = e_.records.parameters;
    settings.record_aggregates = e_.records.aggregates && e_.model->outputs().aggregate_real_slots() > 0;
    settings.stop = stop;
    settings.design = design_.get();
    settings.resampled = e_.posterior ? &e_.posterior->draws : nullptr;
    if (!replicates_.empty()) {
      settings.replicates = &replicates_;
      settings.replicate_draws = e_.draws / e_.design.replicates;
    }
    threads_ = effective_threads(threads);
    start_segment(first_chunk);
    Progress progress(Progress::detect(options_.quiet), settings.draw_count);
    last_checkpoint_ = Clock::now();
    const RecordSink sink = [&](const ChunkRecords& records) { writer_->write_records(records); };
    RunTimings timings = run_draws(
        *e_.model, settings, segment_, sink, &progress, [&](std::uint64_t done) {
          const std::uint64_t chunk = first_chunk + (done + e_.chunk_size - 1) / e_.chunk_size;
          const bool due = seconds_since(last_checkpoint_) >= options_.checkpoint_seconds;
          if ((due || (stop && stop->load())) && chunk < range_.end) {
            end_segment(chunk);
            start_segment(chunk);
          }
        },
        [&](std::uint64_t done) {
          // Checked after every chunk in chunk order: the stopping draw is the same for any
          // thread count.
          if (targets_.empty()) return true;
          const std::uint64_t draws = restored_draws_ + done;
          return draws < kMinDrawsForTarget || !targets_met();
        });
    reached_ = first_chunk + (timings.draws_done + e_.chunk_size - 1) / e_.chunk_size;
    if (reached_ > segment_first_) end_segment(reached_);
    return timings;
  }

  const RunStatistics& totals() const { return totals_; }
  int threads() const { return threads_; }

 private:
  void start_segment(std::uint64_t chunk) {
    segment_first_ = chunk;
    writer_ = std::make_unique<ResultsWriter>((folder_ / segment_name(chunk)).string(), true);
    writer_->prepare_records(e_, first_draw_of(chunk, e_.chunk_size));
    segment_start_time_ = iso_time_now();
  }

  // Writes the segment [segment_first_, chunk_end) and folds it into the totals.
  void end_segment(std::uint64_t chunk_end) {
    RunInfo info;
    info.threads = threads_;
    info.first_draw = first_draw_of(segment_first_, e_.chunk_size);
    info.draw_count = draws_in({segment_first_, chunk_end}, e_.draws, e_.chunk_size);
    info.total_draws = e_.draws;
    info.chunk_first = segment_first_;
    info.chunk_end = chunk_end;
    info.shard = shard_.text();
    info.start_time = segment_start_time_;
    info.end_time = iso_time_now();
    writer_->write_results(e_, segment_, info);
    writer_->commit();
    writer_.reset();
    totals_.merge(segment_);
    segment_ = RunStatistics(e_.model->outputs());
    last_checkpoint_ = Clock::now();
  }

  const Experiment& e_;
  const RunOptions& options_;
  Shard shard_;
  ChunkRange range_;
  fs::path folder_;
  RunStatistics segment_, totals_;
  std::unique_ptr<ResultsWriter> writer_;
  std::uint64_t segment_first_ = 0;
  std::string segment_start_time_;
  Clock::time_point last_checkpoint_;
  int threads_ = 1;
  std::vector<PrecisionTarget> targets_;
  std::uint64_t reached_ = 0;
  std::uint64_t restored_draws_ = 0;
  std::unique_ptr<Design> design_;
  std::vector<RunStatistics> replicates_;
};

// The design in the results: its kind and, for replicated Sobol' designs, each real output's
// replicate means with a Student-t 95% half-width across replicates (the RQMC error estimate).
void write_design(hid_t file, const Experiment& e, const std::vector<RunStatistics>& replicates) {
  h5::write_attribute(file, "design", e.design.name());
  h5::write_attribute(file, "design_error_estimate", e.design.error_estimate());
  if (e.design.kind == DesignKind::monte_carlo) return;
  h5::Handle group = h5::create_group(file, "design");
  h5::write_attribute(group, "kind", e.design.name());
  h5::write_attribute(group, "error_estimate", e.design.error_estimate());
  if (e.design.kind != DesignKind::sobol) return;
  h5::write_attribute(group, "replicates", e.design.replicates);
  h5::write_attribute(group, "scramble_seed", e.design.scramble_seed.value_or(e.seed));
  h5::write_attribute(group, "points_per_replicate", e.draws / e.design.replicates);
  if (replicates.size() < 2) return;
  const double r = static_cast<double>(replicates.size());
  const double t = boost::math::quantile(boost::math::students_t(r - 1), 0.975);
  for (const auto& spec : e.model->outputs().specs()) {
    if (spec.kind != OutputKind::real) continue;
    std::vector<double> means, mean(spec.size, 0.0), half(spec.size, 0.0);
    for (const auto& rep : replicates)
      for (std::size_t k = 0; k < spec.size; ++k) means.push_back(rep.mean(spec.offset + k));
    for (std::size_t k = 0; k < spec.size; ++k) {
      double sum = 0, sum_sq = 0;
      for (std::size_t j = 0; j < replicates.size(); ++j) sum += means[j * spec.size + k];
      const double m = sum / r;
      for (std::size_t j = 0; j < replicates.size(); ++j) sum_sq += std::pow(means[j * spec.size + k] - m, 2);
      mean[k] = m;
      half[k] = t * std::sqrt(sum_sq / (r - 1) / r);
    }
    std::vector<hsize_t> shape;
    for (const auto& d : spec.dims) shape.push_back(d.labels.size());
    h5::Handle out = h5::create_group(group, spec.name);
    h5::write_doubles(out, "mean", mean, shape);
    h5::write_doubles(out, "ci95_half_width", half, shape);
    shape.insert(shape.begin(), replicates.size());
    h5::write_doubles(out, "replicate_mean", means, shape);
    // Labelled axes (dimension scales): the output's dims, and replicate for replicate_mean.
    for (const auto& d : spec.dims) {
      h5::write_strings(out, d.name, d.labels);
      h5::make_scale(out, d.name);
    }
    h5::write_dimension_only(out, "replicate", replicates.size());
    for (unsigned axis = 0; axis < spec.dims.size(); ++axis) {
      h5::attach_scale(out, "mean", spec.dims[axis].name, axis);
      h5::attach_scale(out, "ci95_half_width", spec.dims[axis].name, axis);
      h5::attach_scale(out, "replicate_mean", spec.dims[axis].name, axis + 1);
    }
    h5::attach_scale(out, "replicate_mean", "replicate", 0);
  }
}

}  // namespace

// One experiment (or one shard, or one sweep point) from loaded config to its results file.
int run_experiment(const RunOptions& options, const Experiment& experiment, const Shard& shard,
                   const std::string& out, const World& world) {
  const auto start = Clock::now();
  const std::string start_time = iso_time_now();
  ChunkRange range, rank_range;
  try {
    range = shard_chunks(shard, experiment.draws, experiment.chunk_size);
    // Under MPI, rank R runs shard R+1 of K: the same rule as --shard, so the same chunks.
    const Shard rank_shard = world.size() > 1 ? Shard{static_cast<std::uint64_t>(world.rank()) + 1,
                                                      static_cast<std::uint64_t>(world.size())}
                                              : shard;
    rank_range = shard_chunks(rank_shard, experiment.draws, experiment.chunk_size);
  } catch (const std::invalid_argument& error) {
    return world.root() ? report(error, 2) : 2;
  }
  const fs::path folder = out + ".checkpoint";
  RunOptions rank_options = options;
  if (!world.root()) rank_options.quiet = true;

  int code = 0;
  if (world.root()) {
    try {
      code = prepare_output(options, experiment, range, out, folder, world.size());
    } catch (const UsageError& error) {
      code = report(error, 2);
    } catch (const std::exception& error) {
      code = report(error, 1);
    }
  }
  code = world.max(code == -1 ? 100 : code);  // every rank learns the root's verdict
  if (code == 100) return 0;
  if (code != 0) return code;

  const fs::path rank_folder =
      world.size() > 1 ? folder / fmt::format("rank-{}-of-{}", world.rank() + 1, world.size()) : folder;
  RunInfo info;
  std::optional<SegmentedRun> run;
  try {
    fs::create_directories(rank_folder);
    run.emplace(experiment, rank_options, world.size() > 1 ? Shard{} : shard, rank_range, rank_folder);
    if (!options.until.empty()) run->set_targets(parse_targets(options.until, *experiment.model));
    const std::uint64_t first_chunk = run->restore();
    if (first_chunk > rank_range.first && !rank_options.quiet)
      fmt::print(stderr, "resuming at draw {} of {}\n", first_draw_of(first_chunk, experiment.chunk_size),
                 experiment.draws);
    const std::atomic<bool>* stop = stop_on_signals();
    info.setup_seconds = seconds_since(start);
    info.timings = run->run(first_chunk, stop, options.threads);
    code = info.timings.stopped && !info.timings.reached_target ? kExitInterrupted : 0;
  } catch (const UsageError& error) {
    code = report(error, 2);
  } catch (const std::exception& error) {
    code = report_keeping(error, rank_folder);
  }
  code = world.max(code);
  if (code == kExitInterrupted && world.root())
    fmt::print(stderr, "interrupted: checkpoint written to {}; run the same command with --resume to continue\n",
               folder.string());
  if (code != 0) return code;

  RunStatistics totals = run->totals();
  world.reduce_to_root(totals);
  if (!world.root()) return 0;
  try {
    // Complete: the final file holds the folded totals and every segment's records. A run
    // that met its precision targets ends at the chunk where it met them.
    const bool met = info.timings.reached_target || run->targets_met();
    if (!options.until.empty()) {
      range.end = run->reached_chunk();
      if (!options.quiet)
        fmt::print(stderr, "{} at draw {}: {}\n", met ? "precision targets met" : "draw cap reached, targets NOT met",
                   draws_in(range, experiment.draws, experiment.chunk_size), run->target_report());
    }
    const PieceSet segments = read_pieces(all_segments(folder));
    check_coverage(segments, range.first, range.end);
    ResultsWriter writer(out, options.force);
    info.threads = run->threads();
    info.first_draw = first_draw_of(range.first, experiment.chunk_size);
    info.draw_count = draws_in(range, experiment.draws, experiment.chunk_size);
    info.total_draws = experiment.draws;
    info.chunk_first = range.first;
    info.chunk_end = range.end;
    info.shard = shard.text();
    info.start_time = start_time;
    info.end_time = iso_time_now();
    info.total_seconds = seconds_since(start);
    writer.write_results(experiment, totals, info);
    if (!options.until.empty()) {
      h5::write_attribute(writer.file(), "until", fmt::format("{}", fmt::join(options.until, " ")));
      h5::write_attribute(writer.file(), "until_met", std::string(met ? "yes" : "no"));
      h5::write_attribute(writer.file(), "until_report", run->target_report());
    }
    write_design(writer.file(), experiment, run->replicates());
    if (experiment.posterior) write_posterior(writer.file(), *experiment.posterior);
    write_piece_records(writer.file(), out, segments, RecordsMode::copy);
    writer.commit();
    remove_checkpoint(folder);
    if (!options.quiet && options.announce)
      fmt::print(stderr, "wrote {}{}\n", out, world.size() > 1 ? fmt::format(" ({} MPI ranks)", world.size()) : "");
    return 0;
  } catch (const std::exception& error) {
    return report_keeping(error, folder);
  }
}

}  // namespace deterrence
