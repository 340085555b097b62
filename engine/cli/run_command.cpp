#include "cli/run_command.h"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <filesystem>
#include <memory>
#include <optional>

#include "calibration/posterior.h"
#include "cli/cases_command.h"
#include "config/config_error.h"
#include "config/experiment.h"
#include "config/sweep.h"
#include "io/h5.h"
#include "io/inputs_io.h"
#include "io/pieces.h"
#include "io/results_reader.h"
#include "io/results_writer.h"
#include "io/output_lock.h"
#include "io/safe_files.h"
#include "io/statistics_io.h"
#include "run/interrupt.h"
#include "run/mpi_world.h"
#include "run/runner.h"
#include "run/shard.h"

namespace deterrence {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string default_out(const RunCommandOptions& options, const Shard& shard) {
  const std::string stem = fs::path(options.config).stem().string();
  return shard.count == 1 ? stem + ".h5" : fmt::format("{}.shard-{}-of-{}.h5", stem, shard.index, shard.count);
}

std::string segment_name(std::uint64_t chunk_first) { return fmt::format("segment-{:012}.h5", chunk_first); }

// The checkpoint folder holds one results file per completed segment of chunks, and perhaps a
// segment's temporary file cut off by SIGKILL (debris, removed). Anything else was not written
// by this program: it is neither followed nor removed, and the resume is refused.
std::vector<std::string> completed_segments(const fs::path& folder) {
  refuse_symlink(folder, "the checkpoint folder");
  std::vector<std::string> segments;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (!is_own_file(entry.path(), "segment-"))
      throw UsageError(fmt::format("{} holds {}, which this program did not write; move it away and run again",
                                   folder.string(), entry.path().filename().string().substr(0, 80)));
    if (name.ends_with(".h5")) segments.push_back(entry.path().string());
    else fs::remove(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

// Removes a checkpoint folder: its segments and their temporary files, its rank subfolders, then
// the folder if empty. A link is never followed, and nothing else is touched.
void remove_checkpoint(const fs::path& folder) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(folder, error))) return;
  refuse_symlink(folder, "the checkpoint folder");
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (is_own_file(entry.path(), "segment-") || is_own_file(entry.path(), "point-")) fs::remove(entry.path());
    else if ((name.starts_with("rank-") || (name.starts_with("point-") && name.ends_with(".h5.checkpoint"))) &&
             !entry.is_symlink() && entry.is_directory())
      remove_checkpoint(entry.path());
  }
  if (!fs::remove(folder, error) && fs::exists(folder))
    fmt::print(stderr, "left {} in place: it holds files this program did not write\n", folder.string());
}

// A precision target (--until): a real output element and the 95% half-width it must reach.
struct PrecisionTarget {
  std::string text;
  std::size_t slot = 0;
  double half_width = 0;
};
// No target counts as met before this many draws: a rare share is 0 ± 0 after a few draws.
constexpr std::uint64_t kMinDrawsForTarget = 1000;

std::vector<PrecisionTarget> parse_targets(const std::vector<std::string>& texts, const Model& model) {
  std::vector<PrecisionTarget> targets;
  for (const auto& text : texts) {
    const auto equals = text.rfind('=');
    const std::string what = text.substr(0, equals);
    double half = 0;
    try {
      if (equals == std::string::npos) throw std::invalid_argument("");
      std::size_t used = 0;
      half = std::stod(text.substr(equals + 1), &used);
      if (used != text.size() - equals - 1 || !(half > 0)) throw std::invalid_argument("");
    } catch (const std::logic_error&) {
      throw std::invalid_argument(fmt::format("--until '{}': expected OUTPUT[/ELEMENT]=HALF_WIDTH with a positive "
                                              "half-width, e.g. outcome_share/economic_nato/DETERRED=0.002",
                                              text));
    }
    const auto slash = what.find('/');
    const std::string name = what.substr(0, slash);
    const OutputSpec* spec = model.outputs().find(name);
    if (!spec || spec->kind != OutputKind::real)
      throw std::invalid_argument(fmt::format("--until '{}': '{}' is not a real output of the model", text, name));
    const std::string element = slash == std::string::npos ? "" : what.substr(slash + 1);
    bool found = false;
    for (std::size_t e = 0; e < spec->size; ++e) {
      const std::string label = spec->element_label(e);
      if (!element.empty() && label != element) continue;
      targets.push_back({name + (label.empty() ? "" : "/" + label), spec->offset + e, half});
      found = true;
    }
    if (!found)
      throw std::invalid_argument(fmt::format("--until '{}': output {} has no element '{}'", text, name, element));
  }
  return targets;
}

// The 95% half-width of a slot over two partial statistics (restored segments + this run).
double half_width_of(const RunStatistics& a, const RunStatistics& b, std::size_t slot) {
  const std::uint64_t n = a.count(slot) + b.count(slot);
  if (n < 2) return std::numeric_limits<double>::infinity();
  ExactSum s1 = a.sum(slot), s2 = a.sum_sq(slot);
  s1.add(b.sum(slot));
  s2.add(b.sum_sq(slot));
  const long double nn = static_cast<long double>(n), m = s1.value_long() / nn;
  const long double variance = std::max(0.0L, (s2.value_long() - nn * m * m) / (nn - 1));
  return static_cast<double>(1.96L * std::sqrt(variance / nn));
}

// One experiment (or one shard of it) run as checkpointed segments.
class SegmentedRun {
 public:
  SegmentedRun(const Experiment& e, const RunCommandOptions& o, const Shard& shard, ChunkRange range, fs::path folder)
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
    const auto mismatch = [&](const char* what) {
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
  const RunCommandOptions& options_;
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

// True when `out` is the complete result of this experiment's range (config, seed, draws).
bool finished(const std::string& out, const Experiment& e, ChunkRange range) {
  try {
    const PieceSet set = read_pieces({out});
    const Piece& p = set.pieces.front();
    return set.config_hash == e.config_hash && set.seed == e.seed && set.total_draws == e.draws &&
           set.chunk_size == e.chunk_size && p.chunk_first == range.first && p.chunk_end == range.end;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int validate_command(const std::string& config, bool list_keys) {
  try {
    const auto sweep = read_sweep(ConfigNode::load_file(config));
    const Experiment e = load_experiment(config, sweep ? &sweep->points.front() : nullptr);
    // Every point of a sweep is checked now, not found broken half-way through a run.
    if (sweep)
      for (std::size_t k = 1; k < sweep->points.size(); ++k) {
        try {
          load_experiment(config, &sweep->points[k]);
        } catch (const ConfigError& error) {
          throw ConfigError(fmt::format("sweep point {}: {}", k + 1, error.what()));
        }
      }
    if (list_keys) {  // what the reader accepted where this config has maps (for the schema test)
      for (const auto& key : e.config_keys_read) fmt::print("{}\n", key);
      return 0;
    }
    fmt::print("{}: valid — model {}, {} parameters, {} output values per draw, {} draws, seed {}{}\n", config,
               e.model_name, e.model->parameters().size(),
               e.model->outputs().real_slots() + e.model->outputs().code_slots(), e.draws, e.seed,
               sweep ? fmt::format(", a sweep of {} points", sweep->points.size()) : "");
    return 0;
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
}

namespace {

// The output must be new (or --force), and a left-over checkpoint is resumed (--resume) or
// discarded (--force), never silently; --resume needs one. Removes a discarded checkpoint.
void check_output(const RunCommandOptions& options, const std::string& out, const fs::path& folder) {
  refuse_symlink(out, "the output");
  refuse_symlink(folder, "the checkpoint folder");
  remove_dead_partials(out, options.quiet);
  if (fs::exists(out) && !options.force)
    throw UsageError(fmt::format("{} already exists; pass --force to overwrite it", out));
  const fs::path parent = fs::path(out).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw UsageError(fmt::format("cannot write {}: folder {} does not exist", out, parent.string()));
  if (fs::exists(folder)) {
    if (options.force && !options.resume) remove_checkpoint(folder);
    else if (!options.resume)
      throw UsageError(fmt::format("an interrupted run left its checkpoint in {}; pass --resume to continue it, or "
                                   "--force to start over",
                                   folder.string()));
  } else if (options.resume) {
    throw UsageError(fmt::format("nothing to resume: no checkpoint {}", folder.string()));
  }
}

// Checks, by the root rank only, of the output and the checkpoint folder before anything runs.
// Returns 0 to go on, -1 when a resumed run turns out to be complete already.
int prepare_output(const RunCommandOptions& options, const Experiment& experiment, ChunkRange range,
                   const std::string& out, const fs::path& folder, int ranks) {
  if (options.resume && fs::exists(out) && fs::exists(folder) && finished(out, experiment, range)) {
    // Killed after the final file was in place but before the checkpoint was removed.
    remove_checkpoint(folder);
    if (!options.quiet) fmt::print(stderr, "{} was already complete; removed its checkpoint\n", out);
    return -1;
  }
  check_output(options, out, folder);
  if (fs::exists(folder)) {
    // An MPI run checkpoints per rank (rank-R-of-K/); it resumes only with the same K ranks.
    for (const auto& entry : fs::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      const bool rank_folder = entry.is_directory() && name.starts_with("rank-");
      const std::string suffix = fmt::format("-of-{}", ranks);
      if ((rank_folder && (ranks == 1 || !name.ends_with(suffix))) || (!rank_folder && ranks > 1))
        throw UsageError(fmt::format("cannot resume: the checkpoint in {} was written by a run with {}; resume it the "
                                     "same way (this run has {} MPI rank(s))",
                                     folder.string(), rank_folder ? "MPI ranks (" + name + ")" : "one process",
                                     ranks));
    }
  }
  fs::create_directories(folder);
  return 0;
}

// Every completed segment under the checkpoint folder, rank subfolders included.
std::vector<std::string> all_segments(const fs::path& folder) {
  std::vector<std::string> segments;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("segment-") && name.ends_with(".h5"))
      segments.push_back(entry.path().string());
  }
  return segments;
}

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

int report(const std::exception& error, int code) {
  fmt::print(stderr, "error: {}\n", error.what());
  return code;
}

// A failure after segments were checkpointed (a full disk, a quota) loses none of them.
int report_keeping(const std::exception& error, const fs::path& folder) {
  fmt::print(stderr, "error: {}\n", error.what());
  std::error_code ignored;
  bool any = false;
  for (const auto& entry : fs::recursive_directory_iterator(folder, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("segment-") && name.ends_with(".h5")) any = true;
  }
  if (any)
    fmt::print(stderr, "the completed segments are kept in {}: fix the cause, then run the same command with "
                       "--resume\n",
               folder.string());
  return 1;
}

}  // namespace

// One experiment (or one shard, or one sweep point) from loaded config to its results file.
int run_experiment(const RunCommandOptions& options, const Experiment& experiment, const Shard& shard,
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
  RunCommandOptions rank_options = options;
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
    if (!experiment.model->cases().empty() && options.announce && !options.quiet)
      print_case_table(ResultsFile(out).case_forecasts(), stdout, false);
    if (!options.quiet && options.announce)
      fmt::print(stderr, "wrote {}{}\n", out, world.size() > 1 ? fmt::format(" ({} MPI ranks)", world.size()) : "");
    return 0;
  } catch (const std::exception& error) {
    return report_keeping(error, folder);
  }
}

namespace {

// A sweep: every point run to its own file in FILE.checkpoint/ (resumable point by point),
// then gathered into one file with /sweep (keys, values) and /points/<k>/ (dims, parameters,
// outputs, records of each point).
int run_sweep(const RunCommandOptions& options, const Sweep& sweep, const Experiment& first, const std::string& out,
              const World& world) {
  const auto start = Clock::now();
  const fs::path folder = out + ".checkpoint";
  int code = 0;
  if (world.root()) {
    try {
      check_output(options, out, folder);
      fs::create_directories(folder);
    } catch (const UsageError& error) {
      code = report(error, 2);
    } catch (const std::exception& error) {
      code = report(error, 1);
    }
  }
  code = world.max(code);
  if (code != 0) return code;
  std::vector<std::string> point_files;
  for (std::size_t k = 0; k < sweep.points.size(); ++k) {
    const std::string point_out = (folder / fmt::format("point-{:06}.h5", k)).string();
    point_files.push_back(point_out);
    std::string label;
    for (const auto& [key, value] : sweep.points[k])
      label += fmt::format("{}{} = {}", label.empty() ? "" : ", ", key, Sweep::text(value));
    Experiment experiment;
    try {
      experiment = load_experiment(options.config, &sweep.points[k]);
      if (options.draws) experiment.draws = *options.draws;
      if (options.seed) experiment.seed = *options.seed;
      if (!options.posterior.empty()) attach_posterior(experiment, options.posterior);
    } catch (const ConfigError& error) {
      return world.root() ? report(ConfigError(fmt::format("sweep point {} ({}): {}", k + 1, label, error.what())), 2)
                          : 2;
    }
    if (fs::exists(point_out) && !fs::exists(point_out + ".checkpoint")) {
      // Done before: only if it is this experiment's point (same config, seed and draws).
      int verdict = 0;
      if (world.root()) {
        try {
          const ResultsFile done(point_out);
          if (done.attribute("config_hash") != experiment.config_hash || done.count_attribute("seed") != experiment.seed ||
              done.count_attribute("total_draws") != experiment.draws)
            verdict = report(UsageError(fmt::format("cannot resume: point {} in {} was made with another config, seed "
                                                    "or draw count; pass --force to start the sweep over",
                                                    k + 1, folder.string())),
                             2);
        } catch (const std::exception& error) {
          verdict = report(error, 1);
        }
      }
      verdict = world.max(verdict);  // every rank learns the root's verdict
      if (verdict != 0) return verdict;
      continue;
    }
    if (!options.quiet && world.root()) fmt::print(stderr, "point {}/{}: {}\n", k + 1, sweep.points.size(), label);
    RunCommandOptions point_options = options;
    point_options.force = false;
    point_options.announce = false;
    point_options.resume = fs::exists(point_out + ".checkpoint");
    code = run_experiment(point_options, experiment, Shard{}, point_out, world);
    if (code != 0) {
      if (code == kExitInterrupted && world.root())
        fmt::print(stderr, "the sweep stopped at point {}; run the same command with --resume to continue\n", k + 1);
      return code;
    }
  }
  if (!world.root()) return 0;
  try {
    ResultsWriter writer(out, options.force);
    const hid_t file = writer.file();
    h5::Handle point0 = h5::open_file(point_files.front());
    // The root describes the sweep; each point's statistics sit under /points/<k>.
    for (const char* name : {"filetype", "engine_version", "git_commit", "model", "description", "config",
                             "config_path", "shard", "start_time"})
      if (h5::has_attribute(point0, name)) h5::write_attribute(file, name, h5::read_string_attribute(point0, name));
    for (const char* name : {"format_version", "seed", "draws", "first_draw", "total_draws", "chunk_size",
                             "chunk_first", "chunk_end", "threads"})
      if (h5::has_attribute(point0, name)) h5::write_attribute(file, name, h5::read_u64_attribute(point0, name));
    h5::write_attribute(file, "config_hash", first.config_hash);
    for (const char* group : {"inputs", "cases", "posterior"})  // the same for every point
      if (h5::exists(point0, group)) h5::copy_group(point0, group, file, point_files.front());
    h5::write_attribute(file, "end_time", iso_time_now());
    h5::write_attribute(file, "sweep_points", static_cast<std::uint64_t>(sweep.points.size()));
    {
      h5::Handle group = h5::create_group(file, "sweep");
      h5::write_attribute(group, "description",
                          std::string("point k played the config with keys[j] set to values[k, j], on the same draws"));
      h5::write_strings(group, "keys", sweep.keys);
      std::vector<std::string> text;
      std::vector<double> numbers;
      for (const auto& point : sweep.points)
        for (const auto& [key, value] : point) {
          text.push_back(Sweep::text(value));
          numbers.push_back(Sweep::number(value));
        }
      h5::write_strings(group, "values", text);  // flattened points x keys
      h5::write_doubles(group, "numeric_values", numbers, {sweep.points.size(), sweep.keys.size()});
    }
    {
      h5::Handle points = h5::create_group(file, "points");
      for (std::size_t k = 0; k < point_files.size(); ++k) {
        h5::Handle source = h5::open_file(point_files[k]);
        h5::Handle target = h5::create_group(points, fmt::format("{:06}", k));
        h5::write_attribute(target, "config_hash", h5::read_string_attribute(source, "config_hash"));
        for (const char* group : {"dims", "parameters", "runtime"})
          if (h5::exists(source, group)) h5::copy_group(source, group, target, point_files[k]);
        if (h5::exists(source, "records")) {
          // The record datasets without their scales (references into the point's file), then
          // labelled again here.
          h5::Handle from = h5::open_group(source, "records");
          h5::Handle to = h5::create_group(target, "records");
          h5::write_attribute(to, "description", h5::read_string_attribute(from, "description"));
          for (const auto& name : h5::children(from)) {
            if (h5::is_scale(from, name) && name != "parameter_names") continue;
            h5::copy_dataset_without_attributes(from, name, to, point_files[k]);
          }
        }
        // The statistics are written again from the point's exact partials (the same bits), so
        // that the dimension scales are made in this file: a copied scale reference would still
        // point into the point's file.
        const OutputLayout layout = read_layout(source);
        RunStatistics statistics(layout);
        read_statistics(source, statistics);
        write_outputs(target, layout, statistics);
        if (h5::exists(target, "records")) label_records(target, h5::open_group(target, "records"));
      }
    }
    {
      h5::Handle runtime = h5::create_group(file, "runtime");
      h5::write_attribute(runtime, "total_seconds", seconds_since(start));
    }
    point0 = h5::Handle();
    writer.commit();
    remove_checkpoint(folder);
    if (!options.quiet) fmt::print(stderr, "wrote {} ({} sweep points)\n", out, sweep.points.size());
    return 0;
  } catch (const std::exception& error) {
    return report(error, 1);
  }
}

}  // namespace

int run_command(const RunCommandOptions& options, const World& world) {
  Experiment experiment;
  Shard shard;
  std::optional<Sweep> sweep;
  try {
    sweep = read_sweep(ConfigNode::load_file(options.config));
    experiment = load_experiment(options.config, sweep ? &sweep->points.front() : nullptr);
    if (options.draws) experiment.draws = *options.draws;
    if (options.seed) experiment.seed = *options.seed;
    if (!options.posterior.empty()) attach_posterior(experiment, options.posterior);
    if (!options.shard.empty()) shard = parse_shard(options.shard);
    if (world.size() > 1 && !options.shard.empty())
      throw std::invalid_argument("--shard and MPI ranks do not mix: run the shards without mpirun, or mpirun without "
                                  "--shard");
    const bool replicated = experiment.design.kind == DesignKind::sobol && experiment.design.replicates > 1;
    if (replicated && (!options.shard.empty() || world.size() > 1 || options.resume))
      throw std::invalid_argument("a Sobol' design with replicates runs in one process, start to end (its error "
                                  "estimate needs every replicate): no --shard, MPI or --resume yet");
    if (!options.until.empty() && experiment.design.kind != DesignKind::monte_carlo)
      throw std::invalid_argument("--until needs plain Monte Carlo: a Latin hypercube or Sobol' design is built "
                                  "for its full number of draws");
    if (experiment.design.kind != DesignKind::monte_carlo)
      Design(experiment.design, experiment.model->parameters(), experiment.seed, experiment.draws);  // fits?
    if (experiment.design.kind == DesignKind::sobol &&
        (experiment.draws / experiment.design.replicates) % experiment.chunk_size != 0)
      throw std::invalid_argument(fmt::format("a Sobol' design needs its points per replicate ({}) to be a multiple of "
                                              "chunk_size ({})",
                                              experiment.draws / experiment.design.replicates, experiment.chunk_size));
    if (!options.until.empty() && (!options.shard.empty() || world.size() > 1 || sweep))
      throw std::invalid_argument("--until applies to a whole single run (not to shards, MPI ranks or sweeps)");
    if (!options.until.empty()) parse_targets(options.until, *experiment.model);  // bad targets: exit 2 now
    if (sweep && !options.shard.empty())
      throw std::invalid_argument("--shard does not apply to a sweep yet: run the sweep whole (it resumes point by "
                                  "point), or under mpirun");
  } catch (const ConfigError& error) {
    return world.root() ? report(error, 2) : 2;
  } catch (const std::invalid_argument& error) {
    return world.root() ? report(error, 2) : 2;
  }
  if (experiment.posterior && experiment.posterior->effective_sample_size < 100 && world.root())
    fmt::print(stderr,
               "warning: {} rests on an effective sample size of {:.1f} of its {} draws: this run can only replay "
               "those few worlds of θ, so its intervals understate what is unknown (calibrate with more draws or "
               "--rounds)\n",
               options.posterior, experiment.posterior->effective_sample_size,
               experiment.posterior->calibration_draws);
  const std::string out = options.out.empty() ? default_out(options, shard) : options.out;
  // One writer per output, for the whole command (a sweep's points included): taken by the
  // root rank before anything under OUT is read or written.
  OutputLock lock;
  int code = 0;
  if (world.root()) code = lock_output(lock, out, options.quiet);
  code = world.max(code);
  if (code != 0) return code;
  if (sweep) return run_sweep(options, *sweep, experiment, out, world);
  return run_experiment(options, experiment, shard, out, world);
}

}  // namespace deterrence
