// `nascpp query BENCHMARK`: look an architecture up in a tabular benchmark, or
// find the benchmark's best architecture for a metric.
#include <algorithm>
#include <iostream>
#include <optional>

#include "commands.h"
#include "nascpp/registries.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct QueryArgs {
  std::string benchmark;
  std::string arch;
  bool best = false;
  std::string dataset;
  std::string metric;
  std::string data_dir;
  std::string spec;      // nasbench101: matrix and ops
  std::string hash;      // nasbench101: graph hash
  std::string tfrecord;  // nasbench101: nasbench_only108.tfrecord
  bool all = false;      // also metrics without a value
};

std::string format_value(const std::optional<double>& v) {
  return v ? fmt::format("{}", *v) : std::string("n/a");
}

void check_dataset(const Benchmark& bench, const std::string& dataset) {
  const auto valid = bench.datasets();
  if (std::find(valid.begin(), valid.end(), dataset) == valid.end()) {
    throw ConfigError(unknown_choice_message("dataset", dataset, valid));
  }
}

// A benchmark-specific name (an NB201 index or op code, an NB101 hash) or
// the space's text form.
Architecture parse_arch(const std::string& text, const SearchSpace& space, const Benchmark& bench) {
  if (auto arch = bench.lookup(text)) return *arch;
  return space.parse(text);
}

void print_architecture(const Architecture& arch, const SearchSpace& space,
                        const Benchmark& bench) {
  std::cout << "architecture: " << space.format(arch) << "\n";
  for (const auto& [key, value] : bench.identifiers(arch)) {
    std::cout << key << ": " << value << "\n";
  }
}

// The metrics of `dataset` (or only `only`), one per line; metrics without a
// value for this architecture only with `all` (as n/a).
void print_metrics(const Architecture& arch, const Benchmark& bench, const std::string& dataset,
                   const std::string& only, bool all) {
  const auto metrics = bench.metrics(dataset);
  if (!only.empty() && std::find(metrics.begin(), metrics.end(), only) == metrics.end()) {
    throw ConfigError(
        unknown_choice_message("metric for dataset '" + dataset + "'", only, metrics));
  }
  std::cout << dataset << ":\n";
  int missing = 0;
  for (const auto& metric : metrics) {
    if (!only.empty() && metric != only) continue;
    const auto v = bench.query(arch, metric, dataset);
    if (!v && !all && only.empty()) {
      ++missing;
      continue;
    }
    std::cout << "  " << metric << ": " << format_value(v) << "\n";
  }
  if (missing > 0) {
    std::cout << "  (" << missing << " more metrics have no value for this architecture; --all "
                                    "lists them)\n";
  }
}

void run_query(const QueryArgs& args) {
  ConfigNode cfg;
  cfg.apply_override("data_dir=" + args.data_dir);
  if (!args.tfrecord.empty()) cfg.apply_override("tfrecord=" + args.tfrecord);
  const bool nb101 = args.benchmark == "nasbench101";
  NASCPP_CHECK_CONFIG(nb101 || (args.spec.empty() && args.hash.empty() && args.tfrecord.empty()),
                      "--spec, --hash and --tfrecord are options of the nasbench101 benchmark, not "
                      "of '{}'",
                      args.benchmark);
  auto bench = benchmark_registry().create(args.benchmark, cfg);
  ConfigNode space_cfg;
  auto space = search_space_registry().create(bench->search_space(), space_cfg);
  std::vector<std::string> datasets = bench->datasets();
  if (!args.dataset.empty()) {
    check_dataset(*bench, args.dataset);
    datasets = {args.dataset};
  }

  if (args.best) {
    NASCPP_CHECK_CONFIG(!args.dataset.empty(), "--best needs --dataset (one of: {})",
                        join(bench->datasets()));
    std::string metric = args.metric;
    if (metric.empty()) {
      metric = bench->default_metric(args.dataset);
      std::cout << "metric: " << metric << " (the default of " << args.dataset
                << "; --metric chooses another)\n";
    }
    const auto best = bench->best_architecture(args.dataset, metric);
    print_architecture(best.arch, *space, *bench);
    std::cout << "best " << metric << " on " << args.dataset << ": " << best.value << "\n";
    print_metrics(best.arch, *bench, args.dataset, "", args.all);
    return;
  }

  if (nb101) {
    const int given = !args.arch.empty() + !args.spec.empty() + !args.hash.empty();
    NASCPP_CHECK_CONFIG(given == 1,
                        "query nasbench101 needs exactly one of --spec '<matrix>|<ops>' (or "
                        "--arch), --hash <32 hex digits>; got {}",
                        given);
  }
  if (!args.hash.empty()) {
    NASCPP_CHECK_CONFIG(args.hash.size() == 32 &&
                            args.hash.find_first_not_of("0123456789abcdefABCDEF") ==
                                std::string::npos,
                        "--hash '{}' is not a graph hash (32 hex digits)", args.hash);
    const auto arch = bench->lookup(args.hash);
    NASCPP_CHECK_CONFIG(arch.has_value(), "NAS-Bench-101 hash '{}' is not in the benchmark table",
                        args.hash);
    print_architecture(*arch, *space, *bench);
    for (const auto& dataset : datasets) print_metrics(*arch, *bench, dataset, args.metric, args.all);
    return;
  }
  const std::string text = args.spec.empty() ? args.arch : args.spec;
  NASCPP_CHECK_CONFIG(!text.empty(), "query needs --arch <arch string|index|op code> or --best");
  const Architecture arch = parse_arch(text, *space, *bench);
  print_architecture(arch, *space, *bench);
  for (const auto& dataset : datasets) print_metrics(arch, *bench, dataset, args.metric, args.all);
}

}  // namespace

void add_query_command(CLI::App& app) {
  auto args = std::make_shared<QueryArgs>();
  auto* cmd = app.add_subcommand("query", "Look an architecture up in a tabular benchmark");
  cmd->add_option("benchmark", args->benchmark, "benchmark name (see `nascpp list benchmarks`)")
      ->required()
      ->check(non_empty());
  cmd->add_option("--arch", args->arch,
                  "architecture: the space's text form, or for nasbench201 an index (0-15624) "
                  "or a 6-digit op code")
      ->check(non_empty());
  cmd->add_flag("--best", args->best, "print the best architecture for --metric on --dataset");
  cmd->add_option("--dataset", args->dataset, "only this dataset")->check(non_empty());
  cmd->add_option("--metric", args->metric,
                  "only this metric (with --best: the dataset's accuracy metric by default)")
      ->check(non_empty());
  cmd->add_flag("--all", args->all, "also list the metrics without a value for the architecture");
  cmd->add_option("--data-dir", args->data_dir, "benchmark data directory (default: $NASCPP_DATA)")
      ->check(non_empty());
  cmd->add_option("--spec", args->spec,
                  "nasbench101: the cell as '[[0,1,...],...]|input,<op>,...,output' (or the "
                  "flattened matrix digits before '|', or the JSON {\"matrix\": [[...]], \"ops\": [...]})")
      ->check(non_empty());
  cmd->add_option("--hash", args->hash, "nasbench101: the cell's 32-hex graph hash")
      ->check(non_empty());
  cmd->add_option("--tfrecord", args->tfrecord,
                  "nasbench101: read nasbench_only108.tfrecord instead of the 30-cell sample")
      ->check(non_empty());
  cmd->callback([args] { run_query(*args); });
}

}  // namespace nascpp::cli
