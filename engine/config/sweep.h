#pragma once
// A sweep: the same experiment at several values of some config keys, every point played on
// the same draws (same seed, same parameter streams: common random numbers across points).
//
//   sweep:
//     parameters.resolve.median: [0.5, 1, 2, 4]                     # a list of values
//     model_options.policies.x.derisking.mean: {from: 0, to: 1, step: 0.25}   # a range
//
// Several keys make a grid (every combination, the first key slowest).
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_node.h"

namespace deterrence {

// One point: a value for each swept key, as YAML (a number, a word, a list…).
using SweepPoint = std::vector<std::pair<std::string, YAML::Node>>;

struct Sweep {
  std::vector<std::string> keys;
  std::vector<SweepPoint> points;
  static std::string text(const YAML::Node& value);  // flow-style YAML, e.g. "0.5", "[USA, JPN]"
  static double number(const YAML::Node& value);     // NaN unless a number
};

// Reads the config's `sweep` section, if any. Throws ConfigError for a bad section.
std::optional<Sweep> read_sweep(const ConfigNode& root);

// Replaces each swept key in a parsed config by the point's value. Throws ConfigError if a key
// does not name a place in the config (its parent must exist; the key itself may be new).
void apply_point(YAML::Node root, const SweepPoint& point, const std::string& source);

}  // namespace deterrence
