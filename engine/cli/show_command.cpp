#include "cli/show_command.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/config_error.h"
#include "config/config_node.h"

namespace deterrence {

namespace {

// One line per scalar or list, as "key.path: value   # file".
void print_origins(const ConfigNode& root, const YAML::Node& node, const std::string& path) {
  if (node.IsMap() && !path.empty() && node.size() == 0) {
    fmt::print("{}: {{}}   # {}\n", path, root.origin_of(path));
    return;
  }
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      print_origins(root, entry.second, path.empty() ? key : path + "." + key);
    }
    return;
  }
  YAML::Emitter flow;
  flow << YAML::Flow << node;
  fmt::print("{}: {}   # {}\n", path, flow.c_str(), root.origin_of(path));
}

}  // namespace

int show_command(const std::string& config, bool origins) {
  try {
    const ConfigNode root = ConfigNode::parse(ConfigNode::read_input(config, "config"), config);
    if (origins) {
      print_origins(root, root.yaml(), "");
    } else {
      YAML::Emitter out;
      out << root.yaml();
      fmt::print("# {} as read{}\n{}\n", config,
                 root.files().size() > 1 ? fmt::format(", with the {} config(s) it extends applied", root.files().size() - 1) : "",
                 out.c_str());
    }
    return 0;
  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
}

}  // namespace deterrence
