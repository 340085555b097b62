// Historical cases (docs/model.md §8): forecasts conditioned on what a record observes, their
// scores against a leave-one-out base rate (worked by hand below), the case library's checks,
// and the forecast against the per-draw records it must equal.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>

#include "io/results_reader.h"
#include "stats/case_forecast.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

// The game's outcome categories, in order.
enum : std::size_t { SC, NC, DET, CAP, RES, COMP, ESC };

CaseSpec coerced_case(const std::string& id, std::vector<ObservedOutcome> observed) {
  return {id, id, "2020", "src", "outcome", 0, "coerced",
          {{"CAPITULATION", {CAP}}, {"RESISTED", {RES}}, {"COMPELLED", {COMP}}, {"ESCALATION", {ESC}}},
          std::move(observed), {}};
}

CaseSpec withdrawn_case(const std::string& id) {
  return {id, id, "2020", "src", "outcome", 0, "provoked",
          {{"WITHDRAWN", {NC, DET}}, {"COERCED", {CAP, RES, COMP, ESC}}}, {{"WITHDRAWN", 1.0}}, {}};
}

TEST(Cases, ForecastIsConditionalOnWhatTheRecordObserves) {
  // 10 draws: 6 self-censor, 3 capitulate, 1 resists. P(coerced) = 0.4, P(CAP | coerced) = 0.75.
  const CaseForecast f = forecast_case(coerced_case("a", {{"CAPITULATION", 1.0}}), {6, 0, 0, 3, 1, 0, 0});
  EXPECT_EQ(f.draws, 10u);
  EXPECT_EQ(f.condition_count, 4u);
  EXPECT_DOUBLE_EQ(f.p_condition, 0.4);
  EXPECT_DOUBLE_EQ(f.p_observed, 0.75);
  // A partial outcome is the weighted sum: 0.5·0.75 + 0.5·0.25 = 0.5.
  const CaseForecast partial =
      forecast_case(coerced_case("p", {{"CAPITULATION", 0.5}, {"RESISTED", 0.5}}), {6, 0, 0, 3, 1, 0, 0});
  EXPECT_DOUBLE_EQ(partial.p_observed, 0.5);
  // Never coerced: no forecast, never a silent zero.
  const CaseForecast never = forecast_case(coerced_case("n", {{"RESISTED", 1.0}}), {10, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(never.never_conditioned());
  EXPECT_TRUE(std::isnan(never.p_observed));
}

TEST(Cases, ScoresAgainstALeaveOneOutBaseRate) {
  const std::vector<CaseForecast> f{
      forecast_case(coerced_case("a", {{"CAPITULATION", 1.0}}), {6, 0, 0, 3, 1, 0, 0}),
      forecast_case(coerced_case("b", {{"RESISTED", 1.0}}), {0, 0, 0, 0, 4, 0, 0}),
      forecast_case(withdrawn_case("w"), {5, 0, 2, 1, 1, 0, 0}),
      forecast_case(coerced_case("n", {{"RESISTED", 1.0}}), {10, 0, 0, 0, 0, 0, 0})};
  const CaseScores s = score_cases(f);
  // a: smoothed (3 + .5)/(4 + 4·.5) = 3.5/6; Brier (.75 − 1)² + .25² = .125. Its base rate: the
  // RESISTED of b and of n (a real observation, though the model never coerces n); w's WITHDRAWN
  // is no coerced outcome: (.5, 2.5, .5, .5)/4, so p = 1/8 and Brier (7/8)² + (5/8)² + 2/64 = 76/64.
  EXPECT_NEAR(s.model_log[0], -std::log(3.5 / 6), 1e-12);
  EXPECT_NEAR(s.model_brier[0], 0.125, 1e-12);
  EXPECT_NEAR(s.base_log[0], std::log(8.0), 1e-12);
  EXPECT_NEAR(s.base_brier[0], 76.0 / 64.0, 1e-12);
  // w: provoked 4 (2 withdrawn, 2 coerced): (2 + .5)/(4 + 1) = .5; Brier .25 + .25 = .5. Its base:
  // a's CAPITULATION and the RESISTED of b and n fall in COERCED: (.5, 3.5)/4, p = 1/8, Brier 2·(7/8)².
  EXPECT_NEAR(s.model_log[2], -std::log(0.5), 1e-12);
  EXPECT_NEAR(s.model_brier[2], 0.5, 1e-12);
  EXPECT_NEAR(s.base_log[2], std::log(8.0), 1e-12);
  EXPECT_NEAR(s.base_brier[2], 98.0 / 64.0, 1e-12);
  // n is never coerced: reported, not scored, and left out of the means.
  EXPECT_TRUE(std::isnan(s.model_log[3]));
  EXPECT_EQ(s.scored, 3u);
  EXPECT_NEAR(s.mean_model_log, (s.model_log[0] + s.model_log[1] + s.model_log[2]) / 3, 1e-12);
  // b's base: a's CAPITULATION, n's RESISTED: (1.5, 1.5, .5, .5)/4 -> p(RESISTED) = .375.
  EXPECT_NEAR(s.base_log[1], -std::log(0.375), 1e-12);
}

TEST(Cases, PartialOutcomeScoresItsWeightedProbability) {
  const std::vector<CaseForecast> f{
      forecast_case(coerced_case("p", {{"CAPITULATION", 0.5}, {"RESISTED", 0.5}}), {0, 0, 0, 1, 3, 0, 0}),
      forecast_case(coerced_case("r", {{"RESISTED", 1.0}}), {0, 0, 0, 1, 3, 0, 0})};
  const CaseScores s = score_cases(f);
  // .5·(1.5/6) + .5·(3.5/6) = 5/12; Brier (.25 − .5)² + (.75 − .5)² = .125.
  EXPECT_NEAR(s.model_log[0], -std::log(5.0 / 12.0), 1e-12);
  EXPECT_NEAR(s.model_brier[0], 0.125, 1e-12);
  // r's base rate counts p's halves: (1, 1, .5, .5)/3.
  EXPECT_NEAR(s.base_log[1], -std::log(1.0 / 3.0), 1e-12);
}

// A config playing the test library (tests/fixtures/cases) on the shipped baseline.
std::string library_config(const TempDir& dir, const std::string& library_text, const std::string& extra = "") {
  dir.write("CODEBOOK.md", testing::read_text(DETERRENCE_FIXTURES "/cases/CODEBOOK.md"));
  dir.write("library.yaml", library_text);
  return dir.write("cases.yaml", std::string("extends: ") + DETERRENCE_CONFIGS + "/experiments/cases.yaml\n" +
                                     "model_options:\n  cases: library.yaml\n" + extra);
}

std::string fixture_library() { return testing::read_text(DETERRENCE_FIXTURES "/cases/library.yaml"); }

void expect_refused(const std::string& library_text, const std::string& message) {
  TempDir dir;
  const std::string config = library_config(dir, library_text);
  const std::string log = dir.file("log");
  EXPECT_EQ(shell(kBinary + " validate " + config, log), 2);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find(dir.file("library.yaml") + ":"), std::string::npos) << text;
  EXPECT_NE(text.find(message), std::string::npos) << text;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(Cases, LibraryWithoutASourceIsRefusedWithItsLine) {
  expect_refused(replaced(fixture_library(), "    sources: [\"test source\"]\n    note: \"test note\"\n  - id: korea",
                          "    sources: []\n    note: \"test note\"\n  - id: korea"),
                 "library.yaml:20:14: cases[0].sources: found no source, expected at least one source");
}

TEST(Cases, LibraryWithAnUnknownCountryIsRefusedWithItsLine) {
  expect_refused(replaced(fixture_library(), "target: KOR", "target: XKX"),
                 "library.yaml:24:13: cases[1].target: found 'XKX', expected the name of a country in the data set");
}

TEST(Cases, LibraryWithAnOutcomeOutsideTheCodebookIsRefusedWithItsLine) {
  expect_refused(replaced(fixture_library(), "observed: RESISTED", "observed: STALEMATE"),
                 "library.yaml:51:15: cases[2].observed: found 'STALEMATE', expected an outcome code of the codebook");
}

TEST(Cases, LibraryNamingARegimeThatIsNoPolicyIsRefused) {
  expect_refused(replaced(fixture_library(), "regime: allied_support", "regime: economic_nato"),
                 "found 'economic_nato', expected the name of a policy (the regime then in force)");
}

// `cases:` may list several libraries, read in order; a case id in two of them is refused.
TEST(Cases, SeveralLibrariesAreReadInOrderAndAnIdInTwoIsRefused) {
  TempDir dir;
  const std::string library = fixture_library();
  dir.write("CODEBOOK.md", testing::read_text(DETERRENCE_FIXTURES "/cases/CODEBOOK.md"));
  dir.write("first.yaml", library);
  dir.write("second.yaml", replaced(replaced(replaced(library, "id: norway_2010_nobel", "id: norway_copy"),
                                             "id: korea_2016_thaad", "id: korea_copy"),
                                    "id: australia_2020_covid", "id: australia_copy"));
  const auto config_with = [&](const std::string& libraries) {
    return dir.write("cases.yaml", std::string("extends: ") + DETERRENCE_CONFIGS + "/experiments/cases.yaml\n" +
                                       "model_options:\n  cases: " + libraries + "\n");
  };
  const std::string log = dir.file("log");
  ASSERT_EQ(shell(kBinary + " cases " + config_with("[first.yaml, second.yaml]") + " --draws 200 --csv", log), 0);
  const std::string text = testing::read_text(log);
  const auto first = text.find("norway_2010_nobel"), copy = text.find("norway_copy");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(copy, std::string::npos) << text;
  EXPECT_LT(first, copy) << "the libraries are read in the order listed";
  EXPECT_EQ(shell(kBinary + " validate " + config_with("[first.yaml, first.yaml]"), log), 2);
  EXPECT_NE(testing::read_text(log).find("expected a case id used once"), std::string::npos) << testing::read_text(log);
  EXPECT_EQ(shell(kBinary + " validate " + config_with("[]"), log), 2);
  EXPECT_NE(testing::read_text(log).find("expected a case library file, or a list of at least one"), std::string::npos)
      << testing::read_text(log);
}

TEST(Cases, ConditionalForecastEqualsTheCountRatioInThePerDrawRecords) {
  TempDir dir;
  const std::string config = library_config(dir, fixture_library(), "records: {outcomes: true}\n");
  const std::string out = dir.file("cases.h5");
  ASSERT_EQ(shell(kBinary + " run " + config + " --draws 3000 --quiet --out " + out), 0);
  const ResultsFile results(out);
  const auto forecasts = results.case_forecasts();
  ASSERT_EQ(forecasts.size(), 3u);

  // Count, draw by draw, the outcomes of each case's episode under its regime.
  const hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dataset = H5Dopen2(file, "records/outcome", H5P_DEFAULT);
  const hid_t space = H5Dget_space(dataset);
  hsize_t shape[3];
  ASSERT_EQ(H5Sget_simple_extent_ndims(space), 3);
  H5Sget_simple_extent_dims(space, shape, nullptr);
  std::vector<std::uint8_t> codes(shape[0] * shape[1] * shape[2]);
  ASSERT_GE(H5Dread(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, codes.data()), 0);
  H5Sclose(space);
  H5Dclose(dataset);
  H5Fclose(file);
  ASSERT_EQ(shape[0], 3000u);
  for (const auto& f : forecasts) {
    std::vector<std::uint64_t> counts(7, 0);
    for (hsize_t d = 0; d < shape[0]; ++d) ++counts[codes[d * shape[1] * shape[2] + f.spec.element]];
    std::uint64_t coerced = counts[CAP] + counts[RES] + counts[COMP] + counts[ESC];
    double observed = 0;
    for (const auto& o : f.spec.observed)
      observed += o.weight * static_cast<double>(o.label == "CAPITULATION" ? counts[CAP] : counts[RES]);
    EXPECT_EQ(f.condition_count, coerced) << f.spec.id;
    EXPECT_DOUBLE_EQ(f.p_condition, static_cast<double>(coerced) / 3000.0) << f.spec.id;
    ASSERT_GT(coerced, 0u) << f.spec.id;
    EXPECT_NEAR(f.p_observed, observed / static_cast<double>(coerced), 1e-15) << f.spec.id;
  }
  // Norway's stance is coded forced, so it is never self-censored.
  EXPECT_EQ(forecasts[0].spec.id, "norway_2010_nobel");
  EXPECT_EQ(results.find("outcome")->at("counts", forecasts[0].spec.element, SC), 0.0);
  // summary prints the case table from the file alone.
  const std::string log = dir.file("summary.txt");
  ASSERT_EQ(shell(kBinary + " summary " + out, log), 0);
  EXPECT_NE(testing::read_text(log).find("3 cases, 3 scored"), std::string::npos) << testing::read_text(log);
}

TEST(Cases, CasesCommandScoresTheShippedLibrary) {
  TempDir dir;
  const std::string log = dir.file("cases.csv");
  ASSERT_EQ(shell(kBinary + " cases " DETERRENCE_CONFIGS "/experiments/cases.yaml --draws 2000 --csv", log), 0);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("nor_2010_nobel"), std::string::npos) << text;
  EXPECT_GE(std::count(text.begin(), text.end(), '\n'), 26);  // header + at least 25 cases
}

}  // namespace
}  // namespace deterrence
