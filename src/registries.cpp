#include "nascpp/registries.h"

#include "nascpp/zero_cost.h"

namespace nascpp {

namespace {

// A function-local static is initialised once, thread-safely, on first use;
// the builtin list runs inside that initialisation.
template <class R>
R& make_registry(const char* kind, void (*fill)(R&)) {
  auto* registry = new R(kind);  // never destroyed: usable during static teardown
  fill(*registry);
  return *registry;
}

}  // namespace

SearchSpaceRegistry& search_space_registry() {
  static SearchSpaceRegistry& r = make_registry("search space", &register_builtin_search_spaces);
  return r;
}

OptimizerRegistry& optimizer_registry() {
  static OptimizerRegistry& r = make_registry("optimizer", &register_builtin_optimizers);
  return r;
}

BenchmarkRegistry& benchmark_registry() {
  static BenchmarkRegistry& r = make_registry("benchmark", &register_builtin_benchmarks);
  return r;
}

DatasetRegistry& dataset_registry() {
  static DatasetRegistry& r = make_registry("dataset", &register_builtin_datasets);
  return r;
}

EvaluatorRegistry& evaluator_registry() {
  static EvaluatorRegistry& r = make_registry("evaluator", &register_builtin_evaluators);
  return r;
}

ExecutorRegistry& executor_registry() {
  static ExecutorRegistry& r = make_registry("executor", &register_builtin_executors);
  return r;
}

PredictorRegistry& predictor_registry() {
  static PredictorRegistry& r = make_registry("predictor", &register_builtin_predictors);
  return r;
}

ZeroCostRegistry& zero_cost_registry() {
  static ZeroCostRegistry& r = make_registry("zero-cost proxy", &register_builtin_zero_cost_proxies);
  return r;
}

}  // namespace nascpp
