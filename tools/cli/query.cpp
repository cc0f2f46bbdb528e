// `nascpp query BENCHMARK`: look an architecture up in a tabular benchmark, or
// find the benchmark's best architecture for a metric.
#include <iostream>
#include <optional>

#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "commands.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
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

// "123" (an official index, up to 5 digits), "421211" (an op code) or an arch
// string; NAS-Bench-201 specific forms go through the benchmark's own mapping.
Architecture parse_arch(const std::string& text, const SearchSpace& space, const Benchmark& bench) {
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (const auto* nb201 = dynamic_cast<const NasBench201Benchmark*>(&bench); nb201 && digits) {
    if (text.size() <= 5) return nb201->arch_at(std::stoi(text));
    if (text.size() == 6) return dynamic_cast<const NasBench201Space&>(space).parse_op_code(text);
  }
  return space.parse(text);
}

void print_architecture(const Architecture& arch, const SearchSpace& space,
                        const Benchmark& bench) {
  std::cout << "architecture: " << space.format(arch) << "\n";
  if (const auto* nb201 = dynamic_cast<const NasBench201Benchmark*>(&bench)) {
    std::cout << "index: " << nb201->index_of(arch) << "\n";
    std::cout << "op_code: " << dynamic_cast<const NasBench201Space&>(space).format_op_code(arch)
              << "\n";
  }
  if (const auto* nb101 = dynamic_cast<const NasBench101Space*>(&space)) {
    std::cout << "hash: " << nb101->hash_spec(arch) << "\n";
  }
}

// Every metric the benchmark has for `dataset` (or only `only`), one per line.
void print_metrics(const Architecture& arch, const Benchmark& bench, const std::string& dataset,
                   const std::string& only) {
  const auto* nb201 = dynamic_cast<const NasBench201Benchmark*>(&bench);
  const auto metrics = nb201 ? nb201->metrics(dataset) : bench.metrics();
  if (!only.empty() && std::find(metrics.begin(), metrics.end(), only) == metrics.end()) {
    throw ConfigError(
        unknown_choice_message("metric for dataset '" + dataset + "'", only, metrics));
  }
  std::cout << dataset << ":\n";
  for (const auto& metric : metrics) {
    if (!only.empty() && metric != only) continue;
    std::cout << "  " << metric << ": " << format_value(bench.query(arch, metric, dataset)) << "\n";
  }
}

void run_query(const QueryArgs& args) {
  const bool nb101 = args.benchmark == NasBench101Benchmark::kName;
  NASCPP_CHECK_CONFIG(nb101 || (args.spec.empty() && args.hash.empty() && args.tfrecord.empty()),
                      "--spec, --hash and --tfrecord are options of the nasbench101 benchmark, not "
                      "of '{}'",
                      args.benchmark);
  ConfigNode cfg;
  cfg.apply_override("data_dir=" + args.data_dir);
  if (!args.tfrecord.empty()) cfg.apply_override("tfrecord=" + args.tfrecord);
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
    const std::string metric = args.metric.empty() ? "valid_acc" : args.metric;
    const auto* nb201 = dynamic_cast<const NasBench201Benchmark*>(bench.get());
    NASCPP_CHECK_CONFIG(nb201 != nullptr, "--best is not supported by benchmark '{}'",
                        bench->name());
    const auto best = nb201->best(args.dataset, metric);
    const Architecture arch = nb201->arch_at(best.index);
    print_architecture(arch, *space, *bench);
    std::cout << "best " << metric << " on " << args.dataset << ": " << best.value << "\n";
    print_metrics(arch, *bench, args.dataset, "");
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
    const auto& table = dynamic_cast<const NasBench101Benchmark&>(*bench);
    const auto arch = table.arch_of_hash(args.hash);
    NASCPP_CHECK_CONFIG(arch.has_value(), "NAS-Bench-101 hash '{}' is not in the benchmark table",
                        args.hash);
    print_architecture(*arch, *space, *bench);
    for (const auto& dataset : datasets) print_metrics(*arch, *bench, dataset, args.metric);
    return;
  }
  const std::string text = args.spec.empty() ? args.arch : args.spec;
  NASCPP_CHECK_CONFIG(!text.empty(), "query needs --arch <arch string|index|op code> or --best");
  const Architecture arch = parse_arch(text, *space, *bench);
  print_architecture(arch, *space, *bench);
  for (const auto& dataset : datasets) print_metrics(arch, *bench, dataset, args.metric);
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
  cmd->add_option("--metric", args->metric, "only this metric (with --best: default valid_acc)")
      ->check(non_empty());
  cmd->add_option("--data-dir", args->data_dir, "benchmark data directory (default: $NASCPP_DATA)")
      ->check(non_empty());
  cmd->add_option("--spec", args->spec,
                  "nasbench101: the cell as '[[0,1,...],...]|input,<op>,...,output' (or the "
                  "flattened matrix digits before '|')")
      ->check(non_empty());
  cmd->add_option("--hash", args->hash, "nasbench101: the cell's 32-hex graph hash")
      ->check(non_empty());
  cmd->add_option("--tfrecord", args->tfrecord,
                  "nasbench101: read nasbench_only108.tfrecord instead of the 30-cell sample")
      ->check(non_empty());
  cmd->callback([args] { run_query(*args); });
}

}  // namespace nascpp::cli
