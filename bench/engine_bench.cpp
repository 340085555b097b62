// Microbenchmarks of the hot path: raw RNG, each sampler, a runner chunk, and one draw of the
// baseline game (all policies, all episodes). Run: build/bench/deterrence_bench
#include <benchmark/benchmark.h>

#include "config/experiment.h"
#include "run/runner.h"
#include "sampling/counter_rng.h"
#include "sampling/distribution.h"
#include "sampling/sampler.h"

namespace deterrence {
namespace {

void BM_CounterRng(benchmark::State& state) {
  const CounterRng rng(42);
  std::uint64_t draw = 0;
  for (auto _ : state) benchmark::DoNotOptimize(rng.uniform(draw++, 7));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterRng);

Distribution make(DistributionKind kind, double a, double b, double c = 0, double lo = 0, double hi = 0) {
  return Distribution::of(kind, a, b, c, lo, hi);
}

// As runs sample (prepared: beta and PERT interpolate their inverse CDF inside [0.02, 0.98]).
void BM_Sampler(benchmark::State& state, Distribution d) {
  d.prepare();
  const CounterRng rng(42);
  std::uint64_t draw = 0;
  for (auto _ : state) benchmark::DoNotOptimize(d.quantile(rng.uniform(draw++, 7)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Sampler, uniform, Distribution::uniform(0, 1));
BENCHMARK_CAPTURE(BM_Sampler, triangular, make(DistributionKind::triangular, 0, 2, 1));
BENCHMARK_CAPTURE(BM_Sampler, pert, make(DistributionKind::pert, 0, 10, 2));
BENCHMARK_CAPTURE(BM_Sampler, normal, Distribution::normal(0, 1));
BENCHMARK_CAPTURE(BM_Sampler, truncated_normal, make(DistributionKind::truncated_normal, 0, 1, 0, -1, 2));
BENCHMARK_CAPTURE(BM_Sampler, lognormal, make(DistributionKind::lognormal, 0, 0.5));
BENCHMARK_CAPTURE(BM_Sampler, beta, Distribution::beta_mean(0.4, 8));
BENCHMARK_CAPTURE(BM_Sampler, gamma, make(DistributionKind::gamma, 2.5, 1));

// One chunk of draws through the runner (sampling, model, accumulation), single thread.
void BM_RunnerChunk(benchmark::State& state, const char* config) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + "/" + config);
  RunSettings settings;
  settings.draw_count = static_cast<std::uint64_t>(state.range(0));
  settings.chunk_size = static_cast<std::uint32_t>(state.range(0));
  settings.seed = e.seed;
  settings.threads = 1;
  std::uint64_t first = 0;
  for (auto _ : state) {
    RunStatistics totals(e.model->outputs());
    settings.first_draw = first;
    first += settings.draw_count;
    run_draws(*e.model, settings, totals, nullptr, nullptr);
    benchmark::DoNotOptimize(totals.count(0));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_RunnerChunk, ishigami, "ishigami.yaml")->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RunnerChunk, baseline, "baseline.yaml")->Arg(256)->Unit(benchmark::kMillisecond);
// 195 countries x 10 issues x 6 policies (configs/experiments/world.yaml): cost at world scale.
BENCHMARK_CAPTURE(BM_RunnerChunk, world, "experiments/world.yaml")->Arg(16)->Unit(benchmark::kMillisecond);

// Sampling alone for the baseline game's 479 parameters (to separate it from the game).
void BM_BaselineSampling(benchmark::State& state) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + "/baseline.yaml");
  const Sampler sampler(e.model->parameters(), 1);
  auto scratch = sampler.make_scratch();
  std::vector<double> values(e.model->parameters().size());
  std::uint64_t draw = 0;
  for (auto _ : state) {
    sampler.sample(draw++, values, scratch);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineSampling)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace deterrence

BENCHMARK_MAIN();
