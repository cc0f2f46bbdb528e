// Builds the NAS-Bench-201 network of every one of the 15,625 cells for
// CIFAR-10, CIFAR-100 and ImageNet16-120 and compares its parameter count
// with the benchmark's params_mb columns.
//
//   build/bench/nb201_param_check [DATA_DIR]      (default: $NASCPP_DATA)
//
// Prints, per dataset, the cells whose count differs from the benchmark, and
// how many of those equal the count of an isomorphic cell (same canonical
// form = NATS-Bench's UniqueString): NATS-Bench copied those cost records
// between isomorphic cells. "unexplained mismatches" must be 0.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <unordered_map>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/error.h"
#include "search_spaces/nasbench201/nasbench201.h"

int main(int argc, char** argv) {
  using namespace nascpp;
  try {
    const auto bench = NasBench201Benchmark::load(resolve_data_dir(argc > 1 ? argv[1] : ""));
    NasBench201Space space;
    struct Case {
      const char* dataset;
      NetworkSpec spec;
    };
    const Case cases[] = {{"cifar10", NetworkSpec()},
                          {"cifar100", NetworkSpec().num_classes(100)},
                          {"ImageNet16-120", NetworkSpec().image_size(16).num_classes(120)}};
    std::unordered_map<std::string, std::vector<int32_t>> classes;
    for (int32_t i = 0; i < NasBench201Benchmark::kNumArchitectures; ++i) {
      classes[space.canonical(bench->arch_at(i))].push_back(i);
    }
    int64_t total_mismatches = 0, total_unexplained = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& c : cases) {
      std::vector<int64_t> counts(NasBench201Benchmark::kNumArchitectures);
      for (int32_t i = 0; i < NasBench201Benchmark::kNumArchitectures; ++i) {
        counts[i] = count_parameters(*space.build_network(bench->arch_at(i), c.spec));
      }
      int64_t mismatches = 0, unexplained = 0;
      for (int32_t i = 0; i < NasBench201Benchmark::kNumArchitectures; ++i) {
        const int64_t expected = std::llround(*bench->query(i, "params_mb", c.dataset) * 1e6);
        if (counts[i] == expected) continue;
        ++mismatches;
        bool isomorphic = false;
        for (int32_t j : classes.at(space.canonical(bench->arch_at(i)))) {
          isomorphic = isomorphic || (j != i && counts[j] == expected);
        }
        if (!isomorphic) {
          ++unexplained;
          std::cout << c.dataset << " index " << i << " " << space.format(bench->arch_at(i)) << ": "
                    << counts[i] << " parameters, benchmark " << expected << "\n";
        }
      }
      std::cout << c.dataset << ": 15625 cells, " << mismatches
                << " differ from the benchmark, all but " << unexplained
                << " equal to an isomorphic cell's count\n";
      total_mismatches += mismatches;
      total_unexplained += unexplained;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "mismatches: " << total_mismatches << " (isomorphic-cell records)\n"
              << "unexplained mismatches: " << total_unexplained << "\n"
              << "networks built: " << 3 * NasBench201Benchmark::kNumArchitectures << " in "
              << seconds << " s\n";
    return total_unexplained == 0 ? 0 : 1;
  } catch (const Error& e) {
    std::cerr << "nb201_param_check: " << e.what() << "\n";
    return 2;
  }
}
