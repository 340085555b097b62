#pragma once
// One experiment, validated: the config text as given, the run settings and the model built
// from it. This is the "validated model description" every later stage reads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/input_log.h"
#include "config/sweep.h"
#include "sampling/design.h"
#include "model/model.h"

namespace deterrence {

struct PosteriorSource;  // calibration/posterior.h

struct RecordOptions {
  bool outcomes = false;    // per-draw codes of every recorded categorical output
  bool parameters = false;  // per-draw values of every sampled parameter
  bool aggregates = false;  // per-draw values of the model's aggregate outputs (per policy, no episodes)
};

struct Experiment {
  std::string config_path;
  std::string config_text;
  std::string config_hash;  // SHA-256 over every input's SHA-256 (and a sweep point's values)
  std::vector<std::string> extended_files, extended_texts;  // the extends chain below config_path
  std::vector<InputFile> inputs;  // every file read, in order: config, extended configs, data
  std::string description;
  std::string model_name;
  std::uint64_t draws = 0;
  std::uint64_t seed = 0;
  std::uint32_t chunk_size = 0;
  RecordOptions records;
  DesignSpec design;
  std::unique_ptr<Model> model;
  std::vector<std::string> config_keys_read;
  // Set by `run --posterior`: the calibration whose weighted θ every draw resamples.
  std::shared_ptr<const PosteriorSource> posterior;  // every key path the reader asked the config for
};

// Reads and validates a config file and builds its model; with a sweep point, the experiment
// at that point (its config_hash then covers the point's values). Throws ConfigError.
Experiment load_experiment(const std::string& path, const SweepPoint* point = nullptr);

std::string hash_text(const std::string& text);

}  // namespace deterrence
