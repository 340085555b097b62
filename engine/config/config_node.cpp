#include "config/config_node.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace deterrence {

struct ConfigNode::Document {
  std::string source;
  std::map<std::string, std::set<std::string>> read_keys;  // by map path
};

namespace {
std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}
}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<Document> doc, std::string path)
    : node_(std::move(node)), doc_(std::move(doc)), path_(std::move(path)) {}

const std::string& ConfigNode::source() const { return doc_->source; }

ConfigNode ConfigNode::parse(const std::string& text, const std::string& source,
                             const std::function<void(YAML::Node)>& edit) {
  auto doc = std::make_shared<Document>();
  doc->source = source;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: not valid YAML: {}", source, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
  ConfigNode result(root, doc, "");
  if (!root.IsMap()) result.fail(result.describe_found(), "a map of settings at the top level");
  if (edit) edit(root);
  return result;
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

std::string ConfigNode::location() const {
  const YAML::Mark mark = node_.Mark();
  if (mark.is_null()) return doc_->source;
  return fmt::format("{}:{}:{}", doc_->source, mark.line + 1, mark.column + 1);
}

std::string ConfigNode::describe_found() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsMap()) return "a map";
  if (node_.IsSequence()) return "a list";
  return fmt::format("'{}'", node_.Scalar());
}

void ConfigNode::fail(const std::string& what_found, const std::string& expected) const {
  throw ConfigError(fmt::format("{}: {}: found {}, expected {}", location(),
                                path_.empty() ? "(top level)" : path_, what_found, expected));
}

void ConfigNode::fail_message(const std::string& message) const {
  throw ConfigError(
      fmt::format("{}: {}: {}", location(), path_.empty() ? "(top level)" : path_, message));
}

void ConfigNode::check_duplicate_keys() const {
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      ConfigNode(entry.first, doc_, join_path(path_, key))
          .fail_message(fmt::format("duplicate key '{}'", key));
    }
  }
}

void ConfigNode::mark_read(const std::string& key) const { doc_->read_keys[path_].insert(key); }

bool ConfigNode::has(const std::string& key) const {
  if (!node_.IsMap()) return false;
  return static_cast<bool>(node_[key]);
}

std::optional<ConfigNode> ConfigNode::find(const std::string& key) const {
  if (!node_.IsMap()) fail(describe_found(), "a map");
  check_duplicate_keys();
  mark_read(key);
  const YAML::Node child = node_[key];
  if (!child) return std::nullopt;
  return ConfigNode(child, doc_, join_path(path_, key));
}

ConfigNode ConfigNode::at(const std::string& key) const {
  auto child = find(key);
  if (!child) fail_message(fmt::format("missing required key '{}'", key));
  return *child;
}

std::vector<std::string> ConfigNode::keys() const {
  if (!node_.IsMap()) fail(describe_found(), "a map");
  check_duplicate_keys();
  std::vector<std::string> result;
  for (const auto& entry : node_) result.push_back(entry.first.Scalar());
  return result;
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail(describe_found(), "a list");
  std::vector<ConfigNode> result;
  std::size_t index = 0;
  for (const auto& entry : node_) {
    result.push_back(ConfigNode(YAML::Node(entry), doc_, fmt::format("{}[{}]", path_, index++)));
  }
  return result;
}

double ConfigNode::as_double() const {
  if (!node_.IsScalar()) fail(describe_found(), "a number");
  const std::string& text = node_.Scalar();
  double value = 0.0;
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    // YAML spells infinities and NaN as .inf / .nan; name them plainly.
    if (text == ".inf" || text == "-.inf" || text == ".nan" || text == ".NaN" || text == ".Inf")
      fail(describe_found(), "a finite number");
    fail(describe_found(), "a number");
  }
  if (!std::isfinite(value)) fail(describe_found(), "a finite number");
  return value;
}

double ConfigNode::as_probability() const {
  const double value = as_double();
  if (value < 0.0 || value > 1.0) fail(describe_found(), "a probability in [0, 1]");
  return value;
}

long long ConfigNode::as_integer() const {
  if (!node_.IsScalar()) fail(describe_found(), "an integer");
  const std::string& text = node_.Scalar();
  try {
    std::size_t used = 0;
    // Allow 1e6-style integers, common in experiment sizes.
    if (text.find_first_of("eE.") != std::string::npos) {
      const double value = std::stod(text, &used);
      if (used != text.size() || value != std::floor(value) || std::abs(value) > 9.0e18)
        throw std::invalid_argument(text);
      return static_cast<long long>(value);
    }
    const long long value = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return value;
  } catch (const std::exception&) {
    fail(describe_found(), "an integer");
  }
}

unsigned long long ConfigNode::as_count(unsigned long long min_value) const {
  const long long value = as_integer();
  if (value < static_cast<long long>(min_value))
    fail(describe_found(), fmt::format("an integer of at least {}", min_value));
  return static_cast<unsigned long long>(value);
}

bool ConfigNode::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& text = node_.Scalar();
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
  }
  fail(describe_found(), "true or false");
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail(describe_found(), "a string");
  return node_.Scalar();
}

std::vector<double> ConfigNode::as_doubles() const {
  std::vector<double> result;
  for (const auto& item : items()) result.push_back(item.as_double());
  return result;
}

std::vector<std::string> ConfigNode::as_strings() const {
  std::vector<std::string> result;
  for (const auto& item : items()) result.push_back(item.as_string());
  return result;
}

double ConfigNode::get_double(const std::string& key, double fallback) const {
  auto child = find(key);
  return child ? child->as_double() : fallback;
}

double ConfigNode::get_probability(const std::string& key, double fallback) const {
  auto child = find(key);
  return child ? child->as_probability() : fallback;
}

std::string ConfigNode::get_string(const std::string& key, const std::string& fallback) const {
  auto child = find(key);
  return child ? child->as_string() : fallback;
}

bool ConfigNode::get_bool(const std::string& key, bool fallback) const {
  auto child = find(key);
  return child ? child->as_bool() : fallback;
}

void ConfigNode::reject_unknown_keys() const {
  if (!node_.IsMap()) return;
  const auto& read = doc_->read_keys[path_];
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (!read.count(key)) {
      std::string known;
      for (const auto& k : read) known += (known.empty() ? "" : ", ") + k;
      ConfigNode(entry.first, doc_, join_path(path_, key))
          .fail(fmt::format("unknown key '{}'", key),
                known.empty() ? std::string("no keys here") : "one of: " + known);
    }
  }
}

}  // namespace deterrence
