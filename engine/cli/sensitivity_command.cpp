#include "cli/sensitivity_command.h"

#include <fmt/format.h>

#include <filesystem>

#include "config/config_error.h"
#include "config/experiment.h"
#include "io/h5.h"
#include "io/results_writer.h"
#include "run/progress.h"
#include "run/runner.h"
#include "sensitivity/saltelli.h"

namespace deterrence {

namespace fs = std::filesystem;

int sensitivity_command(const SensitivityCommandOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = iso_time_now();
  Experiment experiment;
  SensitivityGroups groups;
  std::vector<SensitivityTarget> targets;
  std::vector<const OutputSpec*> chosen;
  try {
    experiment = load_experiment(options.config);
    if (options.seed) experiment.seed = *options.seed;
    const OutputLayout& layout = experiment.model->outputs();
    if (options.outputs.empty()) {
      for (const auto& spec : layout.specs())
        if (spec.sensitivity) chosen.push_back(&spec);
    } else {
      for (const auto& name : options.outputs) {
        const OutputSpec* spec = layout.find(name);
        if (!spec || spec->kind != OutputKind::real) {
          std::string names;
          for (const auto& s : layout.specs())
            if (s.kind == OutputKind::real) names += (names.empty() ? "" : ", ") + s.name;
          throw std::invalid_argument(fmt::format("--outputs: '{}' is not a real output of model {}; choose from: {}",
                                                  name, experiment.model_name, names));
        }
        chosen.push_back(spec);
      }
    }
    if (chosen.empty()) throw std::invalid_argument("no outputs to analyse: name some with --outputs");
    for (const OutputSpec* spec : chosen)
      for (std::size_t e = 0; e < spec->size; ++e) targets.push_back({spec->name, e, spec->offset + e});
    const auto& space = experiment.model->parameters();
    bool labelled = false;
    for (const auto& p : space.parameters()) labelled = labelled || !p.group.empty();
    groups = make_groups(space, options.by_parameter || !labelled);

  } catch (const ConfigError& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  } catch (const std::invalid_argument& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 2;
  }
  const std::string out =
      options.out.empty() ? fs::path(options.config).stem().string() + ".sensitivity.h5" : options.out;
  try {
    ResultsWriter writer(out, options.force);
    SaltelliSettings settings;
    settings.rows = options.rows;
    settings.seed = experiment.seed;
    settings.chunk_size = experiment.chunk_size;
    settings.threads = effective_threads(options.threads);
    settings.bootstrap = options.bootstrap;
    if (!options.quiet)
      fmt::print(stderr, "sensitivity: {} rows x ({} groups + 2) = {} evaluations, {} output elements\n", options.rows,
                 groups.names.size(), options.rows * (groups.names.size() + 2), targets.size());
    RunStatistics a_rows(experiment.model->outputs());
    Progress progress(Progress::detect(options.quiet), options.rows);
    const SaltelliResult result = run_saltelli(*experiment.model, groups, targets, settings, a_rows, &progress);

    RunInfo info;
    info.threads = settings.threads;
    info.draw_count = options.rows;
    info.total_draws = options.rows;
    info.chunk_first = 0;
    info.chunk_end = (options.rows + experiment.chunk_size - 1) / experiment.chunk_size;
    info.start_time = start_time;
    info.end_time = iso_time_now();
    info.timings.sampling_and_model_seconds = result.seconds;
    info.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writer.write_results(experiment, a_rows, info);  // /outputs: the A rows, a plain run of N draws
    {
      h5::Handle root = h5::create_group(writer.file(), "sensitivity");
      h5::write_attribute(root, "design", std::string("saltelli"));
      h5::write_attribute(root, "estimators", std::string("first order: Saltelli (2010); total: Jansen (1999)"));
      h5::write_attribute(root, "rows", options.rows);
      h5::write_attribute(root, "evaluations", options.rows * (groups.names.size() + 2));
      h5::write_attribute(root, "bootstrap", static_cast<std::uint64_t>(options.bootstrap));
      h5::write_attribute(root, "interval", std::string("95% Poisson-bootstrap percentile interval over rows"));
      h5::write_attribute(root, "grouping", std::string(options.by_parameter ? "parameter" : "group"));
      h5::write_strings(root, "groups", groups.names);
      std::vector<std::string> members;
      const auto& parameters = experiment.model->parameters().parameters();
      for (const auto& m : groups.members)
        members.push_back(m.size() == 1 ? parameters[m.front()].name : fmt::format("{} parameters", m.size()));
      h5::write_strings(root, "group_members", members);
      std::size_t t = 0;
      for (const OutputSpec* spec : chosen) {
        h5::Handle group = h5::create_group(root, spec->name);
        std::vector<std::string> dims;
        std::vector<hsize_t> shape;
        for (const auto& d : spec->dims) {
          dims.push_back(d.name);
          shape.push_back(d.labels.size());
        }
        h5::write_attribute(group, "dims", dims);
        shape.push_back(groups.names.size());
        std::vector<double> s1, s1_low, s1_high, st, st_low, st_high, mean, variance;
        std::vector<std::uint64_t> used;
        for (std::size_t e = 0; e < spec->size; ++e, ++t) {
          for (std::size_t g = 0; g < groups.names.size(); ++g) {
            s1.push_back(result.first_order[t][g].value);
            s1_low.push_back(result.first_order[t][g].low);
            s1_high.push_back(result.first_order[t][g].high);
            st.push_back(result.total[t][g].value);
            st_low.push_back(result.total[t][g].low);
            st_high.push_back(result.total[t][g].high);
          }
          mean.push_back(result.mean[t]);
          variance.push_back(result.variance[t]);
          used.push_back(result.rows_used[t]);
        }
        h5::write_doubles(group, "first_order", s1, shape);
        h5::write_doubles(group, "first_order_low", s1_low, shape);
        h5::write_doubles(group, "first_order_high", s1_high, shape);
        h5::write_doubles(group, "total", st, shape);
        h5::write_doubles(group, "total_low", st_low, shape);
        h5::write_doubles(group, "total_high", st_high, shape);
        shape.pop_back();
        h5::write_doubles(group, "mean", mean, shape);
        h5::write_doubles(group, "variance", variance, shape);
        h5::write_u64(group, "rows_used", used, shape);
      }
    }
    writer.commit();
    if (!options.quiet) fmt::print(stderr, "wrote {}\n", out);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
}

}  // namespace deterrence
