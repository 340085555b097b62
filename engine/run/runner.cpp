#include "run/runner.h"

#include <fmt/format.h>

#include <oneapi/tbb/info.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "run/parallel_chunks.h"
#include "sampling/sampler.h"

namespace deterrence {

namespace {

using Clock = std::chrono::steady_clock;

// Draws sampled together (Sampler::sample_draws) when the model evaluates one at a time: with
// three parameters (Ishigami), sixteen draws' uniforms fill three AVX-512 Philox passes.
constexpr std::size_t kSampleBlock = 16;

std::size_t batch_of(const Model& model) { return std::max<std::size_t>(1, model.batch_size()); }
std::size_t sample_block_of(const Model& model) { return batch_of(model) > 1 ? batch_of(model) : kSampleBlock; }

// Everything one in-flight chunk needs, allocated once per run.
struct ChunkSlot {
  ChunkSlot(const Model& model, const Sampler& sampler, const RunSettings& settings)
      : statistics(model.outputs()), scratch(sampler.make_scratch(sample_block_of(model))),
        workspace(model.make_workspace()) {
    const std::size_t params = model.parameters().size();
    const std::size_t batch = batch_of(model), block = sample_block_of(model);
    const std::size_t rows = settings.record_parameters ? std::max<std::size_t>(settings.chunk_size, block) : block;
    parameters.resize(rows * params);
    reals.resize(batch * model.outputs().real_slots());
    codes.resize(batch * model.outputs().code_slots());
    batch_parameters.resize(batch);
    if (settings.record_codes) recorded.resize(settings.chunk_size * model.outputs().recorded_code_slots());
    for (const auto& spec : model.outputs().specs())
      if (spec.kind == OutputKind::categorical && spec.record)
        for (std::size_t e = 0; e < spec.size; ++e) recorded_slots.push_back(spec.offset + e);
    if (settings.record_aggregates) {
      for (const auto& spec : model.outputs().specs())
        if (spec.kind == OutputKind::real && spec.aggregate)
          for (std::size_t e = 0; e < spec.size; ++e) aggregate_slots.push_back(spec.offset + e);
      aggregates.resize(settings.chunk_size * aggregate_slots.size());
    }
  }
  ChunkStatistics statistics;
  Sampler::Scratch scratch;
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> parameters, reals, aggregates;
  std::vector<std::uint8_t> codes, recorded;
  std::vector<std::size_t> recorded_slots, aggregate_slots;
  // The draws the model evaluates together (Model::batch_size): their parameter rows (their
  // outputs side by side in `reals` and `codes`, BatchOutputs).
  std::vector<std::span<const double>> batch_parameters;
  std::uint64_t first_draw = 0, draws = 0;
};

// A value that is no result (NaN from arithmetic where the output applies, or ±inf): the run
// stops, naming the draw, the output and the parameter values that produced it.
std::string numerical_failure_message(const Model& model, std::uint64_t draw, std::size_t slot, double value,
                                      std::span<const double> x) {
  std::string values;
  const auto& parameters = model.parameters();
  const std::size_t shown = std::min<std::size_t>(x.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) values += fmt::format("{}{} = {:.6g}", i ? ", " : "", parameters[i].name, x[i]);
  return fmt::format("numerical failure: draw {} gave {} = {} (no result: not a 'does not apply'); its parameters: {}{} "
                     "— check the distributions' ranges (records.parameters keeps every draw's values)",
                     draw, model.outputs().real_slot_label(slot), value, values,
                     x.size() > shown ? fmt::format(" and {} more", x.size() - shown) : "");
}

void run_chunk(const Model& model, const Sampler& sampler, const RunSettings& settings, ChunkSlot& slot) {
  slot.statistics.reset();
  const std::size_t params = model.parameters().size();
  const std::size_t real_slots = model.outputs().real_slots(), code_slots = model.outputs().code_slots();
  const std::size_t recorded_width = slot.recorded_slots.size();
  const std::size_t aggregate_width = slot.aggregate_slots.size();
  // Draws k .. k + count - 1 of the chunk into parameter rows `row` onwards.
  const auto sample = [&](std::uint64_t k, std::size_t count, std::size_t row) {
    sampler.sample_draws(slot.first_draw + k, count, {slot.parameters.data() + row * params, count * params},
                         slot.scratch);
    if (settings.resampled)
      for (std::size_t d = 0; d < count; ++d)
        settings.resampled->apply(slot.first_draw + k + d, {slot.parameters.data() + (row + d) * params, params},
                                  sampler.rng());
  };
  const auto row_of = [&](std::size_t row) {
    return std::span<const double>(slot.parameters.data() + row * params, params);
  };
  // Draw k's records (recorded codes, aggregates), its outputs read by code(slot) and real(slot).
  const auto keep_records = [&](std::uint64_t k, const auto& code, const auto& real) {
    if (settings.record_codes)
      for (std::size_t j = 0; j < recorded_width; ++j) slot.recorded[k * recorded_width + j] = code(slot.recorded_slots[j]);
    for (std::size_t j = 0; j < aggregate_width; ++j) slot.aggregates[k * aggregate_width + j] = real(slot.aggregate_slots[j]);
  };
  // Draw k's outputs into the chunk's statistics and records, in draw order.
  const auto take = [&](std::uint64_t k, const DrawOutputs& out, std::span<const double> values) {
    if (const std::size_t bad = slot.statistics.add(out); bad != ChunkStatistics::npos)
      throw NumericalFailure(numerical_failure_message(model, slot.first_draw + k, bad, out.reals[bad], values));
    keep_records(k, [&](std::size_t s) { return out.codes[s]; }, [&](std::size_t s) { return out.reals[s]; });
  };
  const std::size_t batch = slot.batch_parameters.size();
  if (batch == 1) {
    // One draw at a time (most models), without the batch's bookkeeping; sampled a block at a time.
    DrawOutputs out{{slot.reals.data(), real_slots}, {slot.codes.data(), code_slots}};
    for (std::uint64_t k = 0; k < slot.draws; k += kSampleBlock) {
      const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(kSampleBlock, slot.draws - k));
      const std::size_t first_row = settings.record_parameters ? k : 0;
      sample(k, count, first_row);
      for (std::size_t d = 0; d < count; ++d) {
        const std::span<const double> values = row_of(first_row + d);
        model.evaluate(values, slot.workspace.get(), out);
        take(k + d, out, values);
      }
    }
    return;
  }
  const BatchOutputs outputs{{slot.reals.data(), batch * real_slots}, {slot.codes.data(), batch * code_slots}, batch};
  for (std::uint64_t k = 0; k < slot.draws; k += batch) {
    // Up to `batch` draws sampled, evaluated together, then added in draw order: the statistics
    // see the draws in the same order whatever the batch.
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(batch, slot.draws - k));
    const std::size_t first_row = settings.record_parameters ? k : 0;
    sample(k, count, first_row);
    for (std::size_t b = 0; b < count; ++b) slot.batch_parameters[b] = row_of(first_row + b);
    model.evaluate_batch({slot.batch_parameters.data(), count}, slot.workspace.get(), outputs);
    if (const auto bad = slot.statistics.add_batch(outputs, count); bad.slot != ChunkStatistics::npos)
      throw NumericalFailure(numerical_failure_message(model, slot.first_draw + k + bad.draw, bad.slot,
                                                       outputs.real(bad.slot, bad.draw),
                                                       slot.batch_parameters[bad.draw]));
    for (std::size_t b = 0; b < count; ++b)
      keep_records(k + b, [&](std::size_t s) { return outputs.code(s, b); },
                   [&](std::size_t s) { return outputs.real(s, b); });
  }
}

}  // namespace

int effective_threads(int requested) {
  const int available = tbb::info::default_concurrency();
  return requested > 0 ? requested : available;
}

RunTimings run_draws(const Model& model, const RunSettings& settings, RunStatistics& totals,
                     const RecordSink& sink, Progress* progress, const WindowDone& window_done,
                     const ChunkFolded& chunk_folded) {
  RunTimings timings;
  const Sampler sampler(model.parameters(), settings.seed, settings.design);
  ChunkPlan plan;
  plan.first_draw = settings.first_draw;
  plan.draw_count = settings.draw_count;
  plan.chunk_size = settings.chunk_size;
  plan.threads = effective_threads(settings.threads);
  plan.stop = settings.stop;
  std::uint64_t done = 0;
  const ChunkLoopResult loop = parallel_chunks(
      plan, [&] { return std::make_unique<ChunkSlot>(model, sampler, settings); },
      [&](ChunkSlot& slot, std::uint64_t first, std::uint64_t draws) {
        slot.first_draw = first;
        slot.draws = draws;
        run_chunk(model, sampler, settings, slot);
      },
      [&](ChunkSlot& slot, std::uint64_t, std::uint64_t) {
        totals.fold(slot.statistics);
        if (settings.replicates) (*settings.replicates)[slot.first_draw / settings.replicate_draws].fold(slot.statistics);
        if (sink && (settings.record_codes || settings.record_parameters || settings.record_aggregates)) {
          const auto t2 = Clock::now();
          ChunkRecords records;
          records.first_draw = slot.first_draw;
          records.draws = slot.draws;
          if (settings.record_codes) records.codes = {slot.recorded.data(), slot.draws * slot.recorded_slots.size()};
          if (settings.record_parameters)
            records.parameters = {slot.parameters.data(), slot.draws * model.parameters().size()};
          if (settings.record_aggregates)
            records.aggregates = {slot.aggregates.data(), slot.draws * slot.aggregate_slots.size()};
          sink(records);
          timings.record_seconds += seconds_since(t2);
        }
        done += slot.draws;
        if (progress) progress->update(done);
        return chunk_folded ? chunk_folded(done) : true;
      },
      [&](std::uint64_t draws_done) {
        if (window_done) window_done(draws_done);
      });
  if (progress) progress->finish(done);
  timings.sampling_and_model_seconds = loop.parallel_seconds;
  timings.fold_seconds = loop.fold_seconds - timings.record_seconds;
  timings.draws_done = loop.draws_done;
  timings.stopped = loop.stopped;
  timings.reached_target = loop.stopped && !(settings.stop && settings.stop->load());
  return timings;
}

}  // namespace deterrence
