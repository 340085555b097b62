#include "run/runner.h"

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "sampling/sampler.h"

namespace deterrence {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Everything one in-flight chunk needs, allocated once per run.
struct ChunkSlot {
  ChunkSlot(const Model& model, const Sampler& sampler, const RunSettings& settings)
      : statistics(model.outputs()), scratch(sampler.make_scratch()),
        workspace(model.make_workspace()) {
    const std::size_t params = model.parameters().size();
    const std::size_t rows = settings.record_parameters ? settings.chunk_size : 1;
    parameters.resize(rows * params);
    reals.resize(model.outputs().real_slots());
    codes.resize(model.outputs().code_slots());
    if (settings.record_codes) recorded.resize(settings.chunk_size * model.outputs().recorded_code_slots());
    for (const auto& spec : model.outputs().specs())
      if (spec.kind == OutputKind::categorical && spec.record)
        for (std::size_t e = 0; e < spec.size; ++e) recorded_slots.push_back(spec.offset + e);
  }
  ChunkStatistics statistics;
  Sampler::Scratch scratch;
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> parameters, reals;
  std::vector<std::uint8_t> codes, recorded;
  std::vector<std::size_t> recorded_slots;
  std::uint64_t first_draw = 0, draws = 0;
};

void run_chunk(const Model& model, const Sampler& sampler, const RunSettings& settings, ChunkSlot& slot) {
  slot.statistics.reset();
  const std::size_t params = model.parameters().size();
  const std::size_t recorded_width = slot.recorded_slots.size();
  DrawOutputs out{slot.reals, slot.codes};
  for (std::uint64_t k = 0; k < slot.draws; ++k) {
    const std::size_t row = settings.record_parameters ? k : 0;
    std::span<double> values(slot.parameters.data() + row * params, params);
    sampler.sample(slot.first_draw + k, values, slot.scratch);
    model.evaluate(values, slot.workspace.get(), out);
    slot.statistics.add(out);
    if (settings.record_codes)
      for (std::size_t j = 0; j < recorded_width; ++j)
        slot.recorded[k * recorded_width + j] = slot.codes[slot.recorded_slots[j]];
  }
}

}  // namespace

int effective_threads(int requested) {
  const int available = tbb::info::default_concurrency();
  return requested > 0 ? requested : available;
}

RunTimings run_draws(const Model& model, const RunSettings& settings, RunStatistics& totals,
                     const RecordSink& sink, Progress* progress, const WindowDone& window_done) {
  RunTimings timings;
  const Sampler sampler(model.parameters(), settings.seed);
  const int threads = effective_threads(settings.threads);
  const std::uint64_t chunk = settings.chunk_size;
  const std::uint64_t chunks = (settings.draw_count + chunk - 1) / chunk;
  // A window of chunks runs in parallel, then folds in order; its size only bounds memory.
  const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(chunks, 4 * threads));
  std::vector<std::unique_ptr<ChunkSlot>> slots;
  for (std::size_t i = 0; i < window; ++i) slots.push_back(std::make_unique<ChunkSlot>(model, sampler, settings));

  tbb::task_arena arena(threads);
  std::uint64_t done = 0;
  for (std::uint64_t start = 0; start < chunks; start += window) {
    if (settings.stop && settings.stop->load()) {
      timings.stopped = true;
      break;
    }
    const std::size_t batch = static_cast<std::size_t>(std::min<std::uint64_t>(window, chunks - start));
    for (std::size_t i = 0; i < batch; ++i) {
      const std::uint64_t offset = (start + i) * chunk;
      slots[i]->first_draw = settings.first_draw + offset;
      slots[i]->draws = std::min(chunk, settings.draw_count - offset);
    }
    auto t0 = Clock::now();
    if (threads == 1 || batch == 1) {
      for (std::size_t i = 0; i < batch; ++i) run_chunk(model, sampler, settings, *slots[i]);
    } else {
      arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, batch, 1), [&](const auto& range) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) run_chunk(model, sampler, settings, *slots[i]);
        });
      });
    }
    timings.sampling_and_model_seconds += seconds_since(t0);

    for (std::size_t i = 0; i < batch; ++i) {
      auto t1 = Clock::now();
      totals.fold(slots[i]->statistics);
      timings.fold_seconds += seconds_since(t1);
      if (sink && (settings.record_codes || settings.record_parameters)) {
        auto t2 = Clock::now();
        const ChunkSlot& s = *slots[i];
        ChunkRecords records;
        records.first_draw = s.first_draw;
        records.draws = s.draws;
        if (settings.record_codes) records.codes = {s.recorded.data(), s.draws * s.recorded_slots.size()};
        if (settings.record_parameters)
          records.parameters = {s.parameters.data(), s.draws * model.parameters().size()};
        sink(records);
        timings.record_seconds += seconds_since(t2);
      }
      done += slots[i]->draws;
      if (progress) progress->update(done);
    }
    if (window_done) window_done(done);
  }
  if (progress) progress->finish(done);
  timings.draws_done = done;
  return timings;
}

}  // namespace deterrence
