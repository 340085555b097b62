// `extends:` — a config as overrides of another: maps merge key by key, lists and scalars
// replace, !replace and !delete, chains and cycles; errors name the file that set the value.
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "config/experiment.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

const std::string kBase = std::string("model: ishigami\ndraws: 100\nseed: 1\n") + testing::kIshigamiParameters;

std::string error_for(const std::string& path) {
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Extends, OverridesMergeIntoTheBase) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const std::string child =
      dir.write("child.yaml", "extends: base.yaml\ndraws: 7\nparameters:\n  x2: {dist: uniform, min: 0, max: 1}\n");
  const Experiment e = load_experiment(child);
  EXPECT_EQ(e.draws, 7u);   // a scalar replaces
  EXPECT_EQ(e.seed, 1u);    // the rest is the base's
  const auto& p = e.model->parameters();
  ASSERT_EQ(p.size(), 3u);  // the parameters map merged key by key, in the base's order
  EXPECT_EQ(p[1].name, "x2");
  EXPECT_EQ(p[1].distribution.b, 1.0);
  EXPECT_EQ(p[0].distribution.a, -3.141592653589793);
  // The identity covers both files; the chain is kept for the results file.
  ASSERT_EQ(e.extended_files.size(), 1u);
  EXPECT_EQ(e.extended_texts[0], kBase);
  EXPECT_NE(e.config_hash, hash_text(e.config_text));
}

TEST(Extends, ReplaceAndDeleteTags) {
  TempDir dir;
  dir.write("base.yaml", kBase + "records: {outcomes: true, parameters: true}\n");
  const std::string replaced = dir.write(
      "replace.yaml", "extends: base.yaml\nparameters: !replace\n  x1: 0\n  x2: 0\n  x3: {dist: uniform, min: 0, max: 1}\n");
  EXPECT_EQ(load_experiment(replaced).model->parameters()[0].distribution.kind, DistributionKind::constant);
  const std::string deleted = dir.write("delete.yaml", "extends: base.yaml\nrecords: !delete ~\n");
  EXPECT_FALSE(load_experiment(deleted).records.parameters);
  const std::string bad = dir.write("bad.yaml", "extends: base.yaml\ndesign: !delete ~\n");
  EXPECT_NE(error_for(bad).find("bad.yaml:2:1: design: !delete of a key the extended config does not set"),
            std::string::npos)
      << error_for(bad);
}

TEST(Extends, ErrorsNameTheFileThatSetTheValue) {
  TempDir dir;
  dir.write("base.yaml", "model: ishigami\ndraws: 100\nseed: -4\n" + std::string(testing::kIshigamiParameters));
  const std::string child = dir.write("child.yaml", "extends: base.yaml\ndraws: lots\n");
  std::string message = error_for(child);
  EXPECT_NE(message.find("child.yaml:2:8: draws: found 'lots', expected an integer"), std::string::npos) << message;
  const std::string fixed = dir.write("fixed.yaml", "extends: base.yaml\ndraws: 10\n");
  message = error_for(fixed);
  EXPECT_NE(message.find("base.yaml:3:7: seed: found '-4'"), std::string::npos) << message;
  // A chain: grandchild -> fixed -> base; the value still comes from base.
  const std::string grandchild = dir.write("grandchild.yaml", "extends: fixed.yaml\ndescription: x\n");
  message = error_for(grandchild);
  EXPECT_NE(message.find("base.yaml:3:7: seed"), std::string::npos) << message;
}

TEST(Extends, CyclesAndMissingBasesAreRefused) {
  TempDir dir;
  dir.write("a.yaml", "extends: b.yaml\n");
  const std::string b = dir.write("b.yaml", "extends: a.yaml\n");
  EXPECT_NE(error_for(b).find("(a cycle)"), std::string::npos) << error_for(b);
  const std::string missing = dir.write("m.yaml", "extends: nowhere.yaml\n");
  EXPECT_NE(error_for(missing).find("m.yaml:1:10: extends: found 'nowhere.yaml', expected a config file"),
            std::string::npos)
      << error_for(missing);
}

TEST(Extends, ShowPrintsTheResolvedConfigAndWhereEachValueCameFrom) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const std::string child = dir.write("child.yaml", "extends: base.yaml\ndraws: 7\n");
  const std::string log = dir.file("log");
  ASSERT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " show " + child + " --origins", log), 0);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("draws: 7   # " + child), std::string::npos) << text;
  EXPECT_NE(text.find("seed: 1   # " + dir.file("base.yaml")), std::string::npos) << text;
  EXPECT_NE(text.find("parameters.x2.dist: uniform   # " + dir.file("base.yaml")), std::string::npos) << text;
  ASSERT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " show " + child, log), 0);
  EXPECT_NE(testing::read_text(log).find("draws: 7\n"), std::string::npos) << testing::read_text(log);
}

TEST(Extends, DataPathsResolveAgainstTheFileThatNamesThem) {
  // The shipped case experiment extends configs/baseline.yaml from configs/experiments/; the
  // baseline's data/ paths must still resolve against configs/.
  const Experiment e = load_experiment(DETERRENCE_CONFIGS "/experiments/cases.yaml");
  EXPECT_FALSE(e.model->cases().empty());
}

}  // namespace
}  // namespace deterrence
