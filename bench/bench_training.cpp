// Training throughput (images per second) of whole training steps through the
// BatchLoader and Trainer, and the loader alone, on CPU (and CUDA when
// available: --benchmark_filter=Cuda). The loader must be much faster than
// training, so data never is the bottleneck.
//
//   build/bench/bench_training [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "nascpp/core/device.h"
#include "nascpp/core/random.h"
#include "nascpp/data/loader.h"
#include "nascpp/registries.h"
#include "nascpp/train/trainer.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "tests/support/darts_genotypes.h"

namespace {

using namespace nascpp;

// The best NAS-Bench-201 cell by cifar10-valid validation accuracy (index 6111).
constexpr const char* kNb201Best =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_1x1~2|";

ImageSet cifar_like(int64_t n) {
  seed_torch(0);
  return ImageSet{torch::randint(0, 256, {n, 3, 32, 32}).to(torch::kUInt8),
                  torch::randint(0, 10, {n}, torch::kInt64)};
}

const std::vector<double> kMean = {0.49, 0.48, 0.45};
const std::vector<double> kStd = {0.25, 0.24, 0.26};
const auto kCifarAugment = AugmentOptions().crop_padding(4).horizontal_flip(true);

// Loader alone: shuffle, crop, flip, normalise (and cutout in the DARTS setting).
void BM_Loader(benchmark::State& state) {
  set_num_threads(0);
  const auto data = cifar_like(8192);
  auto augment = kCifarAugment;
  if (state.range(1) != 0) augment.cutout_length(16);
  BatchLoader loader(data, kMean, kStd,
                     LoaderOptions().batch_size(state.range(0)).augment(augment).prefetch(0));
  int64_t images = 0, epoch = 0;
  loader.start_epoch(epoch);
  for (auto _ : state) {
    auto batch = loader.next();
    if (!batch) {
      loader.start_epoch(++epoch);
      batch = loader.next();
    }
    images += batch->labels.size(0);
    benchmark::DoNotOptimize(batch->images.data_ptr());
  }
  state.counters["img/s"] =
      benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Loader)->Args({64, 0})->Args({96, 1})->Args({256, 0})->Unit(benchmark::kMillisecond);

// One epoch of `images` through the Trainer (loader with prefetch, forward,
// backward, SGD step) on all cores; by default the NAS-Bench-201 best cell,
// C=16, N=5.
void train_epochs(benchmark::State& state, const std::string& device,
                  const std::string& space_yaml = "{name: nasbench201}",
                  const std::string& arch = kNb201Best, double auxiliary_weight = 0.0) {
  set_num_threads(0);
  const auto data = cifar_like(state.range(1));
  auto space_cfg = ConfigNode::parse(space_yaml);
  auto space = search_space_registry().create(space_cfg.get<std::string>("name", ""), space_cfg);
  const auto spec = NetworkSpec();
  seed_torch(1);
  auto net = space->build_network(space->parse(arch), spec);
  Trainer trainer(TrainerOptions()
                      .epochs(1)
                      .batch_size(state.range(0))
                      .log_every(0)
                      .augment(kCifarAugment)
                      .auxiliary_weight(auxiliary_weight)
                      .device(device),
                  kMean, kStd);
  int64_t images = 0;
  for (auto _ : state) {
    trainer.fit(*net, data);
    images += data.size();
  }
  state.counters["img/s"] =
      benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}

void BM_TrainNb201BestCpu(benchmark::State& state) { train_epochs(state, "cpu"); }
BENCHMARK(BM_TrainNb201BestCpu)
    ->Args({64, 512})
    ->Args({256, 1024})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// DARTS_V2 cells in a smaller evaluation network (C=16, 8 cells, no auxiliary
// head) than DARTS' C=36, 20 cells, so that an epoch takes seconds on CPU.
void BM_TrainDartsV2Cpu(benchmark::State& state) {
  train_epochs(state, "cpu", "{name: darts, channels: 16, layers: 8, auxiliary: false}",
               test::kDartsV2);
}
BENCHMARK(BM_TrainDartsV2Cpu)->Args({64, 256})->Unit(benchmark::kSecond)->Iterations(1);

// DARTS_V2 in DARTS' evaluation network: C=36, 20 cells, auxiliary head
// (weight 0.4), batch 96 as in DARTS' train.py.
void BM_TrainDartsV2FullCpu(benchmark::State& state) {
  train_epochs(state, "cpu", "{name: darts, channels: 36, layers: 20, auxiliary: true}",
               test::kDartsV2, 0.4);
}
BENCHMARK(BM_TrainDartsV2FullCpu)->Args({96, 192})->Unit(benchmark::kSecond)->Iterations(1);

void BM_TrainNb201BestCuda(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  train_epochs(state, "cuda");
}
BENCHMARK(BM_TrainNb201BestCuda)->Args({256, 16384})->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
