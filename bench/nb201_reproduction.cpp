// The NAS-Bench-201 reproduction table (docs/reproduction.md): every
// black-box optimizer on cifar10-valid, cifar100 and ImageNet16-120, searching
// on the validation accuracy (seed means) and reporting the incumbent's
// validation and test accuracy (cifar10-valid -> cifar10 test, as in the
// NAS-Bench-201 paper), mean ± std over seeds after 150 and 300 queries.
//
//   NASCPP_DATA=../shared/data build/bench/nb201_reproduction
//       [--seeds 100] [--threads 2] [--optimizers a,b,...] [--datasets a,b,...]
//       [--checkpoints 150,300] [--csv per_seed.csv]
//
// Prints a markdown table; --csv also writes one line per (optimizer,
// dataset, seed, checkpoint). Seed s of every optimizer uses Rng(s).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/core/error.h"
#include "nascpp/evaluators/tabular.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "search_spaces/nasbench201/nasbench201.h"

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

struct Stats {
  double mean = 0.0;
  double std = 0.0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(s.std / static_cast<double>(v.size() - 1)) : 0.0;
  return s;
}

int run(int argc, char** argv) {
  int seeds = 100;
  unsigned threads = 1;
  std::vector<std::string> optimizers = {"random_search", "regularized_evolution", "local_search",
                                         "bananas"};
  std::vector<std::string> datasets = {"cifar10-valid", "cifar100", "ImageNet16-120"};
  std::vector<int64_t> checkpoints = {150, 300};
  std::string csv;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    NASCPP_CHECK_CONFIG(i + 1 < argc, "option {} needs a value", arg);
    const std::string value = argv[++i];
    if (arg == "--seeds") {
      seeds = std::stoi(value);
    } else if (arg == "--threads") {
      threads = static_cast<unsigned>(std::stoi(value));
    } else if (arg == "--optimizers") {
      optimizers = split(value);
    } else if (arg == "--datasets") {
      datasets = split(value);
    } else if (arg == "--checkpoints") {
      checkpoints.clear();
      for (const auto& c : split(value)) checkpoints.push_back(std::stoll(c));
    } else if (arg == "--csv") {
      csv = value;
    } else {
      throw ConfigError(unknown_choice_message(
          "option", arg,
          {"--checkpoints", "--csv", "--datasets", "--optimizers", "--seeds", "--threads"}));
    }
  }
  NASCPP_CHECK_CONFIG(seeds >= 1 && threads >= 1 && !checkpoints.empty(),
                      "need --seeds >= 1, --threads >= 1 and at least one checkpoint");
  const int64_t queries = *std::max_element(checkpoints.begin(), checkpoints.end());
  auto bench = NasBench201Benchmark::load_shared(resolve_data_dir(""));
  auto space = std::make_shared<NasBench201Space>();

  // results[optimizer][dataset][checkpoint] = (valid, test) per seed
  using PerSeed = std::vector<std::pair<double, double>>;
  std::map<std::string, std::map<std::string, std::map<int64_t, PerSeed>>> results;
  std::map<std::string, double> seconds;
  std::ofstream csv_out;
  if (!csv.empty()) {
    csv_out.open(csv);
    csv_out << "optimizer,dataset,seed,queries,valid_acc,test_acc\n";
  }
  for (const auto& optimizer : optimizers) {
    for (const auto& dataset : datasets) {
      TabularEvaluator eval(bench, TabularEvaluatorOptions().dataset(dataset));
      std::map<int64_t, PerSeed> per_checkpoint;
      for (int64_t c : checkpoints) per_checkpoint[c].resize(static_cast<size_t>(seeds));
      std::atomic<int> next{0};
      std::mutex error_mutex;
      std::string error;
      const auto start = std::chrono::steady_clock::now();
      auto worker = [&] {
        for (int seed = next++; seed < seeds; seed = next++) {
          try {
            Rng rng(static_cast<uint64_t>(seed));
            ConfigNode cfg;
            auto opt = optimizer_registry().create(optimizer, cfg);
            auto& bb = dynamic_cast<BlackBoxOptimizer&>(*opt);
            bb.attach(space, &rng);
            const auto r =
                run_black_box(bb, eval, rng, SearchOptions().budget(Budget().max_queries(queries)));
            for (int64_t c : checkpoints) {
              const Evaluation* inc = r.incumbent_at(c);
              per_checkpoint[c][static_cast<size_t>(seed)] = {inc->result.objective,
                                                              inc->result.metrics.at("test_acc")};
            }
          } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(error_mutex);
            error = e.what();
          }
        }
      };
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
      for (auto& t : pool) t.join();
      if (!error.empty()) throw Error(error);
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      seconds[optimizer] += s;
      std::fprintf(stderr, "%s on %s: %d seeds x %lld queries in %.1f s\n", optimizer.c_str(),
                   dataset.c_str(), seeds, static_cast<long long>(queries), s);
      if (csv_out) {
        for (int64_t c : checkpoints) {
          for (int seed = 0; seed < seeds; ++seed) {
            const auto& [v, t] = per_checkpoint[c][static_cast<size_t>(seed)];
            csv_out << optimizer << ',' << dataset << ',' << seed << ',' << c << ',' << v << ','
                    << t << '\n';
          }
        }
      }
      results[optimizer][dataset] = std::move(per_checkpoint);
    }
  }

  // The table: one row per (optimizer, checkpoint), valid / test per dataset.
  std::cout << "| optimizer | queries |";
  for (const auto& d : datasets) std::cout << ' ' << d << " valid | " << d << " test |";
  std::cout << "\n|---|---|";
  for (size_t i = 0; i < datasets.size(); ++i) std::cout << "---|---|";
  std::cout << '\n';
  for (int64_t c : checkpoints) {
    for (const auto& optimizer : optimizers) {
      std::cout << "| " << optimizer << " | " << c << " |";
      for (const auto& d : datasets) {
        std::vector<double> valid, test;
        for (const auto& [v, t] : results[optimizer][d][c]) {
          valid.push_back(v);
          test.push_back(t);
        }
        const Stats sv = stats(valid), st = stats(test);
        char buf[128];
        std::snprintf(buf, sizeof(buf), " %.2f ± %.2f | %.2f ± %.2f |", sv.mean, sv.std, st.mean,
                      st.std);
        std::cout << buf;
      }
      std::cout << '\n';
    }
  }
  std::cout << "\nseeds: " << seeds << "; wall seconds per optimizer (all datasets, " << threads
            << " thread(s)):";
  for (const auto& [o, s] : seconds) std::cout << ' ' << o << ' ' << std::lround(s);
  std::cout << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
