// The multi-fidelity table of docs/reproduction.md: successive halving,
// Hyperband, BOHB, DEHB and ASHA beside random search and regularized
// evolution on NAS-Bench-201 (cifar10-valid, cifar100, ImageNet16-120), under
// the same simulated wall-clock budget (NATS-Bench's 20,000 / 40,000 /
// 120,000 s), with 1 and 4 simulated workers.
//
//   NASCPP_DATA=../shared/data build/bench/nb201_multi_fidelity
//       [--seeds 100] [--workers 1,4] [--optimizers a,b,...] [--datasets a,b,...]
//       [--budget-scale 1] [--curves curves.csv]
//
// Protocol: the search objective is the validation accuracy (seed mean) at
// the evaluation's fidelity (12 or 200 epochs; the 12-epoch cost is the
// 200-epoch training time x 12/200); the incumbent is the best evaluation at
// the highest fidelity evaluated so far; what is reported is the test
// accuracy after the full 200-epoch training of the incumbent architecture
// (cifar10-valid -> cifar10 test), mean ± std over seeds when the budget is
// spent, and the same over simulated time (--curves). Random search and
// regularized evolution evaluate at full fidelity. Seed s uses Rng(s).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nascpp/core/error.h"
#include "nascpp/evaluators/tabular.h"
#include "nascpp/executor.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"

namespace {

using namespace nascpp;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

double budget_of(const std::string& dataset) {
  if (dataset == "cifar100") return 40000.0;
  if (dataset == "ImageNet16-120") return 120000.0;
  return 20000.0;
}

std::string report_dataset(const std::string& dataset) {
  return dataset == "cifar10-valid" ? "cifar10" : dataset;
}

struct Curve {
  std::vector<double> value;  // the incumbent's full test accuracy at each time point
};

// One run; returns the incumbent's full-training test accuracy at `times`.
Curve run_once(const std::string& optimizer, const std::string& dataset, uint64_t seed,
               int64_t workers, double budget, const std::vector<double>& times,
               const std::shared_ptr<const Benchmark>& bench,
               const std::shared_ptr<const SearchSpace>& space) {
  Rng rng(seed);
  ConfigNode cfg;
  auto opt = optimizer_registry().create(optimizer, cfg);
  auto& bb = static_cast<BlackBoxOptimizer&>(*opt);
  bb.attach(space, &rng);
  TabularEvaluator eval(bench, TabularEvaluatorOptions().dataset(dataset));
  SimulatedExecutor executor(eval, workers);
  const auto result =
      run_black_box(bb, executor, eval, rng,
                    SearchOptions().budget(Budget().max_simulated_s(budget)).evaluation_seed(seed));
  const auto test = bench->resolve(report_dataset(dataset), "test_acc");
  // The incumbent after each completion, by its end time.
  Curve c;
  size_t i = 0;
  double value = std::nan("");
  for (double t : times) {
    while (i < result.evaluations.size() && result.evaluations[i].end_s <= t) {
      const int64_t inc = result.incumbent_trajectory[i];
      if (inc >= 0) {
        value = *bench->value(result.evaluations[static_cast<size_t>(inc)].trial.arch, test);
      }
      ++i;
    }
    c.value.push_back(value);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int64_t seeds = 100;
    std::vector<std::string> optimizers = {"random_search", "regularized_evolution",
                                           "successive_halving", "hyperband", "bohb", "dehb",
                                           "asha"};
    std::vector<std::string> datasets = {"cifar10-valid", "cifar100", "ImageNet16-120"};
    std::vector<int64_t> worker_counts = {1, 4};
    double scale = 1.0;
    std::string curves_path;
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string key = argv[i], value = argv[i + 1];
      if (key == "--seeds") {
        seeds = std::stoll(value);
      } else if (key == "--optimizers") {
        optimizers = split(value);
      } else if (key == "--datasets") {
        datasets = split(value);
      } else if (key == "--workers") {
        worker_counts.clear();
        for (const auto& w : split(value)) worker_counts.push_back(std::stoll(w));
      } else if (key == "--budget-scale") {
        scale = std::stod(value);
      } else if (key == "--curves") {
        curves_path = value;
      } else {
        throw ConfigError("unknown option " + key +
                          "; known: --seeds --optimizers --datasets --workers --budget-scale "
                          "--curves");
      }
    }
    ConfigNode bench_cfg;
    const auto bench = benchmark_registry().create("nasbench201", bench_cfg);
    ConfigNode space_cfg;
    const auto space = search_space_registry().create("nasbench201", space_cfg);
    std::ofstream curves;
    if (!curves_path.empty()) {
      curves.open(curves_path);
      curves << "dataset,workers,optimizer,time_s,mean,std,runs\n";
    }
    std::cout << "| dataset | budget (simulated s) | workers | optimizer | test acc. (mean ± std) "
                 "| vs random search (SE) |\n|---|---|---|---|---|---|\n";
    for (const auto& dataset : datasets) {
      const double budget = budget_of(dataset) * scale;
      std::vector<double> times;
      for (int k = 0; k <= 40; ++k) times.push_back(budget * std::pow(10.0, -2.0 + 2.0 * k / 40.0));
      for (int64_t workers : worker_counts) {
        std::map<std::string, std::vector<Curve>> runs;
        for (const auto& optimizer : optimizers) {
          std::vector<Curve> out(static_cast<size_t>(seeds));
          std::atomic<int64_t> next{0};
          std::vector<std::thread> threads;
          const unsigned n = std::max(1u, std::thread::hardware_concurrency());
          for (unsigned t = 0; t < n; ++t) {
            threads.emplace_back([&] {
              for (int64_t s; (s = next++) < seeds;) {
                out[static_cast<size_t>(s)] = run_once(optimizer, dataset, static_cast<uint64_t>(s),
                                                       workers, budget, times, bench, space);
              }
            });
          }
          for (auto& t : threads) t.join();
          runs[optimizer] = std::move(out);
        }
        const auto final_values = [&](const std::string& o) {
          std::vector<double> v;
          for (const auto& c : runs[o]) v.push_back(c.value.back());
          return v;
        };
        const auto mean_std = [](const std::vector<double>& v) {
          double m = 0, s = 0;
          for (double x : v) m += x / static_cast<double>(v.size());
          for (double x : v) s += (x - m) * (x - m);
          return std::make_pair(m, v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0);
        };
        const auto rs = mean_std(final_values("random_search"));
        for (const auto& optimizer : optimizers) {
          const auto v = final_values(optimizer);
          const auto [m, s] = mean_std(v);
          std::string vs = "-";
          if (optimizer != "random_search" && runs.count("random_search")) {
            const double se = std::sqrt(s * s / static_cast<double>(v.size()) +
                                        rs.second * rs.second / static_cast<double>(seeds));
            vs = fmt::format("{:+.2f} ({:.1f} SE)", m - rs.first, (m - rs.first) / se);
          }
          std::cout << fmt::format("| {} | {:.0f} | {} | {} | {:.2f} ± {:.2f} | {} |\n", dataset,
                                   budget, workers, optimizer, m, s, vs);
          if (curves.is_open()) {
            for (size_t k = 0; k < times.size(); ++k) {
              std::vector<double> at;
              for (const auto& c : runs[optimizer]) {
                if (!std::isnan(c.value[k])) at.push_back(c.value[k]);
              }
              if (at.empty()) continue;
              const auto [cm, cs] = mean_std(at);
              curves << fmt::format("{},{},{},{},{},{},{}\n", dataset, workers, optimizer, times[k],
                                    cm, cs, at.size());
            }
          }
        }
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nb201_multi_fidelity: " << e.what() << "\n";
    return 1;
  }
}
