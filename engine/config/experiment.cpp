#include "config/experiment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "config/config_node.h"
#include "config/input_log.h"
#include "model/registry.h"
#include "sampling/distribution.h"

namespace deterrence {

std::string hash_text(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

namespace {

ParameterSpace parse_parameters(const ConfigNode& root) {
  ParameterSpace space;
  if (auto parameters = root.find("parameters")) {
    for (const auto& name : parameters->keys()) {
      const ConfigNode node = parameters->at(name);
      std::string group;
      Distribution distribution;
      if (node.is_map() && node.has("group")) group = node.at("group").as_string();
      distribution = parse_distribution(node);
      try {
        space.add(name, distribution, group);
      } catch (const ConfigError& e) {
        node.fail_message(e.what());
      }
    }
  }
  if (auto correlations = root.find("correlations")) {
    for (const auto& group : correlations->items()) {
      std::vector<std::size_t> members;
      const ConfigNode names = group.at("parameters");
      for (const auto& item : names.items()) {
        const std::string name = item.as_string();
        auto index = space.find(name);
        if (!index) item.fail(fmt::format("'{}'", excerpt(name)), "the name of a parameter defined under 'parameters'");
        members.push_back(*index);
      }
      const ConfigNode matrix_node = group.at("matrix");
      const auto rows = matrix_node.items();
      Eigen::MatrixXd matrix(rows.size(), rows.size());
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto row = rows[r].as_doubles();
        if (row.size() != rows.size())
          rows[r].fail(fmt::format("a row of {} numbers", row.size()),
                       fmt::format("{} numbers (the matrix must be square)", rows.size()));
        for (std::size_t c = 0; c < row.size(); ++c) matrix(r, c) = row[c];
      }
      try {
        space.correlate(members, matrix);
      } catch (const std::invalid_argument& e) {
        matrix_node.fail_message(e.what());
      }
      group.reject_unknown_keys();
    }
  }
  return space;
}

}  // namespace

Experiment load_experiment(const std::string& path, const SweepPoint* point) {
  Experiment experiment;
  experiment.config_path = path;
  InputRecorder inputs;  // every file read from here on: the config, what it extends, its data
  experiment.config_text = ConfigNode::read_input(path, "config");
  const ConfigNode root = ConfigNode::parse(experiment.config_text, path, [&](YAML::Node tree) {
    if (point) apply_point(tree, *point, path);
  });
  // A typo in a top-level key is reported before anything else is read.
  for (const char* key : {"extends", "description", "model", "draws", "seed", "chunk_size", "records", "parameters",
                          "correlations", "model_options", "design"})
    root.find(key);
  if (!point) read_sweep(root);  // checks the section; a point's values are already applied
  else root.find("sweep");
  root.reject_unknown_keys();
  for (std::size_t k = 1; k < root.files().size(); ++k) {  // the extends chain (its identity: below)
    experiment.extended_files.push_back(root.files()[k]);
    experiment.extended_texts.push_back(root.texts()[k]);
  }
  experiment.description = root.get_string("description", "");
  const ConfigNode model_node = root.at("model");
  experiment.model_name = model_node.as_string();
  const ModelEntry* entry = find_model(experiment.model_name);
  if (!entry) {
    std::string names;
    for (const auto& m : model_registry()) names += (names.empty() ? "" : ", ") + m.name;
    model_node.fail(fmt::format("'{}'", excerpt(experiment.model_name)), "one of: " + names);
  }
  experiment.draws = root.at("draws").as_count(1);
  experiment.seed = static_cast<std::uint64_t>(root.at("seed").as_count(0));
  if (auto chunk = root.find("chunk_size")) {
    const auto value = chunk->as_count(1);
    if (value > (1u << 24)) chunk->fail(fmt::format("{}", value), "a chunk size of at most 16777216");
    experiment.chunk_size = static_cast<std::uint32_t>(value);
  } else {
    experiment.chunk_size = 1024;
  }
  if (auto records = root.find("records")) {
    experiment.records.outcomes = records->get_bool("outcomes", false);
    experiment.records.parameters = records->get_bool("parameters", false);
    experiment.records.aggregates = records->get_bool("aggregates", false);
    records->reject_unknown_keys();
  }

  if (auto design = root.find("design")) {
    const ConfigNode kind = design->at("kind");
    const std::string name = kind.as_string();
    if (name == "monte_carlo") experiment.design.kind = DesignKind::monte_carlo;
    else if (name == "latin_hypercube") experiment.design.kind = DesignKind::latin_hypercube;
    else if (name == "sobol") experiment.design.kind = DesignKind::sobol;
    else kind.fail(fmt::format("'{}'", excerpt(name)), "monte_carlo, latin_hypercube or sobol");
    if (auto replicates = design->find("replicates")) {
      if (experiment.design.kind != DesignKind::sobol) replicates->fail("replicates", "no replicates (sobol only)");
      experiment.design.replicates = replicates->as_count(1);
    } else if (experiment.design.kind == DesignKind::sobol) {
      experiment.design.replicates = 8;
    }
    if (design->find("scramble_seed")) experiment.design.scramble_seed = design->at("scramble_seed").as_count(0);
    design->reject_unknown_keys();
    if (experiment.design.kind == DesignKind::sobol) {
      const std::uint64_t r = experiment.design.replicates;
      if (experiment.draws % r != 0 || (experiment.draws / r) % experiment.chunk_size != 0)
        design->fail(fmt::format("{} replicates of {} draws in chunks of {}", r, experiment.draws, experiment.chunk_size),
                     "draws = replicates x points, with points a multiple of chunk_size (e.g. powers of two)");
    }
  }

  ModelSetup setup;
  setup.parameters = parse_parameters(root);
  setup.parameters.forget_reads();  // what the model reads from here on
  setup.options = root.find("model_options");
  try {
    experiment.model = entry->factory(std::move(setup));
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    // A message that already names a file and line (the config's, or a data file's) stands alone.
    if (message.rfind(path, 0) == 0 || std::regex_search(message, std::regex("^[^ ]+:[0-9]+:[0-9]+: "))) throw;
    throw ConfigError(path + ": " + message);  // model errors without a position still name the file
  }
  // The identity of the experiment: every input's bytes (config, extended configs, data files),
  // and a sweep point's values.
  experiment.inputs = inputs.take();
  {
    std::string identity;
    for (const auto& f : experiment.inputs) identity += f.role + " " + f.sha256 + "\n";
    if (point)
      for (const auto& [key, value] : *point) identity += fmt::format("sweep point {} = {}\n", key, Sweep::text(value));
    experiment.config_hash = sha256_hex(identity);
  }
  // A parameter the model never reads would be sampled and never act: refuse it.
  if (auto parameters = root.find("parameters"))
    for (const auto& name : parameters->keys()) {
      const ParameterSpace& space = experiment.model->parameters();
      std::size_t index = 0;
      while (index < space.size() && space[index].name != name) ++index;
      if (index < space.size() && !space.was_read(index))
        parameters->at(name).fail_message(fmt::format(
            "declared, but model {} reads no parameter '{}', so it cannot act (remove it, or check the name "
            "against the parameters listed in docs/model.md)",
            experiment.model_name, name));
    }
  experiment.config_keys_read = root.keys_read();
  return experiment;
}

}  // namespace deterrence
