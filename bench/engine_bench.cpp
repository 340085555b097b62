// Microbenchmarks of the hot path: raw RNG, each sampler, a runner chunk, and one draw of the
// baseline game (all policies, all episodes). Run: build/bench/deterrence_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <cmath>
#include <random>
#include <vector>

#include "calibration/case_likelihood.h"
#include "config/experiment.h"
#include "models/coercion/episode.h"
#include "models/coercion/episode_lanes.h"
#include "run/runner.h"
#include "sampling/counter_rng.h"
#include "sampling/distribution.h"
#include "sampling/normal_quantile.h"
#include "sampling/sampler.h"
#include "stats/statistics.h"

namespace deterrence {
namespace {

void BM_CounterRng(benchmark::State& state) {
  const CounterRng rng(42);
  std::uint64_t draw = 0;
  for (auto _ : state) benchmark::DoNotOptimize(rng.uniform(draw++, 7));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterRng);

// One draw's uniforms for the baseline's 720 parameters, as many streams at a time as the lanes
// (the sampler uses the widest this machine runs; every width gives the same bits).
void BM_DrawUniforms(benchmark::State& state) {
  const CounterRng rng(42);
  std::vector<std::uint64_t> streams(720);
  for (std::size_t i = 0; i < streams.size(); ++i) streams[i] = stream_of(fmt::format("p{}", i));
  std::vector<double> out(streams.size());
  std::uint64_t draw = 0;
  const auto lanes = static_cast<CounterRng::Lanes>(state.range(0));
  if (state.range(0) > static_cast<int>(CounterRng::widest_lanes())) state.SkipWithError("not on this machine");
  for (auto _ : state) {
    if (lanes == CounterRng::Lanes::one) {
      for (std::size_t i = 0; i < streams.size(); ++i) out[i] = rng.uniform(draw, streams[i]);
    } else {
      rng.uniforms(draw, streams, out, lanes);
    }
    ++draw;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(streams.size()));
}
// lanes: 1 one stream at a time, 4 SSE2, 8 AVX2, 16 AVX-512F.
BENCHMARK(BM_DrawUniforms)->ArgName("lanes")->Arg(1)->Arg(4)->Arg(8)->Arg(16);

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

// A copula member's value from its correlated score, per value, over 840 standard normal scores
// for a salience beta (mean 0.3, concentration 8), in blocks of eight as the sampler takes them:
// path 0 is engine 0.5's (Φ by glibc's erfc, then quantile(): the middle table in u, or a tail),
// path 1 is 0.6's (quantiles_of_scores: the table by score, eight at a time, and path 0 beyond ±2.05).
void BM_CopulaBetaValues(benchmark::State& state) {
  Distribution d = Distribution::beta_mean(0.3, 8);
  d.prepare();
  std::vector<double> x(840), out(x.size()), scratch(8);
  std::mt19937_64 rng(20261207);
  std::normal_distribution<double> normal;
  for (double& v : x) v = normal(rng);
  const bool by_score = state.range(0) == 1;
  for (auto _ : state) {
    for (std::size_t k = 0; k < x.size(); k += 8) {
      if (by_score) d.quantiles_of_scores(x.data() + k, out.data() + k, 8, 1, scratch.data());
      else
        for (std::size_t j = k; j < k + 8; ++j) out[j] = d.quantile(copula_uniform(x[j]));
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}
BENCHMARK(BM_CopulaBetaValues)->ArgName("path")->Arg(0)->Arg(1);

// The table kernel alone (simd::hermite_values): a 257-knot table by score, 840 standard normal
// scores at once; per value.
void BM_HermiteValues(benchmark::State& state) {
  Distribution d = Distribution::beta_mean(0.3, 8);
  d.prepare();
  const simd::HermiteGrid grid = d.table->by_score.grid();
  std::vector<double> x(840), out(x.size());
  std::mt19937_64 rng(20261207);
  std::normal_distribution<double> normal;
  for (double& v : x) v = normal(rng);
  for (auto _ : state) {
    simd::hermite_values(grid, x.data(), out.data(), x.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
  state.counters["knots"] = static_cast<double>(grid.count);
}
BENCHMARK(BM_HermiteValues);

// Runs `chunks` chunks of `chunk` draws through the runner per iteration, on `threads`
// threads, with fresh run totals each time (as a run's segment does); counts draws per second.
void run_chunks(benchmark::State& state, const char* config, std::uint64_t chunk, std::uint64_t chunks, int threads) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + "/" + config);
  RunSettings settings;
  settings.chunk_size = static_cast<std::uint32_t>(chunk);
  settings.draw_count = chunks * chunk;
  settings.seed = e.seed;
  settings.threads = threads;
  std::uint64_t first = 0;
  for (auto _ : state) {
    RunStatistics totals(e.model->outputs());
    settings.first_draw = first;
    first += settings.draw_count;
    run_draws(*e.model, settings, totals, nullptr, nullptr);
    benchmark::DoNotOptimize(totals.count(0));
  }
  const auto draws = static_cast<std::int64_t>(state.iterations() * settings.draw_count);
  state.SetItemsProcessed(draws);
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(draws), benchmark::Counter::kIsRate);
}

// One chunk of draws through the runner (sampling, model, accumulation), single thread.
void BM_RunnerChunk(benchmark::State& state, const char* config) {
  run_chunks(state, config, static_cast<std::uint64_t>(state.range(0)), 1, 1);
}
BENCHMARK_CAPTURE(BM_RunnerChunk, ishigami, "ishigami.yaml")->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RunnerChunk, baseline, "baseline.yaml")->Arg(256)->Unit(benchmark::kMillisecond);
// 195 countries x 10 issues x 6 policies (configs/experiments/world.yaml): cost at world scale.
BENCHMARK_CAPTURE(BM_RunnerChunk, world, "experiments/world.yaml")->Arg(16)->Unit(benchmark::kMillisecond);

// The case library's plays two ways, one thread: `run` of the library (every draw plays all its
// cases under every regime, then statistics) against calibration's inner plays
// (CaseLikelihood::estimate: K plays at one θ through the batched kernel, counted per case).
BENCHMARK_CAPTURE(BM_RunnerChunk, case_library, "experiments/cases.yaml")->Arg(256)->Unit(benchmark::kMillisecond);

void BM_CalibrationPlays(benchmark::State& state) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + "/experiments/cases.yaml");
  const auto plays = static_cast<std::uint64_t>(state.range(0));
  const CaseLikelihood likelihood(*e.model, plays);
  const Sampler outer(e.model->parameters(), e.seed), inner(e.model->parameters(), e.seed ^ 1);
  auto scratch = outer.make_scratch();
  std::vector<double> values(e.model->parameters().size()), theta;
  outer.sample(0, values, scratch);
  for (std::size_t g : likelihood.globals()) theta.push_back(values[g]);
  auto workspace = likelihood.make_workspace(inner);
  const std::size_t C = likelihood.cases(), K = likelihood.classes();
  std::vector<double> p_class(C * K), log_p(C);
  std::vector<std::uint32_t> conditioned(C);
  std::uint64_t first = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        likelihood.estimate(inner, first, theta, *workspace, p_class.data(), conditioned.data(), log_p.data()));
    first += plays;
  }
  state.counters["plays/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * plays), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CalibrationPlays)->ArgName("plays")->Arg(100)->Unit(benchmark::kMillisecond);

// The same chunks of draws on 1 and 2 threads, wall time: how the draw loop scales with cores
// (the target is 1.9x on 2 threads). Eight chunks an iteration, so both threads stay busy; and
// 64, so that what each iteration builds (run totals, each thread's workspace) weighs as little as
// in a run of many chunks.
void BM_RunnerThreads(benchmark::State& state, const char* config) {
  run_chunks(state, config, static_cast<std::uint64_t>(state.range(0)), static_cast<std::uint64_t>(state.range(2)),
             static_cast<int>(state.range(1)));
}
BENCHMARK_CAPTURE(BM_RunnerThreads, baseline, "baseline.yaml")
    ->ArgNames({"chunk", "threads", "chunks"})
    ->Args({256, 1, 8})
    ->Args({256, 2, 8})
    ->Args({256, 1, 64})
    ->Args({256, 2, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunnerThreads, ishigami, "ishigami.yaml")
    ->ArgNames({"chunk", "threads", "chunks"})
    ->Args({65536, 1, 8})
    ->Args({65536, 2, 8})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The numbers both episode benchmarks play with: a draw's scalars, the policy's draw, and the two
// designs (majority with rules and an aid vote, as economic NATO; consensus with discretion, as
// collective resilience).
coercion::Scalars bench_scalars() {
  coercion::Scalars s;
  s.stance_value = 0.5;
  s.sanction_loss = 0.5;
  s.lag = 0.25;
  s.coercion_cost = 0.15;
  s.demonstration = 0.3;
  s.face = 0.2;
  s.concession_cost = 0.3;
  s.premium = 0.1;
  s.misperception = 0.3;
  return s;
}
constexpr coercion::PolicyDraw kBenchPolicyDraw{0.1, 0.5, 0.2, 0.3};
coercion::PolicyDesign bench_design(bool majority) {
  using namespace coercion;
  PolicyDesign design;
  design.sanctions = true;
  design.aid = true;
  design.trigger = majority ? Trigger::majority : Trigger::consensus;
  design.commitment = majority ? Commitment::rules : Commitment::discretion;
  design.activation = majority ? Activation::majority : Activation::automatic;
  design.compensated_share = 0.5;
  design.fund_cap = 1.0;
  return design;
}

// One episode play against the number of members of the policy: how the member loops (joins
// in each view, the aid vote) make a play's cost grow. Synthetic members with stances, costs
// and damages spread so that about half join; 256 episodes with their own target, stance and
// perception are cycled so no branch settles. Two designs: majority with rules and an aid vote
// (economic NATO), consensus with discretion (collective resilience).
void BM_EpisodePlay(benchmark::State& state, bool majority) {
  using namespace coercion;
  const auto members = static_cast<std::size_t>(state.range(0));
  const CounterRng rng(7);
  std::vector<double> stance(members), gdp(members), supply(members), cost(members), damage(members);
  for (std::size_t j = 0; j < members; ++j) {
    stance[j] = rng.uniform(j, 1);
    gdp[j] = rng.uniform(j, 2);
    supply[j] = rng.uniform(j, 3) / static_cast<double>(members);
    cost[j] = 0.8 * rng.uniform(j, 4);
    damage[j] = rng.uniform(j, 5);
  }
  MemberView view{stance, gdp, supply, cost, damage};
  const Scalars s = bench_scalars();
  const PolicyDesign design = bench_design(majority);
  const PolicyDraw draw = kBenchPolicyDraw;
  constexpr std::size_t kEpisodes = 256;
  std::vector<Episode> episodes(kEpisodes);
  std::vector<Perception> perception(kEpisodes);
  for (std::size_t k = 0; k < kEpisodes; ++k) {
    Episode& e = episodes[k];
    e.issue_value = 2.0 * rng.uniform(k, 10);
    e.intensity = rng.uniform(k, 11);
    e.obfuscation = 0.2;  // one issue: the obfuscation the order was made for
    e.target_exports = 2.0 * rng.uniform(k, 13);
    e.target_position = static_cast<int>(k % members);
    e.target_stance = stance[k % members];
    e.in_scope = true;
    for (int z = 0; z < 4; ++z) e.z[z] = 2.0 * rng.uniform(k, 20 + static_cast<std::uint64_t>(z)) - 1.0;
    perceive(e, s, perception[k]);
  }
  // ordered:1 — the members ordered once for the issue, as the model does from
  // kOrderMembersFrom members (the ordering's cost, shared by every target, is not counted).
  std::vector<double> threshold(members), sorted_threshold(members), sorted_stance(members);
  std::vector<double> damage_sums(members + 1), cost_sums(members + 1), supply_sums(members + 1);
  std::vector<std::pair<double, std::uint32_t>> scratch(members);
  if (state.range(1) == 1) {
    const MemberOrderStorage order{threshold, sorted_threshold, sorted_stance, damage_sums, cost_sums, supply_sums,
                                   scratch};
    const auto up_to = order_members(view, s, design, draw, 0.2, order);
    if (!up_to) state.SkipWithError("members not orderable");
    order.show_in(view, up_to.value_or(0.0));
  }
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(play_episode(episodes[k], s, design, draw, view, perception[k]));
    k = (k + 1) % kEpisodes;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_EpisodePlay, majority_rules_vote, true)
    ->ArgNames({"members", "ordered"})
    ->ArgsProduct({{8, 16, 32, 64, 128, 256}, {0, 1}});
BENCHMARK_CAPTURE(BM_EpisodePlay, consensus_discretion, false)
    ->ArgNames({"members", "ordered"})
    ->ArgsProduct({{8, 16, 32, 64, 128, 256}, {0, 1}});

// The same plays on episode lanes (several draws at once, as the model plays every policy): each
// lane its own draw of the members' stances, costs and damages and of the episode; ordered:0 the
// pass over members, ordered:1 each lane searching its own order (many-member policies). Reported
// per play (per lane), to set against BM_EpisodePlay.
void BM_EpisodeLanes(benchmark::State& state, bool majority) {
  using namespace coercion;
  const auto members = static_cast<std::size_t>(state.range(0));
  const std::size_t lanes = episode_lanes();
  const CounterRng rng(7);
  std::vector<double> gdp(members), supply(members), stance(members * lanes), cost(members * lanes),
      damage(members * lanes);
  for (std::size_t j = 0; j < members; ++j) {
    gdp[j] = rng.uniform(j, 2);
    supply[j] = rng.uniform(j, 3) / static_cast<double>(members);
    for (std::size_t l = 0; l < lanes; ++l) {
      stance[j * lanes + l] = rng.uniform(j * lanes + l, 1);
      cost[j * lanes + l] = 0.8 * rng.uniform(j * lanes + l, 4);
      damage[j * lanes + l] = rng.uniform(j * lanes + l, 5);
    }
  }
  LaneMembers view{members, stance.data(), cost.data(), damage.data(), gdp.data(), supply.data()};
  // Every lane plays with the same scalars and policy draw as BM_EpisodePlay.
  const Scalars one = bench_scalars();
  LaneScalars s{};
  LanePolicyDraw draw{};
  for (std::size_t l = 0; l < lanes; ++l) {
    s.resolve[l] = one.resolve;
    s.duration[l] = one.duration;
    s.stance_value[l] = one.stance_value;
    s.sanction_loss[l] = one.sanction_loss;
    s.lag[l] = one.lag;
    s.coercion_cost[l] = one.coercion_cost;
    s.demonstration[l] = one.demonstration;
    s.face[l] = one.face;
    s.concession_cost[l] = one.concession_cost;
    s.premium[l] = one.premium;
    draw.absorption[l] = kBenchPolicyDraw.absorption;
    draw.derisking[l] = kBenchPolicyDraw.derisking;
    draw.resilience[l] = kBenchPolicyDraw.resilience;
    draw.treaty_penalty[l] = kBenchPolicyDraw.treaty_penalty;
  }
  const PolicyDesign design = bench_design(majority);
  constexpr std::size_t kEpisodes = 256;
  std::vector<LaneEpisode> episodes(kEpisodes);
  for (std::size_t k = 0; k < kEpisodes; ++k) {
    LaneEpisode& e = episodes[k];
    const double exports = 2.0 * rng.uniform(k, 13);
    e.target_position = static_cast<int>(k % members);
    e.in_scope = true;
    for (std::size_t l = 0; l < lanes; ++l) {
      e.target_exports[l] = exports;
      const std::uint64_t at = k * lanes + l;
      e.issue_value[l] = 2.0 * rng.uniform(at, 10);
      e.intensity[l] = rng.uniform(at, 11);
      e.obfuscation[l] = 0.2;
      e.target_stance[l] = stance[(k % members) * lanes + l];
      e.done_deed[l] = 0.0;
      for (int z = 0; z < 4; ++z)
        e.factor[z][l] = std::exp(one.misperception * (2.0 * rng.uniform(at, 20 + static_cast<std::uint64_t>(z)) - 1.0));
      e.loss_scale[l] = 1.0;
      e.forced[l] = false;
    }
  }
  // ordered:1 — each lane's members ordered once for the issue, as the model does from
  // kOrderMembersFrom members (the ordering's cost, shared by every target, is not counted).
  const std::size_t n = members;
  std::vector<std::vector<double>> arrays(6 * lanes);
  std::vector<std::vector<std::pair<double, std::uint32_t>>> scratch(lanes, std::vector<std::pair<double, std::uint32_t>>(n));
  LaneOrder order{};
  if (state.range(1) == 1) {
    for (std::size_t l = 0; l < lanes; ++l) {
      std::vector<double> lane_stance(n), lane_cost(n), lane_damage(n);
      for (std::size_t j = 0; j < n; ++j) {
        lane_stance[j] = stance[j * lanes + l];
        lane_cost[j] = cost[j * lanes + l];
        lane_damage[j] = damage[j * lanes + l];
      }
      std::vector<double>* a = &arrays[6 * l];
      for (int k = 0; k < 6; ++k) a[k].resize(k < 3 ? n : n + 1);
      const MemberView lane_view{lane_stance, gdp, supply, lane_cost, lane_damage};
      const MemberOrderStorage storage{a[0], a[1], a[2], a[3], a[4], a[5], scratch[l]};
      const auto up_to = order_members(lane_view, one, design, kBenchPolicyDraw, 0.2, storage);
      if (!up_to) state.SkipWithError("members not orderable");
      MemberView ordered_view = lane_view;
      storage.show_in(ordered_view, up_to.value_or(-1.0));
      order.show_lane(l, ordered_view, up_to.value_or(-1.0));
    }
    order.set_joined_at_one(lanes, n);
    view.order = &order;
    for (const LaneEpisode& e : episodes)
      if (!ordered_in_every_lane(lanes, n, order, e)) state.SkipWithError("an order does not answer a view");
  }
  // Stored and totalled as the model does (play_and_record_lanes), into one episode's runs.
  Lanes target, coercer, bloc, loss, triggered, aid;
  std::uint8_t outcome[kMaxLanes];
  const LaneRecord to{target, coercer, bloc, loss, triggered, aid, outcome, nullptr};
  LaneTotals totals{};
  std::size_t k = 0;
  for (auto _ : state) {
    play_and_record_lanes(episodes[k], s, design, draw, view, to, totals);
    benchmark::DoNotOptimize(totals);
    k = (k + 1) % kEpisodes;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lanes));
  state.counters["lanes"] = static_cast<double>(lanes);
  state.counters["ns/play"] =
      benchmark::Counter(static_cast<double>(state.iterations() * lanes), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_EpisodeLanes, majority_rules_vote, true)
    ->ArgNames({"members", "ordered"})
    ->ArgsProduct({{8, 16, 32, 63}, {0}})
    ->ArgsProduct({{8, 16, 32, 64, 128, 256}, {1}});
BENCHMARK_CAPTURE(BM_EpisodeLanes, consensus_discretion, false)
    ->ArgNames({"members", "ordered"})
    ->ArgsProduct({{8, 16, 32, 63}, {0}})
    ->ArgsProduct({{8, 16, 32, 64, 128, 256}, {1}});

// Bytes the statistics hold per output value (a policy x episode element of a real output, or
// a category count set): the run totals and one chunk's accumulators, from glibc's count of
// allocated bytes around their construction. Builds once; the figure is the counter.
void BM_StatisticsBytes(benchmark::State& state, const char* config) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + "/" + config);
  const OutputLayout& layout = e.model->outputs();
  const double values = static_cast<double>(layout.real_slots() + layout.code_slots());
  double run_bytes = 0, chunk_bytes = 0;
  for (auto _ : state) {
    // Small blocks (uordblks) and the large ones glibc maps directly (hblkhd).
    const auto allocated = [] {
      const struct mallinfo2 info = mallinfo2();
      return info.uordblks + info.hblkhd;
    };
    const auto before = allocated();
    RunStatistics totals(layout);
    const auto after_run = allocated();
    ChunkStatistics chunk(layout);
    const auto after_chunk = allocated();
    run_bytes = static_cast<double>(after_run - before);
    chunk_bytes = static_cast<double>(after_chunk - after_run);
    benchmark::DoNotOptimize(totals.count(0));
  }
  state.counters["values"] = values;
  state.counters["run_bytes/value"] = run_bytes / values;
  state.counters["chunk_bytes/value"] = chunk_bytes / values;
}
BENCHMARK_CAPTURE(BM_StatisticsBytes, baseline, "baseline.yaml")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsBytes, world, "experiments/world.yaml")->Iterations(1)->Unit(benchmark::kMillisecond);

// Sampling alone (to separate it from the model), `draws_at_once` draws per call as the runner
// asks (Sampler::sample_draws): 1, or a block (8: the coercion model's batch on AVX-512; 16: the
// runner's block for models of one draw at a time). Items are draws.
void sample_config(benchmark::State& state, const char* config) {
  const Experiment e = load_experiment(std::string(DETERRENCE_CONFIGS) + config);
  const Sampler sampler(e.model->parameters(), 1);
  const auto at_once = static_cast<std::size_t>(state.range(0));
  auto scratch = sampler.make_scratch(at_once);
  std::vector<double> values(at_once * e.model->parameters().size());
  std::uint64_t draw = 0;
  for (auto _ : state) {
    sampler.sample_draws(draw, at_once, values, scratch);
    draw += at_once;
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(at_once));
}
// The baseline game's 720 parameters (420 normal, 145 beta, 108 uniform, 18 lognormal, ...).
void BM_BaselineSampling(benchmark::State& state) { sample_config(state, "/baseline.yaml"); }
BENCHMARK(BM_BaselineSampling)->ArgName("draws_at_once")->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMicrosecond);
// The world set's 2 000-odd parameters, ten copulas of 195 countries each.
void BM_WorldSampling(benchmark::State& state) { sample_config(state, "/experiments/world.yaml"); }
BENCHMARK(BM_WorldSampling)->ArgName("draws_at_once")->Arg(8)->Unit(benchmark::kMicrosecond);
// Ishigami's three uniforms: a draw alone fills few Philox lanes, a block fills them.
void BM_IshigamiSampling(benchmark::State& state) { sample_config(state, "/ishigami.yaml"); }
BENCHMARK(BM_IshigamiSampling)->ArgName("draws_at_once")->Arg(1)->Arg(8)->Arg(16);

}  // namespace
}  // namespace deterrence

BENCHMARK_MAIN();
