// The built-in tabular benchmarks, one line each, sorted by name.
#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_benchmarks(BenchmarkRegistry& registry) {
  registry.add("nasbench201", "NAS-Bench-201 tables", &NasBench201Benchmark::from_config);
}

}  // namespace nascpp
