// NAS-Bench-101: load time of a tfrecord in the official format, query rates,
// and the cost of the graph hash.
//
// The tfrecord is synthetic (the real 499 MB file is not in the repository):
// distinct random valid cells with their real graph hashes, 3 runs each, with
// random metrics, written exactly as nasbench_only108.tfrecord (JSON row,
// base64 ModelMetrics protobuf, TFRecord framing with CRCs) into $TMPDIR.
//
//   build/bench/bench_nasbench101 [--benchmark_filter=...]
//   NASCPP_DATA=../shared/data build/bench/bench_nasbench101   (also the JSON sources)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench101/tfrecord.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/random.h"
#include "search_spaces/nasbench101/nasbench101.h"

namespace {

using nascpp::NasBench101Benchmark;
using nascpp::NasBench101Space;

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

struct Synthetic {
  std::string path;
  std::vector<nascpp::Architecture> archs;
  std::vector<std::string> hashes;
  uint64_t bytes = 0;
};

// A synthetic tfrecord of `cells` distinct cells x 3 runs, written once per size.
const Synthetic& synthetic(int64_t cells) {
  static std::map<int64_t, Synthetic> files;
  auto it = files.find(cells);
  if (it != files.end()) return it->second;
  Synthetic s;
  s.path =
      (std::filesystem::temp_directory_path() / ("nascpp-bench-nb101-" + std::to_string(getpid()) +
                                                 "-" + std::to_string(cells) + ".tfrecord"))
          .string();
  NasBench101Space space;
  nascpp::Rng rng(101);
  std::set<std::string> seen;
  std::vector<std::string> adjacency, operations;
  while (static_cast<int64_t>(s.archs.size()) < cells) {
    const auto arch = space.sample(rng);
    const std::string hash = space.hash_spec(arch);
    if (!seen.insert(hash).second) continue;
    const auto spec = NasBench101Space::spec_of(arch);
    std::string adj, ops;
    for (int i = 0; i < spec.num_vertices; ++i) {
      for (int j = 0; j < spec.num_vertices; ++j) adj += static_cast<char>('0' + spec.matrix[i][j]);
    }
    const std::string text = space.format(arch);
    ops = text.substr(text.find('|') + 1);
    s.archs.push_back(arch);
    s.hashes.push_back(hash);
    adjacency.push_back(adj);
    operations.push_back(ops);
  }
  nascpp::TfRecordWriter writer(s.path);
  for (int run = 0; run < 3; ++run) {
    for (size_t c = 0; c < s.archs.size(); ++c) {
      nascpp::NasBench101Metrics m;
      m.trainable_parameters = static_cast<int32_t>(rng.uniform_int(200000, 40000000));
      m.total_time = rng.uniform(1000, 5000);
      for (int e = 0; e < 3; ++e) {
        m.evaluations.push_back(
            {54.0 * e, rng.uniform(0, 3000), rng.uniform(), rng.uniform(), rng.uniform()});
      }
      nascpp::NasBench101Row row{s.hashes[c], 108, adjacency[c], operations[c],
                                 nascpp::base64_encode(nascpp::encode_nasbench101_metrics(m))};
      const std::string line = nascpp::format_nasbench101_row(row);
      s.bytes += 16 + line.size();
      writer.write(line);
    }
  }
  writer.close();
  return files.emplace(cells, std::move(s)).first->second;
}

void BM_LoadTfRecord(benchmark::State& state) {
  const Synthetic& s = synthetic(state.range(0));
  double rss_added = 0.0;
  for (auto _ : state) {
    const double before = rss_mb();
    auto bench = NasBench101Benchmark::load_tfrecord(s.path);
    rss_added = std::max(rss_added, rss_mb() - before);
    if (bench->size() != s.archs.size()) state.SkipWithError("wrong number of cells");
    benchmark::DoNotOptimize(bench.get());
  }
  state.counters["cells"] = static_cast<double>(s.archs.size());
  state.counters["file_MB"] = static_cast<double>(s.bytes) / 1e6;
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(3 * s.archs.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rss_added_MB"] = rss_added;
}
BENCHMARK(BM_LoadTfRecord)->Arg(20000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

const NasBench101Benchmark& shared_bench() {
  static auto bench = NasBench101Benchmark::load_tfrecord(synthetic(20000).path);
  return *bench;
}

void BM_QueryByHashBytes(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto& s = synthetic(20000);
  std::vector<NasBench101Benchmark::Hash> keys;
  for (const auto& h : s.hashes) keys.push_back(NasBench101Benchmark::parse_hash(h));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bench.find(keys[i]));
    i = (i + 7919) % keys.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueryByHashBytes);

void BM_QueryByHashString(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto& s = synthetic(20000);
  size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    sum += *bench.query_hash(s.hashes[i], "valid_acc");
    i = (i + 7919) % s.hashes.size();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueryByHashString);

void BM_QueryByArchitecture(benchmark::State& state) {
  const auto& bench = shared_bench();
  const auto& s = synthetic(20000);
  nascpp::Rng rng(1);
  size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    sum += *bench.query(s.archs[i], "valid_acc", "cifar10", state.range(0) ? &rng : nullptr);
    i = (i + 7919) % s.archs.size();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueryByArchitecture)->ArgName("one_repeat")->Arg(0)->Arg(1);

void BM_GraphHash(benchmark::State& state) {
  NasBench101Space space;
  const auto& s = synthetic(20000);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(space.hash_spec(s.archs[i]));
    i = (i + 7919) % s.archs.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GraphHash);

void BM_LoadJsonSources(benchmark::State& state) {
  const char* env = std::getenv("NASCPP_DATA");
  if (env == nullptr) {
    state.SkipWithError("NASCPP_DATA not set");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(NasBench101Benchmark::load(env).get());
}
BENCHMARK(BM_LoadJsonSources)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // Remove the synthetic files. (The static map outlives main; remove by pattern.)
  const std::string prefix = "nascpp-bench-nb101-" + std::to_string(getpid()) + "-";
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(entry);
  }
  return 0;
}
