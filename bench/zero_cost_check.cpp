// Zero-cost proxies computed by nascpp against NAS-Bench-Suite-Zero's recorded
// scores (NASLib's zc_nasbench201 file, about 725 NAS-Bench-201 cells per
// dataset): per proxy, the Spearman correlation of our score with the file's
// score of the same proxy and with the validation accuracy (ours beside the
// file's), exact agreement of params and flops, and our seconds per network
// beside NASLib's recorded `time`.
//
//   zero_cost_check [--data-dir DIR] [--dataset cifar10] [--cells N]
//                   [--batch-size 32] [--seed 0] [--threads T]
//                   [--input auto|fashion_mnist|random|cifar10] [--input-root DIR]
//                   [--proxies a,b,...]
//
// Results and commands: docs/zero-cost.md.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "nascpp/benchmark.h"
#include "nascpp/core/csv.h"
#include "nascpp/core/device.h"
#include "nascpp/core/statistics.h"
#include "nascpp/registries.h"
#include "nascpp/search_space.h"
#include "nascpp/zero_cost.h"

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args = {
      {"--data-dir", std::getenv("NASCPP_DATA") ? std::getenv("NASCPP_DATA") : "../shared/data"},
      {"--dataset", "cifar10"},
      {"--cells", "0"},
      {"--batch-size", "32"},
      {"--seed", "0"},
      {"--threads", "1"},
      {"--input", "auto"},
      {"--input-root", ""},
      {"--proxies", ""}};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (args.count(argv[i]) == 0) {
      fmt::print(stderr, "unknown option {}\n", argv[i]);
      return 2;
    }
    args[argv[i]] = argv[i + 1];
  }
  try {
    nascpp::set_num_threads(std::stoi(args["--threads"]));
    nascpp::ConfigNode space_cfg;
    auto space = nascpp::search_space_registry().create("nasbench201", space_cfg);
    nascpp::ZeroCostOptions options;
    options.batch_size(std::stoll(args["--batch-size"]))
        .seed(std::stoull(args["--seed"]))
        .data(args["--input"])
        .data_root(args["--input-root"]);
    if (args["--dataset"] == "cifar100") options.num_classes(100);
    if (args["--dataset"] == "ImageNet16-120") {
      options.num_classes(120).image_size(16);
    }
    nascpp::ZeroCostScorer scorer(space, options);
    std::vector<std::string> proxies = split(args["--proxies"]);
    if (proxies.empty()) proxies = nascpp::builtin_zero_cost_proxies();

    // NAS-Bench-201's own test accuracy of each cell (the published
    // correlations, Abdelfattah et al. 2021, are with it).
    nascpp::ConfigNode bench_cfg =
        nascpp::ConfigNode::parse("data_dir: '" + args["--data-dir"] + "'", "--data-dir");
    auto nb201 = nascpp::benchmark_registry().create("nasbench201", bench_cfg);
    const auto test_handle = nb201->resolve(args["--dataset"], "test_acc");
    nascpp::CsvReader csv(args["--data-dir"] + "/nas-bench-suite-zero/zc_nasbench201.flat.csv");
    const size_t c_dataset = csv.column("dataset");
    const size_t c_arch = csv.column("arch_str");
    const size_t c_acc = csv.column("val_accuracy");
    const int64_t max_cells = std::stoll(args["--cells"]);
    std::vector<double> acc, test_acc;
    std::map<std::string, std::vector<double>> ours, theirs, our_time, their_time;
    int64_t cells = 0;
    while (csv.next_row() && (max_cells <= 0 || cells < max_cells)) {
      if (csv.field(c_dataset) != args["--dataset"]) continue;
      const auto arch = space->parse(std::string(csv.field(c_arch)));
      acc.push_back(csv.number(c_acc));
      test_acc.push_back(nb201->value(arch, test_handle).value());
      for (const auto& s : scorer.score(arch, proxies)) {
        ours[s.proxy].push_back(s.score);
        our_time[s.proxy].push_back(s.seconds);
        if (auto col = csv.find_column(s.proxy + "_score")) {
          theirs[s.proxy].push_back(csv.number(*col));
          their_time[s.proxy].push_back(csv.number(*csv.find_column(s.proxy + "_time")));
        }
      }
      ++cells;
    }
    fmt::print("dataset {}, {} cells, batch: {}\n", args["--dataset"], cells,
               scorer.batch().description);
    fmt::print(
        "| proxy | Spearman(ours, file) | Spearman(ours, val acc) | Spearman(file, val acc) "
        "| Spearman(ours, NB201 test acc) | Spearman(file, NB201 test acc) | exact (rel "
        "1e-6) | ours s/net | NASLib s/net |\n|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& p : proxies) {
      const auto& o = ours[p];
      double mean_time = 0.0;
      for (double t : our_time[p]) mean_time += t / static_cast<double>(our_time[p].size());
      if (theirs.count(p) == 0) {
        fmt::print("| {} | - | {:.3f} | - | {:.3f} | - | - | {:.4f} | - |\n", p,
                   nascpp::spearman(o, acc), nascpp::spearman(o, test_acc), mean_time);
        continue;
      }
      const auto& t = theirs[p];
      int exact = 0;
      for (size_t i = 0; i < o.size(); ++i) {
        if (std::abs(o[i] - t[i]) <= 1e-6 * std::max(1.0, std::abs(t[i]))) ++exact;
      }
      double their_mean = 0.0;
      for (double x : their_time[p]) their_mean += x / static_cast<double>(their_time[p].size());
      fmt::print("| {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {}/{} | {:.4f} | {:.4f} |\n",
                 p, nascpp::spearman(o, t), nascpp::spearman(o, acc), nascpp::spearman(t, acc),
                 nascpp::spearman(o, test_acc), nascpp::spearman(t, test_acc), exact, o.size(),
                 mean_time, their_mean);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
