// Every distribution accepts exactly the parameters it can be sampled at, and never aborts: a
// grid over each kind's legal domain, edges included (tiny and huge shapes, means near 0 and 1,
// b < 1, huge ranges). Each point is either refused by validation with a message naming the
// distribution, or accepted with a quantile that is finite and non-decreasing on a fine grid
// (2001 points, other than validation's) reaching the generator's extremes 2^-54 and 1 - 2^-53.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/config_node.h"
#include "sampling/distribution.h"

namespace deterrence {
namespace {

struct Verdict {
  int accepted = 0, refused = 0;
};

void check(const std::string& spec, Verdict& verdict) {
  const ConfigNode root = ConfigNode::parse("x: " + spec + "\n", "grid.yaml");
  Distribution d;
  try {
    d = parse_distribution(root.at("x"));
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("grid.yaml:1:4: x"), std::string::npos) << spec << ": " << message;
    ++verdict.refused;
    return;
  } catch (const std::exception& error) {
    ADD_FAILURE() << spec << ": not a config error but " << error.what();
    return;
  }
  ++verdict.accepted;
  d.prepare();
  double previous = -INFINITY;
  for (int k = 0; k <= 2000; ++k) {
    double u = k == 0 ? 0x1.0p-54 : k == 2000 ? 1 - 0x1.0p-53 : k / 2000.0;  // the generator's extremes
    if (k == 1) u = 1e-10;
    if (k == 1999) u = 1 - 1e-10;
    const double x = d.quantile(u);
    ASSERT_TRUE(std::isfinite(x)) << spec << " accepted, but its quantile at " << u << " is " << x;
    ASSERT_GE(x, previous) << spec << " accepted, but its quantile decreases at " << u;
    previous = x;
  }
}

const std::vector<std::string> kShapes = {"1e-300", "1e-12", "1e-6", "0.01", "0.1", "0.5",  "1",
                                          "2",      "10",    "1e3",  "1e6",  "1e12", "1e300"};

TEST(DistributionDomain, Beta) {
  Verdict v;
  for (const auto& a : kShapes)
    for (const auto& b : kShapes) check("{dist: beta, a: " + a + ", b: " + b + "}", v);
  for (const char* mean : {"1e-12", "0.001", "0.05", "0.5", "0.95", "0.999", "0.999999999"})
    for (const auto& k : kShapes) check(std::string("{dist: beta, mean: ") + mean + ", concentration: " + k + "}", v);
  EXPECT_GT(v.accepted, 100);
  EXPECT_GT(v.refused, 0);  // e.g. a = b = 1e-300
}

TEST(DistributionDomain, Gamma) {
  Verdict v;
  for (const auto& shape : kShapes)
    for (const char* scale : {"1e-300", "1e-6", "1", "1e6", "1e300"})
      check("{dist: gamma, shape: " + shape + ", scale: " + scale + "}", v);
  EXPECT_GT(v.accepted, 20);
}

TEST(DistributionDomain, UniformTriangularPert) {
  Verdict v;
  const std::vector<std::pair<std::string, std::string>> ranges = {
      {"0", "1e-300"}, {"-1", "1"}, {"0", "1e300"}, {"-1e308", "1e308"}, {"1e300", "1.0000001e300"}, {"-1e-300", "1e-300"}};
  for (const auto& [lo, hi] : ranges) {
    check("{dist: uniform, min: " + lo + ", max: " + hi + "}", v);
    for (const std::string& mode : {lo, hi})
      for (const char* kind : {"triangular", "pert"})
        check(std::string("{dist: ") + kind + ", min: " + lo + ", mode: " + mode + ", max: " + hi + "}", v);
  }
  EXPECT_GT(v.accepted, 10);
  EXPECT_GT(v.refused, 0);  // uniform(-1e308, 1e308): its range overflows
}

TEST(DistributionDomain, NormalLognormalTruncated) {
  Verdict v;
  for (const char* mean : {"-1e308", "-1e6", "0", "1e6", "1e308"})
    for (const char* sd : {"1e-300", "1e-6", "1", "1e6", "1e300"}) {
      check(std::string("{dist: normal, mean: ") + mean + ", sd: " + sd + "}", v);
      check(std::string("{dist: truncated_normal, mean: ") + mean + ", sd: " + sd + ", min: -1, max: 1}", v);
    }
  for (const char* median : {"1e-300", "1e-6", "1", "1e6", "1e300"})
    for (const char* log_sd : {"1e-300", "0.01", "1", "10", "100", "1e6"})
      check(std::string("{dist: lognormal, median: ") + median + ", log_sd: " + log_sd + "}", v);
  for (const char* mean : {"1e-300", "1", "1e300"})
    for (const char* sd : {"1e-300", "1", "1e300"}) check(std::string("{dist: lognormal, mean: ") + mean + ", sd: " + sd + "}", v);
  EXPECT_GT(v.accepted, 30);
  EXPECT_GT(v.refused, 0);
}

}  // namespace
}  // namespace deterrence
