// Historical cases: the probability a run gives the observed outcome, and the scores of
// `deterrence cases` (worked by hand below).
#include <gtest/gtest.h>

#include <cmath>

#include "cli/cases_command.h"
#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

TEST(Cases, ScoresAgainstALeaveOneOutBaseRate) {
  // A: 3 of 4 draws X, observed X; B: 0 of 4 draws X, observed X.
  const std::vector<CaseForecast> cases{{"a", "A", "X", {"X", "Y"}, {3, 1}, 0}, {"b", "B", "X", {"X", "Y"}, {0, 4}, 0}};
  const CaseScores s = score_cases(cases);
  // Model log: -ln((3 + .5)/(4 + 1)) = -ln .7; -ln((0 + .5)/5) = -ln .1.
  EXPECT_NEAR(s.case_model_log[0], -std::log(0.7), 1e-12);
  EXPECT_NEAR(s.case_model_log[1], -std::log(0.1), 1e-12);
  // Brier: (.75 - 1)^2 + .25^2 = .125; (0 - 1)^2 + 1^2 = 2.
  EXPECT_NEAR(s.case_model_brier[0], 0.125, 1e-12);
  EXPECT_NEAR(s.case_model_brier[1], 2.0, 1e-12);
  // Base rate for each: the other case observed X: (1 + .5, .5) / 2 = (.75, .25).
  EXPECT_NEAR(s.case_base_log[0], -std::log(0.75), 1e-12);
  EXPECT_NEAR(s.case_base_brier[1], 0.125, 1e-12);
  EXPECT_NEAR(s.model_log, (-std::log(0.7) - std::log(0.1)) / 2, 1e-12);
  EXPECT_NEAR(s.base_brier, 0.125, 1e-12);
}

TEST(Cases, ShippedCasesRunScoreAndReportTheObservedOutcome) {
  TempDir dir;
  const std::string log = dir.file("cases.csv");
  ASSERT_EQ(shell(kBinary + " cases " DETERRENCE_CONFIGS "/experiments/cases --draws 2000 --csv", log), 0);
  const std::string text = testing::read_text(log);
  for (const char* name : {"Norway", "United Kingdom", "Australia", "Lithuania", "Taiwan"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6);  // header + five cases
  // A run of one case reports the probability of what happened, and the file keeps the case.
  const std::string out = dir.file("lithuania.h5");
  ASSERT_EQ(shell(kBinary + " run " DETERRENCE_CONFIGS "/experiments/cases/lithuania_2021.yaml --draws 2000 --quiet --out " + out,
                  dir.file("run.log")),
            0);
  EXPECT_NE(testing::read_text(dir.file("run.log")).find("the model gave the observed RESISTED probability"),
            std::string::npos);
  const ResultsFile results(out);
  EXPECT_EQ(results.attribute("case_observed"), "RESISTED");
  EXPECT_EQ(results.attribute("case_element"), "then/LTU:taiwan");
  const auto p = case_probability(results);
  ASSERT_TRUE(p);
  const OutputTable* outcome = results.find("outcome");
  EXPECT_EQ(p->share, outcome->at("share", 0, 4));  // RESISTED is category 4
}

TEST(Cases, ACaseNamingAnUnknownEpisodeIsAConfigError) {
  TempDir dir;
  std::string text = testing::read_text(DETERRENCE_CONFIGS "/experiments/cases/norway_2010.yaml");
  text.replace(text.find("\"NOR:human_rights\"}"), 19, "\"NOR:taiwan\"}");
  std::filesystem::create_directories(dir.path() / "experiments/cases");  // ../../data from here is dir/data
  const std::string config = dir.write("experiments/cases/bad.yaml", text);
  std::filesystem::create_directory_symlink(std::filesystem::path(DETERRENCE_CONFIGS) / "data", dir.path() / "data");
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " validate " + config, log), 2);
  EXPECT_NE(testing::read_text(log).find("found 'NOR:taiwan', expected one of the episode labels: NOR:human_rights"),
            std::string::npos)
      << testing::read_text(log);
}

}  // namespace
}  // namespace deterrence
