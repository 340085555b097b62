// Bad input never crashes: each mistake gets its own clear message naming the file, line and
// column, the key path, what was found and what was expected.
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "config/experiment.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

std::string error_for(const std::string& text) {
  TempDir dir;
  const std::string path = dir.write("bad.yaml", text);
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kHead = "model: ishigami\ndraws: 100\nseed: 1\n";

TEST(ConfigErrors, UnknownTopLevelKeyIsNamedWithItsPosition) {
  const std::string message = error_for(kHead + "drawz: 5\n" + testing::kIshigamiParameters);
  EXPECT_NE(message.find("bad.yaml:4:1"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'drawz'"), std::string::npos) << message;
}

TEST(ConfigErrors, UnknownKeyInsideADistribution) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: uniform, min: 0, max: 1, mean: 3}\n");
  EXPECT_NE(message.find("parameters.x1.mean"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
}

TEST(ConfigErrors, NonFiniteNumber) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: uniform, min: 0, max: .inf}\n");
  EXPECT_NE(message.find("parameters.x1.max"), std::string::npos) << message;
  EXPECT_NE(message.find("a finite number"), std::string::npos) << message;
}

TEST(ConfigErrors, BetaWithNonPositiveShape) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: beta, a: 0, b: 2}\n");
  EXPECT_NE(message.find("parameters.x1.a"), std::string::npos) << message;
  EXPECT_NE(message.find("found 0, expected a number > 0"), std::string::npos) << message;
}

TEST(ConfigErrors, TriangularWithModeBelowMin) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: triangular, min: 2, mode: 1, max: 3}\n");
  EXPECT_NE(message.find("parameters.x1.mode"), std::string::npos) << message;
  EXPECT_NE(message.find("a mode in [min, max]"), std::string::npos) << message;
}

TEST(ConfigErrors, UniformWithMinAboveMax) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: uniform, min: 2, max: 1}\n");
  EXPECT_NE(message.find("min (2) must be below max (1)"), std::string::npos) << message;
}

TEST(ConfigErrors, BetaMeanOutsideZeroOne) {
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: beta, mean: 1.2, concentration: 3}\n");
  EXPECT_NE(message.find("a mean in (0, 1)"), std::string::npos) << message;
}

TEST(ConfigErrors, WrongType) {
  const std::string message = error_for("model: ishigami\ndraws: lots\nseed: 1\n" + std::string(testing::kIshigamiParameters));
  EXPECT_NE(message.find("bad.yaml:2:8: draws: found 'lots', expected an integer"), std::string::npos) << message;
}

TEST(ConfigErrors, DuplicateParameterName) {
  const std::string message = error_for(kHead + "parameters:\n  x1: 1\n  x1: 2\n");
  EXPECT_NE(message.find("duplicate key 'x1'"), std::string::npos) << message;
}

TEST(ConfigErrors, CorrelationNamesAnUndefinedParameter) {
  const std::string message = error_for(kHead + testing::kIshigamiParameters +
                                        "correlations:\n  - {parameters: [x1, x9], matrix: [[1, 0.5], [0.5, 1]]}\n");
  EXPECT_NE(message.find("found 'x9', expected the name of a parameter"), std::string::npos) << message;
}

TEST(ConfigErrors, InvalidCorrelationMatrix) {
  const std::string not_pd = error_for(kHead + testing::kIshigamiParameters +
                                       "correlations:\n  - parameters: [x1, x2, x3]\n    matrix: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]\n");
  EXPECT_NE(not_pd.find("not positive definite"), std::string::npos) << not_pd;
  const std::string asym = error_for(kHead + testing::kIshigamiParameters +
                                     "correlations:\n  - parameters: [x1, x2]\n    matrix: [[1, 0.5], [0.4, 1]]\n");
  EXPECT_NE(asym.find("not symmetric"), std::string::npos) << asym;
}

TEST(ConfigErrors, UnknownModelAndUnknownDistribution) {
  EXPECT_NE(error_for("model: nope\ndraws: 1\nseed: 1\n").find("expected one of: ishigami, coercion"), std::string::npos);
  const std::string message = error_for(kHead + "parameters:\n  x1: {dist: cauchy}\n");
  EXPECT_NE(message.find("found 'cauchy'"), std::string::npos) << message;
}

TEST(ConfigErrors, InvalidYamlSaysSo) {
  const std::string message = error_for("model: [ishigami\n");
  EXPECT_NE(message.find("not valid YAML"), std::string::npos) << message;
}

TEST(ConfigErrors, ProbabilityAboveOneInTheGame) {
  TempDir dir;
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  text.replace(text.find("compensated_share: 0.5"), 22, "compensated_share: 1.5");
  const std::string path = dir.write("baseline.yaml", text);
  try {
    load_experiment(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("policies.economic_nato.compensated_share: found '1.5', expected a probability in [0, 1]"),
              std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace deterrence
