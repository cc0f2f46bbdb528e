// NAS-Bench-201: benchmark load time and memory, look-up rates, and the
// forward+backward time of a network at batch 64 on CPU.
//
//   NASCPP_DATA=../shared/data build/bench/bench_nasbench201 [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/device.h"
#include "nascpp/core/random.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace {

using nascpp::NasBench201Benchmark;

// Current resident set size in MB (from /proc/self/statm).
double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

std::string data_dir() { return nascpp::resolve_data_dir(""); }

void BM_Load(benchmark::State& state) {
  const std::string dir = data_dir();
  double rss_added = 0.0;
  for (auto _ : state) {
    const double before = rss_mb();
    auto bench = NasBench201Benchmark::load(dir);
    // The first load in the process shows the memory the tables take; later
    // iterations reuse freed pages.
    rss_added = std::max(rss_added, rss_mb() - before);
    benchmark::DoNotOptimize(bench.get());
  }
  state.counters["rss_added_MB"] = rss_added;
}
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond)->Iterations(5);

const NasBench201Benchmark& shared_bench() {
  static auto bench = NasBench201Benchmark::load(data_dir());
  return *bench;
}

void BM_SeedMeanLookupByIndex(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto id = bench.metric_id("cifar10-valid", "valid_acc");
  int32_t i = 0;
  double sum = 0.0;
  for (auto _ : state) {
    sum += *bench.value(i, id);
    i = (i + 7919) % NasBench201Benchmark::kNumArchitectures;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SeedMeanLookupByIndex);

void BM_SeedMeanLookupByArchitecture(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto id = bench.metric_id("cifar10-valid", "valid_acc");
  std::vector<nascpp::Architecture> archs;
  nascpp::Rng rng(0);
  nascpp::NasBench201Space space;
  for (int k = 0; k < 4096; ++k) archs.push_back(space.sample(rng));
  size_t k = 0;
  double sum = 0.0;
  for (auto _ : state) {
    sum += *bench.value(archs[k], id);
    k = (k + 1) & 4095;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SeedMeanLookupByArchitecture);

void BM_NoisyLookup(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto id = bench.metric_id("cifar10-valid", "valid_acc");
  nascpp::Rng rng(1);
  int32_t i = 0;
  double sum = 0.0;
  for (auto _ : state) {
    sum += *bench.value(i, id, rng);
    i = (i + 7919) % NasBench201Benchmark::kNumArchitectures;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NoisyLookup);

void BM_LookupByName(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto arch = bench.arch_at(6111);
  double sum = 0.0;
  for (auto _ : state) sum += *bench.query(arch, "valid_acc", "cifar10-valid");
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupByName);

// Forward + backward (no optimizer step) of the NAS-Bench-201 network (C=16, N=5,
// 10 classes) at batch 64 of 3x32x32 images; state.range(0) = arch index.
void BM_NetworkForwardBackward(benchmark::State& state) {
  nascpp::set_num_threads(0);
  nascpp::seed_torch(0);
  nascpp::NasBench201Space space;
  const auto arch = shared_bench().arch_at(static_cast<int32_t>(state.range(0)));
  auto net = space.build_network(arch, nascpp::NetworkSpec());
  net->train();
  auto x = torch::randn({64, 3, 32, 32});
  auto y = torch::randint(0, 10, {64});
  for (auto _ : state) {
    net->zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
  }
  state.SetItemsProcessed(state.iterations() * 64);
  state.SetLabel(space.format(arch));
}
BENCHMARK(BM_NetworkForwardBackward)
    ->Arg(6111)
    ->Arg(1835)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
