// Black-box optimizers on the NAS-Bench-201 tabular benchmark (cifar10-valid,
// seed-mean look-ups): time of whole search runs and queries per second.
//
//   NASCPP_DATA=../shared/data build/bench/bench_optimizers [--benchmark_filter=...]
//
// Targets (issue 7): 100 seeds x 300 queries of regularized evolution in
// under 1 s on one core; one 150-query BANANAS run in under 10 s.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/evaluators/tabular.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace {

using namespace nascpp;

std::shared_ptr<const NasBench201Benchmark> shared_bench() {
  static auto bench = NasBench201Benchmark::load_shared(resolve_data_dir(""));
  return bench;
}

// One search run of `queries` with a fresh optimizer; returns the incumbent's
// validation accuracy so the work cannot be optimised away.
double run_once(const std::string& optimizer, uint64_t seed, int64_t queries,
                TabularEvaluator& eval, const std::shared_ptr<const SearchSpace>& space) {
  Rng rng(seed);
  ConfigNode cfg;
  auto opt = optimizer_registry().create(optimizer, cfg);
  auto& bb = dynamic_cast<BlackBoxOptimizer&>(*opt);
  bb.attach(space, &rng);
  const auto r =
      run_black_box(bb, eval, rng, SearchOptions().budget(Budget().max_queries(queries)));
  return r.incumbent()->result.objective;
}

// 100 seeds x 300 queries of regularized evolution (the target).
void BM_RegularizedEvolution_100Seeds_300Queries(benchmark::State& state) {
  auto space = std::make_shared<NasBench201Space>();
  TabularEvaluator eval(shared_bench(), TabularEvaluatorOptions());
  double sum = 0.0;
  for (auto _ : state) {
    for (uint64_t seed = 0; seed < 100; ++seed) {
      sum += run_once("regularized_evolution", seed, 300, eval, space);
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 100 * 300);
}
BENCHMARK(BM_RegularizedEvolution_100Seeds_300Queries)->Unit(benchmark::kMillisecond);

// The loop's cost per query with 1, 4 and 16 evaluations in flight
// (simulated workers; regularized evolution, 300 queries a run): what the
// trials, the executor and the bookkeeping add to a table look-up.
void BM_LoopPerQuery_InFlight(benchmark::State& state) {
  auto space = std::make_shared<NasBench201Space>();
  TabularEvaluator eval(shared_bench(), TabularEvaluatorOptions());
  const int64_t workers = state.range(0);
  double sum = 0.0;
  uint64_t seed = 0;
  for (auto _ : state) {
    Rng rng(seed);
    ConfigNode cfg;
    auto opt = optimizer_registry().create("regularized_evolution", cfg);
    auto& bb = dynamic_cast<BlackBoxOptimizer&>(*opt);
    bb.attach(space, &rng);
    SimulatedExecutor executor(eval, workers);
    const auto r = run_black_box(bb, executor, eval, rng,
                                 SearchOptions().budget(Budget().max_queries(300)).evaluation_seed(seed));
    sum += r.incumbent()->result.objective;
    ++seed;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 300);
}
BENCHMARK(BM_LoopPerQuery_InFlight)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMicrosecond);

// One BANANAS run of 150 queries with the default (NASLib) settings.
void BM_Bananas_150Queries(benchmark::State& state) {
  auto space = std::make_shared<NasBench201Space>();
  TabularEvaluator eval(shared_bench(), TabularEvaluatorOptions());
  double sum = 0.0;
  uint64_t seed = 0;
  for (auto _ : state) sum += run_once("bananas", seed++, 150, eval, space);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 150);
}
BENCHMARK(BM_Bananas_150Queries)->Unit(benchmark::kMillisecond)->Iterations(3);

// Queries per second of each optimizer over 150-query runs (items/s).
void BM_QueriesPerSecond(benchmark::State& state, const std::string& optimizer) {
  auto space = std::make_shared<NasBench201Space>();
  TabularEvaluator eval(shared_bench(), TabularEvaluatorOptions());
  double sum = 0.0;
  uint64_t seed = 0;
  for (auto _ : state) sum += run_once(optimizer, seed++, 150, eval, space);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 150);
}
BENCHMARK_CAPTURE(BM_QueriesPerSecond, random_search, std::string("random_search"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_QueriesPerSecond, regularized_evolution, std::string("regularized_evolution"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_QueriesPerSecond, local_search, std::string("local_search"))
    ->Unit(benchmark::kMicrosecond);

// The tabular evaluator alone (fast path), per query.
void BM_TabularEvaluate(benchmark::State& state) {
  TabularEvaluator eval(shared_bench(), TabularEvaluatorOptions());
  NasBench201Space space;
  Rng rng(1);
  std::vector<Architecture> archs;
  for (int i = 0; i < 1024; ++i) archs.push_back(space.sample(rng));
  size_t i = 0;
  double sum = 0.0;
  for (auto _ : state) {
    sum += eval.evaluate(archs[i++ & 1023], Fidelity(), rng).objective;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TabularEvaluate);

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);  // one core, as the targets say
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
