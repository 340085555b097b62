#include "sensitivity/saltelli.h"

#include "run/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>

#include "run/parallel_chunks.h"
#include "sampling/counter_rng.h"
#include "sampling/sampler.h"
#include "stats/exact_sum.h"

namespace deterrence {

namespace {

// The name of a copula's group when indices are per parameter: the members' names with the
// parts that differ replaced by '*' ("salience.*.taiwan"), or the first name and a count.
std::string copula_group_name(const ParameterSpace& space, const std::vector<std::size_t>& members) {
  const auto split = [](const std::string& name) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1)
      parts.push_back(name.substr(start, dot - start));
    parts.push_back(name.substr(start));
    return parts;
  };
  const auto listed = [&] {  // "x1+x2", or the first name and a count
    if (members.size() > 4)
      return fmt::format("{} and {} correlated", space.parameters()[members.front()].name, members.size() - 1);
    std::string names;
    for (std::size_t m : members) {
      if (!names.empty()) names += '+';
      names += space.parameters()[m].name;
    }
    return names;
  };
  std::vector<std::string> pattern = split(space.parameters()[members.front()].name);
  bool shared = false;  // some part common to all: the pattern names the set
  for (std::size_t m : members) {
    const auto parts = split(space.parameters()[m].name);
    if (parts.size() != pattern.size()) return listed();
    for (std::size_t k = 0; k < parts.size(); ++k)
      if (parts[k] != pattern[k]) pattern[k].assign(1, '*');
  }
  std::string name;
  for (const auto& part : pattern) {
    if (!name.empty()) name += '.';
    name += part;
    shared = shared || part != "*";
  }
  return shared ? name : listed();
}

}  // namespace

SensitivityGroups make_groups(const ParameterSpace& space, bool by_parameter) {
  SensitivityGroups groups;
  const auto& parameters = space.parameters();
  std::vector<std::size_t> group_of(parameters.size());
  std::map<std::string, std::size_t> index;
  // Per parameter, parameters tied by a copula form one group (indices of dependent inputs are
  // defined only for the set): named by their common pattern.
  std::vector<std::string> copula_name(parameters.size());
  if (by_parameter)
    for (const auto& copula : space.copulas()) {
      const std::string name = copula_group_name(space, copula.members);
      for (std::size_t m : copula.members) copula_name[m] = name;
    }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string name = by_parameter ? (copula_name[i].empty() ? parameters[i].name : copula_name[i])
                                          : (parameters[i].group.empty() ? "other" : parameters[i].group);
    auto [it, fresh] = index.emplace(name, groups.names.size());
    if (fresh) {
      groups.names.push_back(name);
      groups.members.emplace_back();
    }
    groups.members[it->second].push_back(i);
    group_of[i] = it->second;
  }
  for (const auto& copula : space.copulas())
    for (std::size_t m : copula.members)
      if (group_of[m] != group_of[copula.members.front()])
        throw std::invalid_argument(fmt::format(
            "correlated parameters {} and {} are in different sensitivity groups ({}, {}); indices of dependent "
            "inputs are not defined: group them together",
            parameters[copula.members.front()].name, parameters[m].name, groups.names[group_of[copula.members.front()]],
            groups.names[group_of[m]]));
  return groups;
}

namespace {

// Per target and bootstrap replicate: n, ΣfA, ΣfB, ΣfA², ΣfB², then per group
// Σ fB·(fABg − fA) and Σ (fA − fABg)².
constexpr std::size_t kBase = 5;

// Poisson(1) weight from a uniform: the bootstrap resamples rows without storing them.
int poisson_one(double u) {
  static constexpr double kCdf[] = {0.36787944117144233, 0.7357588823428847, 0.9196986029286058,
                                    0.9810118431238462,  0.9963401531726563, 0.9994058151824183,
                                    0.9999167588507119,  0.9999898508953403, 0.9999989620484953};
  int k = 0;
  while (k < 9 && u > kCdf[k]) ++k;
  return k;
}

struct Slot {
  Slot(const Model& model, const Sampler& sampler, std::size_t width)
      : statistics(model.outputs()), scratch(sampler.make_scratch()), workspace(model.make_workspace()),
        a(model.parameters().size()), b(model.parameters().size()), mix(model.parameters().size()),
        values(model.parameters().size()), reals(model.outputs().real_slots()), codes(model.outputs().code_slots()),
        sums(width) {}
  ChunkStatistics statistics;
  Sampler::Scratch scratch;
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> a, b, mix, values, reals;
  std::vector<std::uint8_t> codes;
  std::vector<double> sums;
  std::vector<double> f_a, f_b, f_ab;  // per target; f_ab per group x target
  std::vector<int> weights;
};

}  // namespace

void accumulate_saltelli(const Model& model, const SensitivityGroups& groups,
                         const std::vector<SensitivityTarget>& targets, const SaltelliSettings& settings,
                         std::vector<ExactSum>& totals, RunStatistics& a_statistics, Progress* progress) {
  const std::size_t G = groups.names.size(), T = targets.size();
  const std::size_t R = static_cast<std::size_t>(settings.bootstrap) + 1;  // replicate 0: the estimate itself
  const std::size_t fields = kBase + 2 * G;
  const std::size_t width = T * R * fields;
  if (totals.size() != width) throw std::invalid_argument("sensitivity sums of the wrong shape");
  const Sampler sampler(model.parameters(), settings.seed);
  // B's inputs and the bootstrap weights come from their own keys, independent of A's.
  const CounterRng b_rng(settings.seed ^ 0x9E3779B97F4A7C15ULL);
  const CounterRng weight_rng(settings.seed ^ 0xD1B54A32D192ED03ULL);
  ChunkPlan plan;
  plan.first_draw = settings.first_row;
  plan.draw_count = settings.rows;
  plan.chunk_size = settings.chunk_size;
  plan.threads = settings.threads;
  std::uint64_t done = 0;
  const auto evaluate = [&](Slot& s, std::span<double> uniforms, std::vector<double>& out, std::size_t offset) {
    sampler.transform(uniforms, s.values, s.scratch);
    DrawOutputs outputs{s.reals, s.codes};
    model.evaluate(s.values, s.workspace.get(), outputs);
    for (std::size_t t = 0; t < T; ++t) out[offset + t] = s.reals[targets[t].slot];
    return outputs;
  };
  parallel_chunks(
      plan, [&] { return std::make_unique<Slot>(model, sampler, width); },
      [&](Slot& s, std::uint64_t first, std::uint64_t rows) {
        s.statistics.reset();
        std::fill(s.sums.begin(), s.sums.end(), 0.0);
        s.f_a.resize(T);
        s.f_b.resize(T);
        s.f_ab.resize(G * T);
        s.weights.resize(R);
        for (std::uint64_t j = first; j < first + rows; ++j) {
          sampler.draw_uniforms(j, s.a, sampler.rng());
          sampler.draw_uniforms(j, s.b, b_rng);
          s.mix = s.a;
          {
            const DrawOutputs outputs = evaluate(s, s.mix, s.f_a, 0);
            // The A rows are a plain run's draws; a value that is no result stops the analysis.
            if (const std::size_t bad = s.statistics.add(outputs); bad != ChunkStatistics::npos)
              throw NumericalFailure(fmt::format("numerical failure: design row {} gave {} = {} (no result)", j,
                                                 model.outputs().real_slot_label(bad), outputs.reals[bad]));
          }
          s.mix = s.b;
          evaluate(s, s.mix, s.f_b, 0);
          for (std::size_t g = 0; g < G; ++g) {
            s.mix = s.a;
            for (std::size_t p : groups.members[g]) s.mix[p] = s.b[p];
            evaluate(s, s.mix, s.f_ab, g * T);
          }
          s.weights[0] = 1;
          for (std::size_t r = 1; r < R; ++r) s.weights[r] = poisson_one(weight_rng.uniform(j, r));
          for (std::size_t t = 0; t < T; ++t) {
            const double fa = s.f_a[t], fb = s.f_b[t];
            bool finite = std::isfinite(fa) && std::isfinite(fb);
            for (std::size_t g = 0; g < G && finite; ++g) finite = std::isfinite(s.f_ab[g * T + t]);
            if (!finite) continue;  // an output that does not apply in this row
            for (std::size_t r = 0; r < R; ++r) {
              const double w = s.weights[r];
              if (w == 0) continue;
              double* f = s.sums.data() + (t * R + r) * fields;
              f[0] += w;
              f[1] += w * fa;
              f[2] += w * fb;
              f[3] += w * fa * fa;
              f[4] += w * fb * fb;
              for (std::size_t g = 0; g < G; ++g) {
                const double fab = s.f_ab[g * T + t];
                f[kBase + 2 * g] += w * fb * (fab - fa);
                f[kBase + 2 * g + 1] += w * (fa - fab) * (fa - fab);
              }
            }
          }
        }
      },
      [&](Slot& s, std::uint64_t, std::uint64_t rows) {
        a_statistics.fold(s.statistics);
        for (std::size_t k = 0; k < width; ++k)
          if (s.sums[k] != 0.0) totals[k].add(s.sums[k]);
        done += rows;
        if (progress) progress->update(done);
        return true;
      },
      [](std::uint64_t) {});
  if (progress) progress->finish(done);
}

SaltelliResult estimate_saltelli(const std::vector<ExactSum>& totals, const SaltelliShape& shape) {
  const std::size_t T = shape.targets, G = shape.groups, R = shape.replicates, fields = shape.fields();
  SaltelliResult result;
  result.first_order.assign(T, std::vector<IndexEstimate>(G));
  result.total.assign(T, std::vector<IndexEstimate>(G));
  result.mean.assign(T, std::nan(""));
  result.variance.assign(T, std::nan(""));
  result.rows_used.assign(T, 0);
  std::vector<double> first(R), total(R);
  const auto percentile = [](std::vector<double> v, double q) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t g = 0; g < G; ++g) {
      for (std::size_t r = 0; r < R; ++r) {
        const ExactSum* f = totals.data() + (t * R + r) * fields;
        const long double n = f[0].value_long();
        const long double mean = (f[1].value_long() + f[2].value_long()) / (2 * n);
        const long double variance = (f[3].value_long() + f[4].value_long()) / (2 * n) - mean * mean;
        first[r] = static_cast<double>(f[kBase + 2 * g].value_long() / n / variance);
        total[r] = static_cast<double>(f[kBase + 2 * g + 1].value_long() / (2 * n) / variance);
        if (r == 0 && g == 0) {
          result.mean[t] = static_cast<double>(mean);
          result.variance[t] = static_cast<double>(variance);
          result.rows_used[t] = static_cast<std::uint64_t>(n);
        }
      }
      const std::vector<double> boot_first(first.begin() + 1, first.end()), boot_total(total.begin() + 1, total.end());
      result.first_order[t][g] = {first[0], percentile(boot_first, 0.025), percentile(boot_first, 0.975)};
      result.total[t][g] = {total[0], percentile(boot_total, 0.025), percentile(boot_total, 0.975)};
    }
  }
  return result;
}

}  // namespace deterrence
