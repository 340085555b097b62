#pragma once
// A checked view of one YAML node. It remembers where it came from (file, line, column,
// key path) and which keys were read, so unknown keys and wrong types become clear errors
// instead of silent defaults.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config_error.h"

namespace deterrence {

// At most 80 characters of `text`, control characters escaped, for error messages.
std::string excerpt(const std::string& text);

class ConfigNode {
 public:
  // Parses YAML text; `source` names it in messages (usually the file path). A top-level
  // `extends: PATH` applies this text as overrides on the config at PATH (relative to this one):
  // maps merge key by key, lists and scalars replace, `!replace` replaces a map whole and
  // `!delete` removes a key; chains are followed, cycles refused. `edit`, when given, may change
  // the merged tree first (a sweep point's values).
  static ConfigNode parse(const std::string& text, const std::string& source,
                          const std::function<void(YAML::Node)>& edit = {});
  static ConfigNode load_file(const std::string& path);  // a data file (recorded as an input)
  // Reads a regular file of bounded size and records it as an input (config, data, ...).
  static std::string read_input(const std::string& path, const std::string& role);

  const std::string& path() const { return path_; }
  // The file that set this node's value (with `extends:`, not always the file loaded); relative
  // paths in a value resolve against its folder.
  const std::string& source() const;
  // Every file of the extends chain (the loaded file first) and its text as read.
  const std::vector<std::string>& files() const;
  // The file that set the value at a key path below this node ("a.b.c"): extends-aware.
  std::string origin_of(const std::string& key_path) const;
  const std::vector<std::string>& texts() const;
  const YAML::Node& yaml() const { return node_; }
  std::string describe_found() const;  // "'word'", "a map", "a list" or "nothing", for messages
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  bool has(const std::string& key) const;
  ConfigNode at(const std::string& key) const;  // required key
  std::optional<ConfigNode> find(const std::string& key) const;
  std::vector<std::string> keys() const;       // map keys in file order; rejects duplicates
  std::vector<ConfigNode> items() const;       // sequence elements

  double as_double() const;           // finite numbers only
  double as_probability() const;      // finite, in [0, 1]
  long long as_integer() const;
  unsigned long long as_count(unsigned long long min_value) const;
  bool as_bool() const;
  std::string as_string() const;
  std::vector<double> as_doubles() const;
  std::vector<std::string> as_strings() const;

  double get_double(const std::string& key, double fallback) const;
  double get_probability(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;

  // Fails on any key of this map that was never read (a typo must not fall back to a default).
  void reject_unknown_keys() const;
  [[noreturn]] void fail(const std::string& what_found, const std::string& expected) const;
  [[noreturn]] void fail_message(const std::string& message) const;
  std::string location() const;  // "file:line:col"
  // Every key path ("model_options.policies.nato.trigger") the reader asked for in this document,
  // present or not: the keys it accepts where the config has a map (checked against the schema).
  std::vector<std::string> keys_read() const;

 struct Document;

 private:
  ConfigNode(YAML::Node node, std::shared_ptr<Document> doc, std::string path);
  void check_duplicate_keys() const;
  const std::string& origin_of_path(const std::string& key_path) const;
  void mark_read(const std::string& key) const;

  YAML::Node node_;
  std::shared_ptr<Document> doc_;
  std::string path_;
};

}  // namespace deterrence
