// Sampling designs: the Latin hypercube stratifies every parameter, scrambled Sobol' points
// are a net in every coordinate, both reduce the variance of a mean against plain Monte Carlo
// at the same number of evaluations, and replicated Sobol' designs carry an error estimate.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "config/config_error.h"
#include "config/experiment.h"
#include "h5_compare.h"
#include "io/h5.h"
#include "run/runner.h"
#include "sampling/design.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

ParameterSpace space_of(int parameters) {
  ParameterSpace space;
  for (int i = 0; i < parameters; ++i) space.add(fmt::format("p{}", i), Distribution::uniform(0, 1));
  return space;
}

// floor(u·N) over the N draws of one coordinate: a permutation of 0..N-1 when stratified.
bool stratified(const Design& design, std::uint64_t first, std::uint64_t n, std::size_t coordinate, std::size_t dims) {
  std::vector<std::uint64_t> cells;
  std::vector<double> u(dims);
  for (std::uint64_t k = first; k < first + n; ++k) {
    design.uniforms(k, u);
    if (!(u[coordinate] > 0 && u[coordinate] < 1)) return false;
    cells.push_back(static_cast<std::uint64_t>(u[coordinate] * static_cast<double>(n)));
  }
  std::sort(cells.begin(), cells.end());
  for (std::uint64_t i = 0; i < n; ++i)
    if (cells[i] != i) return false;
  return true;
}

TEST(Designs, LatinHypercubeHasOneDrawInEveryStratumOfEveryParameter) {
  const ParameterSpace space = space_of(12);
  const Design lhs({DesignKind::latin_hypercube, 1, std::nullopt}, space, 42, 1000);  // not a power of two
  for (std::size_t j = 0; j < 12; ++j) EXPECT_TRUE(stratified(lhs, 0, 1000, j, 12)) << j;
  const Design mc({DesignKind::monte_carlo, 1, std::nullopt}, space, 42, 1000);
  EXPECT_FALSE(stratified(mc, 0, 1000, 0, 12));  // the check can fail
}

TEST(Designs, ScrambledSobolReplicatesAreNetsInEveryCoordinate) {
  const ParameterSpace space = space_of(40);
  const Design sobol({DesignKind::sobol, 3, 7}, space, 42, 3 * 1024);
  for (std::uint64_t r = 0; r < 3; ++r)
    for (std::size_t j = 0; j < 40; ++j) EXPECT_TRUE(stratified(sobol, r * 1024, 1024, j, 40)) << r << " " << j;
  // Replicates are different scrambles.
  std::vector<double> a(40), b(40);
  sobol.uniforms(5, a);
  sobol.uniforms(1024 + 5, b);
  EXPECT_NE(a, b);
}

double variance_of_mean(DesignKind kind, int seeds, std::uint64_t draws) {
  TempDir dir;
  std::vector<double> means;
  for (int seed = 1; seed <= seeds; ++seed) {
    const std::string config = dir.write(
        "ish.yaml", fmt::format("model: ishigami\ndraws: {}\nseed: {}\nchunk_size: 512\nmodel_options: {{a: 7, b: 0.1}}\n"
                                "design: {{kind: {}}}\n{}",
                                draws, seed, DesignSpec{kind, 1, std::nullopt}.name(), testing::kIshigamiParameters));
    const Experiment e = load_experiment(config);
    const Design design(e.design, e.model->parameters(), e.seed, e.draws);
    RunStatistics totals(e.model->outputs());
    RunSettings settings;
    settings.draw_count = e.draws;
    settings.seed = e.seed;
    settings.chunk_size = e.chunk_size;
    settings.threads = 2;
    settings.design = &design;
    run_draws(*e.model, settings, totals, nullptr, nullptr);
    means.push_back(totals.mean(0));
  }
  const double m = std::accumulate(means.begin(), means.end(), 0.0) / seeds;
  double v = 0;
  for (double x : means) v += (x - m) * (x - m);
  return v / (seeds - 1);
}

TEST(Designs, BothDesignsReduceTheVarianceOfTheIshigamiMean) {
  // Plain Monte Carlo: Var(mean) = 13.8446 / N. Latin hypercube removes the additive part
  // (S1 + S2 + S3 = 0.76 of the variance); scrambled Sobol' much more on this smooth function.
  const double mc = variance_of_mean(DesignKind::monte_carlo, 24, 4096);
  const double lhs = variance_of_mean(DesignKind::latin_hypercube, 24, 4096);
  const double sobol = variance_of_mean(DesignKind::sobol, 24, 4096);
  EXPECT_NEAR(mc, 13.8446 / 4096, 0.6 * 13.8446 / 4096);  // 24 seeds: a loose check of the MC law
  EXPECT_LT(lhs, 0.5 * mc) << "LHS " << lhs << " MC " << mc;
  EXPECT_LT(sobol, 0.01 * mc) << "Sobol " << sobol << " MC " << mc;
  std::cout << fmt::format("[ variance of the Ishigami mean, N = 4096, 24 seeds ] MC {:.3g}  LHS {:.3g} ({:.1f}x)  "
                           "Sobol' {:.3g} ({:.0f}x)\n",
                           mc, lhs, mc / lhs, sobol, mc / sobol);
}

TEST(Designs, ReplicatedSobolRunsGiveAnErrorEstimateAndTheSameBitsOnAnyThreads) {
  TempDir dir;
  const std::string config = dir.write(
      "ish.yaml", std::string("model: ishigami\ndraws: 8192\nseed: 3\nchunk_size: 512\nmodel_options: {a: 7, b: 0.1}\n"
                              "design: {kind: sobol, replicates: 8, scramble_seed: 99}\n") +
                      testing::kIshigamiParameters);
  for (int threads : {1, 2})
    ASSERT_EQ(shell(fmt::format("{} run {} --threads {} --quiet --out {}", kBinary, config, threads,
                                dir.file(fmt::format("t{}.h5", threads)))),
              0);
  EXPECT_EQ(testing::bit_differences(dir.file("t1.h5"), dir.file("t2.h5"), "/outputs"), "");
  EXPECT_EQ(testing::bit_differences(dir.file("t1.h5"), dir.file("t2.h5"), "/design"), "");
  const h5::Handle file = h5::open_file(dir.file("t1.h5"));
  EXPECT_EQ(h5::read_string_attribute(file, "design"), "sobol");
  const h5::Handle design = h5::open_group(file, "design");
  EXPECT_EQ(h5::read_u64_attribute(design, "scramble_seed"), 99u);
  const h5::Handle y = h5::open_group(design, "y");
  const double mean = h5::read_doubles(y, "mean")[0], half = h5::read_doubles(y, "ci95_half_width")[0];
  EXPECT_EQ(h5::read_doubles(y, "replicate_mean").size(), 8u);
  EXPECT_LT(std::abs(mean - 3.5), half);  // the exact mean of the Ishigami function is a/2
  EXPECT_LT(half, 0.01);                  // far tighter than Monte Carlo's ±0.08 at 8192 draws
  EXPECT_EQ(shell(fmt::format("{} run {} --shard 1/2 --quiet --out {}", kBinary, config, dir.file("s.h5"))), 2);
}

TEST(Designs, ASobolDesignThatDoesNotDivideIsAConfigError) {
  TempDir dir;
  const std::string config = dir.write(
      "ish.yaml", std::string("model: ishigami\ndraws: 1000\nseed: 3\nchunk_size: 512\nmodel_options: {a: 7, b: 0.1}\n"
                              "design: {kind: sobol, replicates: 3}\n") +
                      testing::kIshigamiParameters);
  try {
    load_experiment(config);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("expected draws = replicates x points"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace deterrence
