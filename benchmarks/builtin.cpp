// The built-in tabular benchmarks, one line each, sorted by name.
#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_benchmarks(BenchmarkRegistry& registry) {
  registry.add("nasbench101", "NAS-Bench-101 tables", &NasBench101Benchmark::from_config);
  registry.add("nasbench201", "NAS-Bench-201 tables", &NasBench201Benchmark::from_config);
}

}  // namespace nascpp
