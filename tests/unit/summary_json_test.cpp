// `summary --json` is one JSON document for every kind of file (a sweep: an array of points with
// their swept values), `--csv` one long table with the swept values as columns. Tested by parsing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "io/results_reader.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::shell;
using testing::TempDir;

const std::string kBinary = DETERRENCE_BINARY;

std::string ishigami(const TempDir& dir, const std::string& extra) {
  return dir.write("ish.yaml", "model: ishigami\ndraws: 4000\nseed: 3\nchunk_size: 500\nmodel_options: {a: 7, b: 0.1}\n" +
                                   std::string(testing::kIshigamiParameters) + extra);
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) {
        cells.push_back(cell);
        cell.clear();
      } else cell += c;
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST(SummaryJson, ARunIsOneDocumentWithEveryStatistic) {
  TempDir dir;
  const std::string out = dir.file("run.h5"), json = dir.file("run.json");
  ASSERT_EQ(shell(kBinary + " run " + ishigami(dir, "") + " --quiet --out " + out), 0);
  ASSERT_EQ(shell(kBinary + " summary --json " + out, json), 0);
  const auto document = nlohmann::json::parse(testing::read_text(json));
  EXPECT_EQ(document["kind"], "run");
  EXPECT_EQ(document["draws"], 4000);
  EXPECT_TRUE(document["posterior"].is_null());  // on the config's priors
  const ResultsFile results(out);
  const auto& y = document["outputs"]["y"]["elements"][0];
  EXPECT_EQ(y["count"], 4000);
  EXPECT_DOUBLE_EQ(y["mean"].get<double>(), results.find("y")->at("mean", 0));
  EXPECT_DOUBLE_EQ(y["quantiles"]["0.5"].get<double>(), results.find("y")->at("quantiles", 0, 4));
}

TEST(SummaryJson, ASweepIsOneDocumentWithItsPointsAndOneCsvTable) {
  TempDir dir;
  const std::string out = dir.file("sweep.h5"), json = dir.file("sweep.json"), csv = dir.file("sweep.csv");
  ASSERT_EQ(shell(kBinary + " run " + ishigami(dir, "sweep:\n  model_options.a: [1, 7, 11]\n") + " --quiet --out " + out),
            0);
  ASSERT_EQ(shell(kBinary + " summary --json " + out, json), 0);
  const auto document = nlohmann::json::parse(testing::read_text(json));  // one document: no "extra data"
  EXPECT_EQ(document["kind"], "sweep");
  ASSERT_EQ(document["points"].size(), 3u);
  EXPECT_EQ(document["sweep_keys"][0], "model_options.a");
  const std::vector<double> swept = {1, 7, 11};
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& point = document["points"][k];
    EXPECT_EQ(point["point"], k);
    EXPECT_DOUBLE_EQ(point["values"]["model_options.a"].get<double>(), swept[k]);
    EXPECT_DOUBLE_EQ(point["outputs"]["y"]["elements"][0]["mean"].get<double>(),
                     ResultsFile(out, k).find("y")->at("mean", 0));
  }
  ASSERT_EQ(shell(kBinary + " summary --csv " + out, csv), 0);
  const auto rows = csv_rows(testing::read_text(csv));
  ASSERT_EQ(rows.size(), 1u + 3u);  // one header, one row per point (one output, one element)
  EXPECT_EQ(rows[0][0], "point");
  EXPECT_EQ(rows[0][1], "model_options.a");
  EXPECT_EQ(rows[0][2], "output");
  for (std::size_t k = 1; k < rows.size(); ++k) {
    EXPECT_EQ(rows[k].size(), rows[0].size());
    EXPECT_EQ(rows[k][0], std::to_string(k - 1));
    EXPECT_EQ(std::stod(rows[k][1]), swept[k - 1]);
  }
}

}  // namespace
}  // namespace deterrence
