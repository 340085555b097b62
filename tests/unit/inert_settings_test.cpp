// A setting that cannot act is an error naming its file, line and key, and saying what would make
// it act — one test per kind. Each probe adds one policy to the shipped baseline (extends:).
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "config/experiment.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

// `policy` is the probe policy's body (6-space indented keys), written from line 5 on.
std::string error_for(const std::string& policy, const std::string& extra = "") {
  TempDir dir;
  const std::string path = dir.write("probe.yaml", std::string("extends: ") + DETERRENCE_CONFIGS + "/baseline.yaml\n" +
                                                       "model_options:\n  policies:\n    probe:\n" +
                                                       "      members: [USA, JPN]\n      scope: all\n" + policy + extra);
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_inert(const std::string& policy, const std::string& where, const std::string& why) {
  const std::string message = error_for(policy);
  EXPECT_NE(message.find("probe.yaml:" + where + ": model_options.policies.probe."), std::string::npos) << message;
  EXPECT_NE(message.find("set, but it cannot act here because " + why), std::string::npos) << message;
  EXPECT_NE(message.find("allow_inert"), std::string::npos) << message;
}

TEST(InertSettings, AidKeysWithoutAid) {
  expect_inert("      absorption: {dist: beta, mean: 0.05, concentration: 20}\n", "7:19", "aid is off: add 'aid: true'");
  expect_inert("      compensated_share: 0.5\n", "7:26", "aid is off: add 'aid: true'");
  expect_inert("      aid_activation: majority\n", "7:23", "aid is off: add 'aid: true'");
  expect_inert("      fund_cap: 10\n", "7:17", "aid is off: add 'aid: true' and a compensated_share > 0");
}

TEST(InertSettings, SanctionKeysWithoutSanctions) {
  expect_inert("      trigger: majority\n", "7:16", "sanctions are off: add 'sanctions: true'");
  expect_inert("      sanctioned_goods: all\n", "7:25", "sanctions are off: add 'sanctions: true'");
  expect_inert("      commitment: rules\n", "7:19", "sanctions are off: add 'sanctions: true'");
  expect_inert("      derisking: {dist: beta, mean: 0.3, concentration: 10}\n", "7:18",
               "it scales the coercer's loss from joint sanctions, which are off");
  expect_inert("      threshold: 0.6\n", "7:18", "sanctions are off: add 'sanctions: true' and 'trigger: weighted'");
  expect_inert("      treaty_penalty: 0.2\n", "7:23", "sanctions are off: add 'sanctions: true' and 'commitment: rules'");
}

TEST(InertSettings, ThresholdWithoutTheWeightedTrigger) {
  expect_inert("      sanctions: true\n      sanctioned_goods: all\n      trigger: majority\n      threshold: 0.6\n", "10:18",
               "the trigger is not weighted: add 'trigger: weighted'");
}

TEST(InertSettings, TreatyPenaltyUnderDiscretion) {
  expect_inert("      sanctions: true\n      sanctioned_goods: all\n      commitment: discretion\n      treaty_penalty: 0.2\n",
               "10:23", "it binds only under rules: add 'commitment: rules'");
}

TEST(InertSettings, FundCapWithNothingCompensated) {
  expect_inert("      aid: true\n      fund_cap: 10\n", "8:17", "nothing is compensated: set compensated_share > 0");
}

TEST(InertSettings, CompensationWithAFundCapOfZero) {
  const std::string message = error_for("      aid: true\n      compensated_share: 0.5\n      fund_cap: 0\n");
  EXPECT_NE(message.find("probe.yaml:9:17: model_options.policies.probe.fund_cap: a fund cap of 0 compensates nothing"),
            std::string::npos)
      << message;
}

TEST(InertSettings, CompensationWithoutAFundCapHasNoSilentDefault) {
  const std::string message = error_for("      aid: true\n      compensated_share: 0.5\n");
  EXPECT_NE(message.find("'fund_cap' is missing: give the fund's cap in USD bn per year, or 'unbounded'"),
            std::string::npos)
      << message;
  EXPECT_EQ(error_for("      aid: true\n      compensated_share: 0.5\n      fund_cap: unbounded\n"), "(no error)");
}

TEST(InertSettings, DeliberatelyInertSettingsAreAllowedByName) {
  EXPECT_EQ(error_for("      sanctions: true\n      sanctioned_goods: all\n      threshold: 0.6\n      allow_inert: [threshold]\n"),
            "(no error)");
  const std::string message = error_for("      allow_inert: [members]\n");
  EXPECT_NE(message.find("found 'members', expected a policy key that can be inert"), std::string::npos) << message;
}

TEST(InertSettings, AParameterNoModelReadsIsRefused) {
  TempDir dir;
  const std::string path = dir.write("probe.yaml", std::string("extends: ") + DETERRENCE_CONFIGS +
                                                       "/baseline.yaml\nparameters:\n  resolv: {dist: uniform, min: 0, max: 1}\n");
  std::string message;
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("probe.yaml:3:11: parameters.resolv: declared, but model coercion reads no parameter 'resolv'"),
            std::string::npos)
      << message;
}

TEST(InertSettings, ASweepPointWhereAKeyCannotActIsRefused) {
  // Sweeping the commitment makes the treaty penalty inert at the discretion point; `validate`
  // checks every point.
  TempDir dir;
  const std::string head = std::string("extends: ") + DETERRENCE_CONFIGS +
                           "/baseline.yaml\nmodel_options:\n  policies:\n    probe:\n      members: [USA, JPN]\n"
                           "      scope: all\n      sanctions: true\n      sanctioned_goods: all\n      commitment: rules\n"
                           "      treaty_penalty: 0.2\n";
  const std::string sweep = "sweep:\n  model_options.policies.probe.commitment: [rules, discretion]\n";
  const std::string bad = dir.write("bad.yaml", head + sweep);
  const std::string log = dir.file("log");
  EXPECT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " validate " + bad, log), 2);
  EXPECT_NE(testing::read_text(log).find("treaty_penalty: set, but it cannot act here because it binds only under rules"),
            std::string::npos)
      << testing::read_text(log);
  const std::string good = dir.write("good.yaml", head + "      allow_inert: [treaty_penalty]\n" + sweep);
  EXPECT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " validate " + good, log), 0) << testing::read_text(log);
}

TEST(InertSettings, EveryShippedConfigPasses) {
  for (const char* name : {"baseline", "ishigami", "experiments/assurance", "experiments/bloc_size", "experiments/cases",
                           "experiments/double_penalty", "experiments/head_to_head", "experiments/resolve",
                           "experiments/rules_vs_discretion"})
    EXPECT_NO_THROW(load_experiment(std::string(DETERRENCE_CONFIGS) + "/" + name + ".yaml")) << name;
}

}  // namespace
}  // namespace deterrence
