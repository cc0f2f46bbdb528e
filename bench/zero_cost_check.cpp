// Zero-cost proxies computed by nascpp against NAS-Bench-Suite-Zero's recorded
// scores (NASLib's zc_nasbench201 file, about 725 NAS-Bench-201 cells per
// dataset): per proxy, the Spearman correlation of our score with the file's
// score of the same proxy and with the validation accuracy (ours beside the
// file's), exact agreement of params and flops, and our seconds per network
// beside NASLib's recorded `time`.
//
// With `--all-cells 1` it scores every one of NAS-Bench-201's 15,625 cells
// instead (the population of Abdelfattah et al. 2021) and prints, per proxy,
// the Spearman correlation with NAS-Bench-201's test accuracy on each of the
// three datasets beside the published |Spearman|; `--scores-out FILE` writes
// the scores as CSV (`arch`, one column per proxy), the form a warm start's
// `scores:` file takes (docs/zero-cost.md).
//
//   zero_cost_check [--data-dir DIR] [--dataset cifar10] [--cells N]
//                   [--batch-size 32] [--seed 0] [--threads T]
//                   [--input auto|fashion_mnist|random|cifar10] [--input-root DIR]
//                   [--proxies a,b,...] [--all-cells 0|1] [--scores-out FILE]
//
// Results and commands: docs/zero-cost.md.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
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

// Published |Spearman| with NAS-Bench-201 test accuracy over all 15,625
// cells, batch 64, CIFAR-10 / CIFAR-100 / ImageNet16-120 (Abdelfattah et al.
// 2021, Table 1; ../shared/docs/REFERENCES.md).
const std::map<std::string, std::vector<double>>& published() {
  static const std::map<std::string, std::vector<double>> p = {
      {"synflow", {0.737, 0.763, 0.751}}, {"jacov", {0.731, 0.704, 0.701}},
      {"snip", {0.596, 0.637, 0.578}},    {"grad_norm", {0.594, 0.637, 0.578}},
      {"grasp", {0.514, 0.547, 0.549}},   {"fisher", {0.360, 0.385, 0.327}}};
  return p;
}

// Every cell of NAS-Bench-201 scored; Spearman with each dataset's test accuracy.
int all_cells(const nascpp::SearchSpace& space, const nascpp::Benchmark& nb201,
              nascpp::ZeroCostScorer& scorer, const std::vector<std::string>& proxies,
              const std::string& scores_out) {
  const std::vector<std::string> datasets = {"cifar10", "cifar100", "ImageNet16-120"};
  std::vector<std::vector<double>> test_acc(datasets.size());
  std::vector<nascpp::Benchmark::Handle> handles;
  for (const auto& d : datasets) handles.push_back(nb201.resolve(d, "test_acc"));
  std::map<std::string, std::vector<double>> scores;
  std::map<std::string, double> seconds;
  std::ofstream out;
  if (!scores_out.empty()) {
    out.open(scores_out);
    if (!out) throw nascpp::Error("cannot write --scores-out " + scores_out);
    out << "# " << scorer.batch().description << "\narch";
    for (const auto& p : proxies) out << "," << p;
    out << "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto archs = space.enumerate();
  for (size_t i = 0; i < archs.size(); ++i) {
    for (size_t d = 0; d < datasets.size(); ++d) {
      test_acc[d].push_back(nb201.value(archs[i], handles[d]).value());
    }
    if (out) out << '"' << space.format(archs[i]) << '"';
    for (const auto& s : scorer.score(archs[i], proxies)) {
      scores[s.proxy].push_back(s.score);
      seconds[s.proxy] += s.seconds;
      if (out) out << "," << fmt::format("{:.9g}", s.score);
    }
    if (out) out << "\n";
    if ((i + 1) % 1000 == 0) {
      fmt::print(stderr, "{} cells, {:.0f} s\n", i + 1,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  fmt::print("all {} cells of NAS-Bench-201, network for {} classes, batch: {}\n", archs.size(),
             scorer.spec().num_classes(), scorer.batch().description);
  fmt::print(
      "| proxy | Spearman with test acc C10 / C100 / IN16 | published |Spearman| C10 / C100 / "
      "IN16 | non-finite scores | ours s/net |\n|---|---|---|---|---|\n");
  for (const auto& p : proxies) {
    const auto& o = scores[p];
    // Cells whose score is not finite (nwot's -inf for a cut-off cell) rank lowest.
    std::vector<double> ranked = o;
    int64_t non_finite = 0;
    for (double& v : ranked) {
      if (!std::isfinite(v)) {
        v = -1e300;
        ++non_finite;
      }
    }
    std::string published_text = "-";
    if (auto it = published().find(p); it != published().end()) {
      published_text =
          fmt::format("{:.3f} / {:.3f} / {:.3f}", it->second[0], it->second[1], it->second[2]);
    }
    fmt::print("| {} | {:.3f} / {:.3f} / {:.3f} | {} | {} | {:.4f} |\n", p,
               nascpp::spearman(ranked, test_acc[0]), nascpp::spearman(ranked, test_acc[1]),
               nascpp::spearman(ranked, test_acc[2]), published_text, non_finite,
               seconds[p] / static_cast<double>(o.size()));
  }
  return 0;
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
      {"--proxies", ""},
      {"--all-cells", "0"},
      {"--scores-out", ""}};
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
    if (args["--all-cells"] == "1") {
      return all_cells(*space, *nb201, scorer, proxies, args["--scores-out"]);
    }
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
