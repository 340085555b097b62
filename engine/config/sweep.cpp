#include "config/sweep.h"

#include <fmt/format.h>

#include "config/config_node.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace deterrence {

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream in(key);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  return parts;
}

// Values of one swept key: a list, or {from, to, step} (inclusive of `to` up to rounding).
std::vector<YAML::Node> sweep_values(const ConfigNode& node) {
  std::vector<YAML::Node> values;
  if (node.is_sequence()) {
    for (const auto& item : node.items()) values.push_back(YAML::Clone(item.yaml()));
  } else if (node.is_map()) {
    const double from = node.at("from").as_double(), to = node.at("to").as_double();
    const ConfigNode step_node = node.at("step");
    const double step = step_node.as_double();
    node.reject_unknown_keys();
    if (!(step > 0)) step_node.fail(fmt::format("{}", step), "a positive step");
    if (to < from) node.at("to").fail(fmt::format("{}", to), fmt::format("a value of at least from ({})", from));
    const auto count = static_cast<long long>(std::floor((to - from) / step + 1e-9)) + 1;
    if (count > 100000) node.fail(fmt::format("{} points", count), "at most 100000 points");
    for (long long i = 0; i < count; ++i) {
      // 12 significant digits: 0.1 steps give 0.3, not 0.30000000000000004.
      values.emplace_back(fmt::format("{:.12g}", from + static_cast<double>(i) * step));
    }
  } else {
    node.fail(node.describe_found(), "a list of values or a range {from, to, step}");
  }
  if (values.empty()) node.fail("an empty list", "at least one value");
  return values;
}

// A key part as an index into a list of `size` elements, or `size` when it is not one.
std::size_t list_index(const std::string& part, std::size_t size) {
  try {
    std::size_t used = 0;
    const std::size_t index = std::stoul(part, &used);
    return used == part.size() && index < size ? index : size;
  } catch (const std::exception&) {
    return size;
  }
}

}  // namespace

std::string Sweep::text(const YAML::Node& value) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << value;
  return out.c_str();
}

double Sweep::number(const YAML::Node& value) {
  if (!value.IsScalar()) return std::numeric_limits<double>::quiet_NaN();
  try {
    std::size_t used = 0;
    const double x = std::stod(value.Scalar(), &used);
    return used == value.Scalar().size() ? x : std::numeric_limits<double>::quiet_NaN();
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

std::optional<Sweep> read_sweep(const ConfigNode& root) {
  const auto section = root.find("sweep");
  if (!section) return std::nullopt;
  if (!section->is_map()) section->fail(section->describe_found(), "a map from config keys to values");
  Sweep sweep;
  std::vector<std::vector<YAML::Node>> values;
  for (const auto& key : section->keys()) {
    const ConfigNode node = section->at(key);
    if (key == "sweep" || key.starts_with("sweep.") || key == "seed" || key == "draws" || key == "chunk_size")
      node.fail(fmt::format("'{}'", excerpt(key)), "a key that changes the experiment but not its draws (not seed, draws, "
                                            "chunk_size or sweep)");
    sweep.keys.push_back(key);
    values.push_back(sweep_values(node));
  }
  if (sweep.keys.empty()) section->fail("no keys", "at least one key to sweep");
  // The grid, first key slowest.
  std::size_t total = 1;
  for (const auto& v : values) total *= v.size();
  if (total > 100000) section->fail(fmt::format("{} points", total), "at most 100000 points");
  for (std::size_t p = 0; p < total; ++p) {
    SweepPoint point;
    std::size_t rest = p;
    std::vector<std::size_t> index(values.size());
    for (std::size_t k = values.size(); k-- > 0;) {
      index[k] = rest % values[k].size();
      rest /= values[k].size();
    }
    for (std::size_t k = 0; k < values.size(); ++k) point.emplace_back(sweep.keys[k], values[k][index[k]]);
    sweep.points.push_back(std::move(point));
  }
  return sweep;
}

void apply_point(YAML::Node root, const SweepPoint& point, const std::string& source) {
  for (const auto& [key, value] : point) {
    const auto parts = split_key(key);
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      const YAML::Node& current = node;  // const lookups never create keys
      YAML::Node next;
      if (current.IsSequence()) {
        const std::size_t index = list_index(parts[i], current.size());
        if (index < current.size()) next = current[index];
      } else if (current.IsMap()) {
        // Search rather than index: indexing a missing key gives an unusable "zombie" node.
        for (const auto& entry : current)
          if (entry.first.IsScalar() && entry.first.Scalar() == parts[i]) next = entry.second;
      }
      if (!next.IsDefined() || next.IsNull() || next.IsScalar())
        throw ConfigError(fmt::format("{}: sweep key '{}': the config has no map or list at '{}'", source, key,
                                      fmt::join(parts.begin(), parts.begin() + static_cast<long>(i) + 1, ".")));
      node.reset(next);
    }
    if (node.IsSequence()) {
      const std::size_t index = list_index(parts.back(), node.size());
      if (index >= node.size())
        throw ConfigError(fmt::format("{}: sweep key '{}': no element {} in that list", source, key, parts.back()));
      node[index] = YAML::Clone(value);
    } else {
      node[parts.back()] = YAML::Clone(value);
    }
  }
}

}  // namespace deterrence
