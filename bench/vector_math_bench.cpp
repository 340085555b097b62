// glibc's scalar exp and erfc against SLEEF's deterministic ("cinz", no fused multiply-add) forms
// at 8, 4 and 2 lanes, per value, over 840 arguments like the engine's (the copula's −x/√2 for
// standard normal x; perception exponents). Why engine 0.5.0 takes SLEEF's exp and keeps glibc's
// erfc. Compiled with -mavx512f (bench/CMakeLists.txt); the wide forms run only where the CPU
// has them.
#include <benchmark/benchmark.h>
#include <sleef.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

std::vector<double> arguments() {
  std::vector<double> x(840);
  std::mt19937_64 rng(20261207);
  std::normal_distribution<double> normal;
  for (double& v : x) v = -normal(rng) / std::sqrt(2.0);
  return x;
}

template <class F>
void per_value(benchmark::State& state, F f, bool available = true) {
  if (!available) {
    state.SkipWithError("this CPU lacks the instruction set");
    return;
  }
  const std::vector<double> x = arguments();
  std::vector<double> out(x.size());
  for (auto _ : state) {
    f(x.data(), out.data(), x.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

bool has_avx512() { return __builtin_cpu_supports("avx512f"); }
bool has_avx() { return __builtin_cpu_supports("avx"); }

void BM_GlibcErfc(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) { for (std::size_t i = 0; i < n; ++i) o[i] = std::erfc(x[i]); });
}
void BM_SleefErfc8(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) _mm512_storeu_pd(o + i, Sleef_cinz_erfcd8_u15avx512fnofma(_mm512_loadu_pd(x + i)));
  }, has_avx512());
}
void BM_SleefErfc4(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 4) _mm256_storeu_pd(o + i, Sleef_cinz_erfcd4_u15avx(_mm256_loadu_pd(x + i)));
  }, has_avx());
}
void BM_SleefErfc2(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 2) _mm_storeu_pd(o + i, Sleef_cinz_erfcd2_u15sse2(_mm_loadu_pd(x + i)));
  });
}
void BM_GlibcExp(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) { for (std::size_t i = 0; i < n; ++i) o[i] = std::exp(x[i]); });
}
void BM_SleefExp8(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) _mm512_storeu_pd(o + i, Sleef_cinz_expd8_u10avx512fnofma(_mm512_loadu_pd(x + i)));
  }, has_avx512());
}
void BM_SleefExp4(benchmark::State& s) {
  per_value(s, [](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 4) _mm256_storeu_pd(o + i, Sleef_cinz_expd4_u10avx(_mm256_loadu_pd(x + i)));
  }, has_avx());
}
BENCHMARK(BM_GlibcErfc);
BENCHMARK(BM_SleefErfc8);
BENCHMARK(BM_SleefErfc4);
BENCHMARK(BM_SleefErfc2);
BENCHMARK(BM_GlibcExp);
BENCHMARK(BM_SleefExp8);
BENCHMARK(BM_SleefExp4);

}  // namespace

BENCHMARK_MAIN();
