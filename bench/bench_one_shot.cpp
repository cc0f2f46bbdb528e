// One search step of DARTS (first or second order) or GDAS on the
// NAS-Bench-201 supernet (C=16, 5 cells per stage, 10 classes), batch 64 of
// 3x32x32 random inputs: milliseconds per step and the process's peak RSS.
// Run each method in its own process, so that the peak belongs to it:
//
//   build/bench/bench_one_shot --method darts [--steps 5] [--threads 0] [--device cpu]
//   build/bench/bench_one_shot --method gdas
//   build/bench/bench_one_shot --method darts2     (second order)
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/memory.h"
#include "nascpp/core/random.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nascpp;
  try {
    std::string method = "darts";
    std::string device_name = "cpu";
    int steps = 5;
    int threads = 0;
    int64_t batch = 64;
    int tune_malloc = 1;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      NASCPP_CHECK_CONFIG(i + 1 < argc, "option '{}' needs a value", arg);
      const std::string value = argv[++i];
      if (arg == "--method") {
        method = value;
      } else if (arg == "--steps") {
        steps = std::stoi(value);
      } else if (arg == "--threads") {
        threads = std::stoi(value);
      } else if (arg == "--device") {
        device_name = value;
      } else if (arg == "--batch") {
        batch = std::stoll(value);
      } else if (arg == "--tune-malloc") {
        tune_malloc = std::stoi(value);
      } else {
        throw ConfigError(unknown_choice_message(
            "option", arg,
            {"--method", "--steps", "--threads", "--device", "--batch", "--tune-malloc"}));
      }
    }
    NASCPP_CHECK_CONFIG(method == "darts" || method == "darts2" || method == "gdas", "{}",
                        unknown_choice_message("method", method, {"darts", "darts2", "gdas"}));
    NASCPP_CHECK_CONFIG(steps >= 1, "--steps must be at least 1, got {}", steps);
    // As the nascpp program does (nascpp/core/memory.h); --tune-malloc 0
    // measures glibc's defaults.
    if (tune_malloc != 0) tune_allocator();
    const int used_threads = set_num_threads(threads);
    const torch::Device device = parse_device(device_name);

    seed_torch(0);
    NasBench201Space space;  // C = 16, N = 5
    auto supernet =
        space.build_supernet(NetworkSpec().in_channels(3).image_size(32).num_classes(10));
    std::unique_ptr<OneShotOptimizer> optimizer;
    if (method == "gdas") {
      optimizer = std::make_unique<GdasOptimizer>();
    } else {
      optimizer = std::make_unique<DartsOptimizer>(DartsOptions().second_order(method == "darts2"));
    }
    optimizer->attach(supernet, device);
    optimizer->new_epoch(0, 50);
    const auto tx = torch::randn({batch, 3, 32, 32});
    const auto ty = torch::randint(10, {batch}, torch::kInt64);
    const auto vx = torch::randn({batch, 3, 32, 32});
    const auto vy = torch::randint(10, {batch}, torch::kInt64);
    auto sync = [&] {
      if (device.is_cuda()) torch::cuda::synchronize();
    };

    optimizer->step(tx, ty, vx, vy);  // warm-up (allocations, kernel selection)
    sync();
    std::vector<double> ms;
    for (int s = 0; s < steps; ++s) {
      const auto start = std::chrono::steady_clock::now();
      optimizer->step(tx, ty, vx, vy);
      sync();
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(ms.begin(), ms.end());
    double mean = 0.0;
    for (double m : ms) mean += m;
    mean /= static_cast<double>(ms.size());
    std::cout << "method " << method << ", device " << device.str() << ", threads " << used_threads
              << ", batch " << batch << ", steps " << steps
              << ", allocator " << (tune_malloc != 0 ? "tuned" : "glibc defaults") << "\n"
              << "ms per step: median " << ms[ms.size() / 2] << ", min " << ms.front() << ", mean "
              << mean << "\n"
              << "peak RSS: " << peak_rss_mb() << " MB\n";
    if (device.is_cuda()) {
      std::cout << "note: peak RSS is host memory; see nvidia-smi for GPU memory\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
