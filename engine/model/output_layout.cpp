#include "model/output_layout.h"

#include <stdexcept>

namespace deterrence {

namespace {
std::size_t element_count(const std::vector<Dimension>& dims) {
  std::size_t n = 1;
  for (const auto& d : dims) n *= d.labels.size();
  return n;
}
}  // namespace

std::size_t OutputLayout::add_real(std::string name, std::string description,
                                         std::vector<Dimension> dims, bool quantiles) {
  if (find(name)) throw std::logic_error("output '" + name + "' declared twice");
  OutputSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.kind = OutputKind::real;
  spec.dims = std::move(dims);
  spec.quantiles = quantiles;
  spec.size = element_count(spec.dims);
  spec.offset = real_slots_;
  real_slots_ += spec.size;
  specs_.push_back(std::move(spec));
  return specs_.back().offset;
}

std::size_t OutputLayout::add_categorical(std::string name, std::string description,
                                                std::vector<Dimension> dims,
                                                std::vector<std::string> categories, bool record) {
  if (find(name)) throw std::logic_error("output '" + name + "' declared twice");
  if (categories.empty() || categories.size() > 255)
    throw std::logic_error("output '" + name + "' needs 1 to 255 categories");
  OutputSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.kind = OutputKind::categorical;
  spec.dims = std::move(dims);
  spec.categories = std::move(categories);
  spec.record = record;
  spec.size = element_count(spec.dims);
  spec.offset = code_slots_;
  code_slots_ += spec.size;
  specs_.push_back(std::move(spec));
  return specs_.back().offset;
}

std::string OutputSpec::element_label(std::size_t element) const {
  std::string label;
  std::size_t stride = size;
  for (const auto& d : dims) {
    stride /= d.labels.size();
    label += (label.empty() ? "" : "/") + d.labels[(element / stride) % d.labels.size()];
  }
  return label;
}

void OutputLayout::set_sensitivity(const std::string& name) {
  for (auto& spec : specs_)
    if (spec.name == name && spec.kind == OutputKind::real) spec.sensitivity = true;
}

const OutputSpec* OutputLayout::find(const std::string& name) const {
  for (const auto& spec : specs_)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::size_t OutputLayout::recorded_code_slots() const {
  std::size_t n = 0;
  for (const auto& spec : specs_)
    if (spec.kind == OutputKind::categorical && spec.record) n += spec.size;
  return n;
}

void OutputLayout::set_may_not_apply(const std::string& name) {
  for (auto& spec : specs_)
    if (spec.name == name && spec.kind == OutputKind::real) spec.may_not_apply = true;
}

void OutputLayout::set_aggregate(const std::string& name) {
  for (auto& spec : specs_)
    if (spec.name == name && spec.kind == OutputKind::real) spec.aggregate = true;
}

std::size_t OutputLayout::aggregate_real_slots() const {
  std::size_t n = 0;
  for (const auto& spec : specs_)
    if (spec.kind == OutputKind::real && spec.aggregate) n += spec.size;
  return n;
}

void OutputLayout::set_units(const std::string& name, const std::string& units) {
  for (auto& spec : specs_)
    if (spec.name == name && spec.kind == OutputKind::real) spec.units = units;
}

std::string OutputLayout::real_slot_label(std::size_t slot) const {
  for (const auto& spec : specs_)
    if (spec.kind == OutputKind::real && slot >= spec.offset && slot < spec.offset + spec.size) {
      const std::string element = spec.element_label(slot - spec.offset);
      return element.empty() ? spec.name : spec.name + "/" + element;
    }
  return "?";
}

}  // namespace deterrence
