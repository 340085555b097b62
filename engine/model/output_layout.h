#pragma once
// What a model reports per draw. An output is real (one number per draw, or NaN when it does
// not apply) or categorical (one category code per draw), and may be an array over named
// dimensions (e.g. policy x episode). The engine keeps statistics for every element and knows
// nothing else about the model.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace deterrence {

enum class OutputKind { real, categorical };

struct Dimension {
  std::string name;
  std::vector<std::string> labels;
};

struct OutputSpec {
  std::string name;
  std::string description;
  OutputKind kind = OutputKind::real;
  std::vector<Dimension> dims;
  std::vector<std::string> categories;  // categorical only
  bool quantiles = false;               // real only: keep a quantile sketch per element
  bool record = false;                  // categorical only: eligible for per-draw records
  bool sensitivity = false;             // real only: analysed by `deterrence sensitivity` by default
  std::string units;                    // real only: CF-style units ("USD bn per episode", "1")
  bool aggregate = false;               // real only: a compact per-draw summary (records.aggregates)
  bool may_not_apply = false;           // real only: NaN means "does not apply to this draw";
                                        // otherwise a non-finite value is a numerical failure
  std::size_t offset = 0;               // first slot in DrawOutputs::reals or ::codes
  std::size_t size = 1;                 // number of elements (product of dims)

  // "status_quo/JPN:taiwan": the labels of an element (row-major over dims); "" for a scalar.
  std::string element_label(std::size_t element) const;
};

class OutputLayout {
 public:
  // Each returns the output's offset in DrawOutputs::reals (or ::codes).
  std::size_t add_real(std::string name, std::string description, std::vector<Dimension> dims,
                             bool quantiles);
  std::size_t add_categorical(std::string name, std::string description,
                                    std::vector<Dimension> dims, std::vector<std::string> categories,
                                    bool record);

  const std::vector<OutputSpec>& specs() const { return specs_; }
  const OutputSpec* find(const std::string& name) const;
  // Marks a real output as a default target of sensitivity analysis.
  void set_sensitivity(const std::string& name);
  // Marks a real output whose NaN means "does not apply" (not counted); any other non-finite
  // value of any real output stops the run as a numerical failure.
  void set_may_not_apply(const std::string& name);
  // The units of a real output's values, written as the CF "units" attribute.
  void set_units(const std::string& name, const std::string& units);
  // Marks a real output as a per-draw aggregate: recorded per draw by `records.aggregates`.
  void set_aggregate(const std::string& name);
  std::size_t aggregate_real_slots() const;
  // The output and element label of a real slot, for messages.
  std::string real_slot_label(std::size_t slot) const;
  std::size_t real_slots() const { return real_slots_; }
  std::size_t code_slots() const { return code_slots_; }
  std::size_t recorded_code_slots() const;

 private:
  std::vector<OutputSpec> specs_;
  std::size_t real_slots_ = 0;
  std::size_t code_slots_ = 0;
};

// Where a model writes one draw's results: reals[spec.offset + element], codes[...] likewise.
struct DrawOutputs {
  std::span<double> reals;
  std::span<std::uint8_t> codes;
};

// Where a model writes the results of `lanes` draws evaluated together (Model::evaluate_batch):
// slot k of draw b at reals[k · lanes + b] (codes likewise), so a value computed for every lane
// at once is stored as one run, and the statistics add each slot's draws in turn.
struct BatchOutputs {
  std::span<double> reals;         // real slots × lanes
  std::span<std::uint8_t> codes;   // code slots × lanes
  std::size_t lanes = 1;
  double& real(std::size_t slot, std::size_t draw) const { return reals[slot * lanes + draw]; }
  std::uint8_t& code(std::size_t slot, std::size_t draw) const { return codes[slot * lanes + draw]; }
};

}  // namespace deterrence
