// docs/model.md documents every key the engine reads: each section's accepted keys are taken from
// the engine itself (the "expected one of" list it gives for an unknown key), and each must appear
// in the document as `key`.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "config/config_error.h"
#include "config/experiment.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

std::vector<std::string> accepted_keys(const std::string& message) {
  const std::string marker = "expected one of: ";
  const auto at = message.find(marker);
  EXPECT_NE(at, std::string::npos) << message;
  std::vector<std::string> keys;
  if (at == std::string::npos) return keys;
  std::stringstream list(message.substr(at + marker.size()));
  std::string key;
  while (std::getline(list, key, ',')) {
    while (!key.empty() && key.front() == ' ') key.erase(key.begin());
    while (!key.empty() && (key.back() == ' ' || key.back() == '\n')) key.pop_back();
    if (!key.empty()) keys.push_back(key);
  }
  return keys;
}

std::string error_of(const TempDir& dir, const std::string& text) {
  const std::string path = dir.write("probe.yaml", text);
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Docs, ModelDocumentsEveryKeyTheEngineReads) {
  const std::string doc = testing::read_text(std::string(DETERRENCE_CONFIGS) + "/../docs/model.md");
  const std::string readme = testing::read_text(std::string(DETERRENCE_CONFIGS) + "/../README.md");
  ASSERT_FALSE(doc.empty());
  TempDir dir;
  std::filesystem::copy(DETERRENCE_CONFIGS "/data", dir.path() / "data");
  const std::string base = testing::read_text(DETERRENCE_CONFIGS "/baseline.yaml");
  dir.write("base.yaml", base);
  const auto probe = [&](const std::string& overrides) { return error_of(dir, "extends: base.yaml\n" + overrides); };
  std::vector<std::pair<std::string, std::string>> sections = {
      {"top level", probe("zzz_unknown: 1\n")},
      {"model_options", probe("model_options:\n  zzz_unknown: 1\n")},
      {"policy", probe("model_options:\n  policies:\n    status_quo:\n      zzz_unknown: 1\n")},
  };
  // Data files: a copy with one unknown key each.
  const auto data_probe = [&](const std::string& file, const std::string& from, const std::string& to) {
    std::string text = testing::read_text(std::string(DETERRENCE_CONFIGS) + "/data/" + file);
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << file;
    text.replace(at, from.size(), to);
    std::filesystem::remove(dir.path() / "data" / file);
    dir.write("data/" + file, text);
    const std::string message = probe("");
    dir.write("data/" + file, testing::read_text(std::string(DETERRENCE_CONFIGS) + "/data/" + file));
    return message;
  };
  sections.emplace_back("country", data_probe("countries.yaml", "{code: USA,", "{zzz_unknown: 1, code: USA,"));
  sections.emplace_back("issue", data_probe("issues.yaml", "  taiwan:\n", "  taiwan:\n    zzz_unknown: 1\n"));
  sections.emplace_back("good", data_probe("goods.yaml", "  - name: lithography_equipment\n",
                                           "  - name: lithography_equipment\n    zzz_unknown: 1\n"));
  {
    // A case of the library: a copy of the test library with one unknown key.
    std::filesystem::create_directories(dir.path() / "cases");
    dir.write("cases/CODEBOOK.md", testing::read_text(DETERRENCE_FIXTURES "/cases/CODEBOOK.md"));
    std::string library = testing::read_text(DETERRENCE_FIXTURES "/cases/library.yaml");
    library.replace(library.find("    name: \"Norway"), 4, "    zzz_unknown: 1\n    ");
    dir.write("cases/library.yaml", library);
    sections.emplace_back("case", error_of(dir, "extends: " + std::string(DETERRENCE_CONFIGS) +
                                                    "/experiments/cases.yaml\nmodel_options:\n  cases: cases/library.yaml\n"));
  }
  sections.emplace_back("salience file", data_probe("salience.yaml", "concentration:", "zzz_unknown: 1\nconcentration:"));
  for (const auto& [section, message] : sections) {
    const auto keys = accepted_keys(message);
    EXPECT_GE(keys.size(), 3u) << section << ": " << message;
    // The experiment's own keys are the README's (its config table); the model's, docs/model.md's.
    const std::string& where = section == "top level" ? readme : doc;
    for (const auto& key : keys)
      EXPECT_NE(where.find("`" + key + "`"), std::string::npos)
          << section << " key '" << key << "' is not in " << (section == "top level" ? "README.md" : "docs/model.md");
  }
  // The shared scalars the model requires.
  for (const char* scalar : {"resolve", "duration", "stance_value", "sanction_loss", "lag", "coercion_cost", "demonstration",
                             "face", "concession_cost", "premium", "misperception", "loss_misperception"})
    EXPECT_NE(doc.find(std::string("`") + scalar + "`"), std::string::npos) << scalar;
}

}  // namespace
}  // namespace deterrence
