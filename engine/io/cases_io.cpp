#include "io/cases_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace deterrence {

namespace {

// Text forms: classes "COERCED=CAPITULATION+RESISTED;WITHDRAWN=DETERRED", observed
// "CAPITULATION:0.5;RESISTED:0.5" (weights with 17 significant digits: exact round trip).
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

void write_cases(hid_t file, const std::vector<CaseSpec>& cases, const std::vector<std::string>& categories) {
  if (cases.empty()) return;
  h5::Handle group = h5::create_group(file, "cases");
  std::vector<std::string> id, name, year, source, output, condition, classes, observed, features;
  std::vector<std::uint64_t> element;
  for (const auto& c : cases) {
    id.push_back(c.id);
    name.push_back(c.name);
    year.push_back(c.year);
    source.push_back(c.source);
    output.push_back(c.output);
    element.push_back(c.element);
    condition.push_back(c.condition);
    std::string cls, obs;
    for (const auto& k : c.classes) {
      cls += (cls.empty() ? "" : ";") + k.label + "=";
      for (std::size_t j = 0; j < k.categories.size(); ++j) cls += (j ? "+" : "") + categories.at(k.categories[j]);
    }
    for (const auto& o : c.observed) obs += fmt::format("{}{}:{:.17g}", obs.empty() ? "" : ";", o.label, o.weight);
    classes.push_back(cls);
    observed.push_back(obs);
    std::string feature_text;
    for (const auto& [key, value] : c.features) feature_text += (feature_text.empty() ? "" : ";") + key + "=" + value;
    features.push_back(feature_text);
  }
  h5::write_strings(group, "id", id);
  h5::write_strings(group, "name", name);
  h5::write_strings(group, "year", year);
  h5::write_strings(group, "source", source);
  h5::write_strings(group, "output", output);
  h5::write_u64(group, "element", element, {element.size()});
  h5::write_strings(group, "condition", condition);
  h5::write_strings(group, "classes", classes);
  h5::write_strings(group, "observed", observed);
  h5::write_strings(group, "features", features);  // "act=one_off;issue=human_rights;stance=chosen"
}

std::vector<CaseSpec> read_cases(hid_t file, const std::vector<std::string>& categories) {
  std::vector<CaseSpec> cases;
  if (!h5::exists(file, "cases")) return cases;
  h5::Handle group = h5::open_group(file, "cases");
  const auto id = h5::read_strings(group, "id");
  const auto name = h5::read_strings(group, "name"), year = h5::read_strings(group, "year"),
             source = h5::read_strings(group, "source"), output = h5::read_strings(group, "output"),
             condition = h5::read_strings(group, "condition"), classes = h5::read_strings(group, "classes"),
             observed = h5::read_strings(group, "observed");
  const auto element = h5::read_u64(group, "element");
  // Older files have no features column: their cases carry none.
  const auto features = h5::exists(group, "features") ? h5::read_strings(group, "features") : std::vector<std::string>(id.size());
  const std::size_t n = id.size();
  for (const auto* column : {&name, &year, &source, &output, &condition, &classes, &observed})
    if (column->size() != n) throw h5::Error("/cases: its columns differ in length");
  if (element.size() != n || features.size() != n) throw h5::Error("/cases: its columns differ in length");
  for (std::size_t i = 0; i < n; ++i) {
    CaseSpec c{id[i], name[i], year[i], source[i], output[i], element[i], condition[i], {}, {}, {}};
    if (!features[i].empty())
      for (const auto& part : split(features[i], ';')) {
        const auto eq = part.find('=');
        if (eq == std::string::npos) throw h5::Error(fmt::format("/cases/features of {}: malformed", c.id));
        c.features.emplace_back(part.substr(0, eq), part.substr(eq + 1));
      }
    for (const auto& part : split(classes[i], ';')) {
      const auto eq = part.find('=');
      if (eq == std::string::npos) throw h5::Error(fmt::format("/cases/classes of {}: malformed", c.id));
      CaseClass k{part.substr(0, eq), {}};
      for (const auto& member : split(part.substr(eq + 1), '+')) {
        const auto it = std::find(categories.begin(), categories.end(), member);
        if (it == categories.end()) throw h5::Error(fmt::format("/cases/classes of {}: unknown category", c.id));
        k.categories.push_back(static_cast<std::size_t>(it - categories.begin()));
      }
      c.classes.push_back(std::move(k));
    }
    for (const auto& part : split(observed[i], ';')) {
      const auto colon = part.rfind(':');
      if (colon == std::string::npos) throw h5::Error(fmt::format("/cases/observed of {}: malformed", c.id));
      ObservedOutcome o{part.substr(0, colon), 0.0};
      try {
        o.weight = std::stod(part.substr(colon + 1));
      } catch (const std::exception&) {
        throw h5::Error(fmt::format("/cases/observed of {}: malformed weight", c.id));
      }
      const bool known = std::any_of(c.classes.begin(), c.classes.end(), [&](const auto& k) { return k.label == o.label; });
      if (!known || !(o.weight > 0.0 && o.weight <= 1.0))
        throw h5::Error(fmt::format("/cases/observed of {}: not one of its classes with a weight in (0, 1]", c.id));
      c.observed.push_back(std::move(o));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace deterrence
