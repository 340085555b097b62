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

// f on every argument, one at a time (glibc) or `Lanes` at a time (SLEEF, through load and store).
template <class F>
auto scalar(F f) {
  return [f](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) o[i] = f(x[i]);
  };
}
template <std::size_t Lanes, class Load, class Store, class F>
auto wide(Load load, Store store, F f) {
  return [=](const double* x, double* o, std::size_t n) {
    for (std::size_t i = 0; i < n; i += Lanes) store(o + i, f(load(x + i)));
  };
}
const auto load8 = [](const double* p) { return _mm512_loadu_pd(p); };
const auto store8 = [](double* p, __m512d v) { _mm512_storeu_pd(p, v); };
const auto load4 = [](const double* p) { return _mm256_loadu_pd(p); };
const auto store4 = [](double* p, __m256d v) { _mm256_storeu_pd(p, v); };
const auto load2 = [](const double* p) { return _mm_loadu_pd(p); };
const auto store2 = [](double* p, __m128d v) { _mm_storeu_pd(p, v); };

void BM_GlibcErfc(benchmark::State& s) { per_value(s, scalar([](double v) { return std::erfc(v); })); }
void BM_SleefErfc8(benchmark::State& s) { per_value(s, wide<8>(load8, store8, Sleef_cinz_erfcd8_u15avx512fnofma), has_avx512()); }
void BM_SleefErfc4(benchmark::State& s) { per_value(s, wide<4>(load4, store4, Sleef_cinz_erfcd4_u15avx), has_avx()); }
void BM_SleefErfc2(benchmark::State& s) { per_value(s, wide<2>(load2, store2, Sleef_cinz_erfcd2_u15sse2)); }
void BM_GlibcExp(benchmark::State& s) { per_value(s, scalar([](double v) { return std::exp(v); })); }
void BM_SleefExp8(benchmark::State& s) { per_value(s, wide<8>(load8, store8, Sleef_cinz_expd8_u10avx512fnofma), has_avx512()); }
void BM_SleefExp4(benchmark::State& s) { per_value(s, wide<4>(load4, store4, Sleef_cinz_expd4_u10avx), has_avx()); }
BENCHMARK(BM_GlibcErfc);
BENCHMARK(BM_SleefErfc8);
BENCHMARK(BM_SleefErfc4);
BENCHMARK(BM_SleefErfc2);
BENCHMARK(BM_GlibcExp);
BENCHMARK(BM_SleefExp8);
BENCHMARK(BM_SleefExp4);

}  // namespace

BENCHMARK_MAIN();
