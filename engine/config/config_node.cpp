#include "config/config_node.h"

#include "config/input_log.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <filesystem>
#include <algorithm>

namespace deterrence {

struct ConfigNode::Document {
  std::string source;                                      // the file loaded (the top of an extends chain)
  std::map<std::string, std::set<std::string>> read_keys;  // by map path
  std::map<std::string, std::string> origins;              // key path -> file that set it (extends)
  std::vector<std::string> files;                          // every file of the chain, top first
  std::vector<std::string> texts;                          // their text, as read
};

namespace {
std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Config and data files: regular files of at most this size (a device, a pipe or a huge file is
// refused before it is read; /dev/zero would otherwise exhaust memory).
constexpr std::uintmax_t kMaxInputBytes = 16u << 20;

std::string read_text_file(const std::string& path, const std::string& what_for) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw ConfigError(fmt::format("{}: no such file{}", path, what_for));
  if (std::filesystem::is_directory(status)) throw ConfigError(fmt::format("{}: is a folder, not a file{}", path, what_for));
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError(fmt::format("{}: not a regular file (a device, pipe or socket){}", path, what_for));
  const auto size = std::filesystem::file_size(path, error);
  if (error || size > kMaxInputBytes)
    throw ConfigError(fmt::format("{}: {} bytes, more than the {} MiB a config or data file may have{}", path,
                                  error ? 0 : size, kMaxInputBytes >> 20, what_for));
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the file (permission?){}", path, what_for));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: not valid YAML: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

std::string mark_of(const YAML::Node& node, const std::string& source) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? source : fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

void check_unique_keys(const YAML::Node& map, const std::string& source, const std::string& path) {
  std::set<std::string> seen;
  for (const auto& entry : map)
    if (!seen.insert(entry.first.Scalar()).second)
      throw ConfigError(fmt::format("{}: {}: duplicate key '{}'", mark_of(entry.first, source),
                                    join_path(path, entry.first.Scalar()), entry.first.Scalar()));
}

// Applies `over` (from file `source`) on `base` (extends): maps merge key by key, lists and
// scalars replace; a value tagged !replace replaces a map whole, one tagged !delete removes the
// key. Records which file set each key path.
YAML::Node merge_layer(const YAML::Node& base, const YAML::Node& over, const std::string& path, const std::string& source,
                       std::map<std::string, std::string>& origins, const std::string& skip = "") {
  const auto forget_below = [&](const std::string& prefix) {
    for (auto it = origins.lower_bound(prefix + "."); it != origins.end() && it->first.rfind(prefix + ".", 0) == 0;)
      it = origins.erase(it);
  };
  if (!(base.IsMap() && over.IsMap()) || over.Tag() == "!replace") {
    if (!path.empty()) {
      forget_below(path);
      origins[path] = source;
    }
    YAML::Node result = over;
    if (over.Tag() == "!replace") result.SetTag("");
    return result;
  }
  check_unique_keys(over, source, path);
  YAML::Node merged(YAML::NodeType::Map);
  for (const auto& entry : base) {
    const std::string key = entry.first.Scalar();
    const std::string child_path = join_path(path, key);
    YAML::Node replacement;
    bool overridden = false;
    for (const auto& o : over)
      if (o.first.Scalar() == key) {
        replacement.reset(o.second);
        overridden = true;
      }
    if (!overridden) {
      merged[entry.first] = entry.second;
    } else if (replacement.Tag() == "!delete") {
      forget_below(child_path);
      origins.erase(child_path);
    } else {
      merged[entry.first] = merge_layer(entry.second, replacement, child_path, source, origins);
    }
  }
  for (const auto& o : over) {
    const std::string key = o.first.Scalar();
    if (key == skip) continue;
    bool in_base = false;
    for (const auto& entry : base) in_base = in_base || entry.first.Scalar() == key;
    if (in_base) continue;
    if (o.second.Tag() == "!delete")
      throw ConfigError(fmt::format("{}: {}: !delete of a key the extended config does not set", mark_of(o.first, source),
                                    join_path(path, key)));
    merged[o.first] = o.second;
    origins[join_path(path, key)] = source;
  }
  return merged;
}

// Loads `path` and, through its `extends:` key, every config it extends (base first), merged.
YAML::Node load_chain(const std::string& text, const std::string& source, ConfigNode::Document& doc,
                      std::vector<std::string>& visiting) {
  if (!doc.files.empty()) record_input(source, "extends", text);
  YAML::Node root = parse_yaml(text, source);
  doc.files.push_back(source);
  doc.texts.push_back(text);
  if (!root.IsMap() || !root["extends"]) return root;
  const YAML::Node extends = root["extends"];
  if (!extends.IsScalar())
    throw ConfigError(fmt::format("{}: extends: found a {}, expected the path of a config to extend", mark_of(extends, source),
                                  extends.IsMap() ? "map" : "list"));
  std::filesystem::path base_path = extends.Scalar();
  if (base_path.is_relative()) base_path = std::filesystem::path(source).parent_path() / base_path;
  const std::string canonical = std::filesystem::weakly_canonical(base_path).string();
  if (std::find(visiting.begin(), visiting.end(), canonical) != visiting.end())
    throw ConfigError(fmt::format("{}: extends: '{}' extends itself through the chain (a cycle)", mark_of(extends, source),
                                  extends.Scalar()));
  if (!std::filesystem::is_regular_file(base_path))
    throw ConfigError(fmt::format("{}: extends: found '{}', expected a config file ({} does not exist)",
                                  mark_of(extends, source), extends.Scalar(), base_path.string()));
  visiting.push_back(canonical);
  const std::string base_text = read_text_file(base_path.string(), " (extended)");
  YAML::Node base = load_chain(base_text, base_path.string(), doc, visiting);
  visiting.pop_back();
  if (!base.IsMap()) throw ConfigError(fmt::format("{}: expected a map of settings at the top level", base_path.string()));
  // The base's own top-level keys are its file's unless its chain said otherwise.
  for (const auto& entry : base)
    doc.origins.emplace(entry.first.Scalar(), doc.origins.count("") ? doc.origins[""] : base_path.string());
  // (Not a clone without `extends`: a clone loses the line numbers messages need.)
  YAML::Node merged = merge_layer(base, root, "", source, doc.origins, "extends");
  merged["extends"] = extends;  // kept so that it is read (and allowed) like any key
  doc.origins["extends"] = source;
  return merged;
}
}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<Document> doc, std::string path)
    : node_(std::move(node)), doc_(std::move(doc)), path_(std::move(path)) {}

ConfigNode ConfigNode::parse(const std::string& text, const std::string& source,
                             const std::function<void(YAML::Node)>& edit) {
  auto doc = std::make_shared<Document>();
  doc->source = source;
  std::vector<std::string> visiting{std::filesystem::weakly_canonical(source).string()};
  YAML::Node root = load_chain(text, source, *doc, visiting);
  ConfigNode result(root, doc, "");
  if (!root.IsMap()) result.fail(result.describe_found(), "a map of settings at the top level");
  if (edit) edit(root);
  return result;
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  const std::string text = read_text_file(path, "");
  record_input(path, "data", text);
  return parse(text, path);
}

std::string ConfigNode::read_input(const std::string& path, const std::string& role) {
  const std::string text = read_text_file(path, "");
  record_input(path, role, text);
  return text;
}

// The file that set a key path: its nearest ancestor recorded by an extends chain.
const std::string& ConfigNode::origin_of_path(const std::string& key_path) const {
  std::string path = key_path;
  while (!path.empty()) {
    if (auto it = doc_->origins.find(path); it != doc_->origins.end()) return it->second;
    const auto cut = path.find_last_of(".[");
    path = cut == std::string::npos ? "" : path.substr(0, cut);
  }
  return doc_->source;
}

const std::string& ConfigNode::source() const { return origin_of_path(path_); }

const std::vector<std::string>& ConfigNode::files() const { return doc_->files; }

std::string ConfigNode::origin_of(const std::string& key_path) const { return origin_of_path(join_path(path_, key_path)); }
const std::vector<std::string>& ConfigNode::texts() const { return doc_->texts; }

std::string ConfigNode::location() const {
  const YAML::Mark mark = node_.Mark();
  if (mark.is_null()) return source();
  return fmt::format("{}:{}:{}", source(), mark.line + 1, mark.column + 1);
}

std::string ConfigNode::describe_found() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsMap()) return "a map";
  if (node_.IsSequence()) return "a list";
  return fmt::format("'{}'", excerpt(node_.Scalar()));
}

std::string excerpt(const std::string& text) {
  // At most 80 characters of input in a message, control characters escaped: an error never
  // echoes a file back (a data path naming /etc/passwd) or writes terminal escapes.
  std::string out;
  for (const char c : text) {
    if (out.size() >= 80) return out + fmt::format("… ({} characters)", text.size());
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
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

std::vector<std::string> ConfigNode::keys_read() const {
  std::vector<std::string> paths;
  for (const auto& [map, keys] : doc_->read_keys)
    for (const auto& key : keys) paths.push_back(join_path(map, key));
  return paths;
}

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
