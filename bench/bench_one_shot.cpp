// One search step of DARTS (first or second order) or GDAS on the
// NAS-Bench-201 supernet (C=16, 5 cells per stage, 10 classes), batch 64 of
// 3x32x32 random inputs: milliseconds per step and the process's peak RSS.
// Run each method in its own process, so that the peak belongs to it:
//
//   build/bench/bench_one_shot --method darts [--steps 5] [--threads 0] [--device cpu]
//   build/bench/bench_one_shot --method gdas
//   build/bench/bench_one_shot --method darts2     (second order)
//   build/bench/bench_one_shot --method gdas --profile 5
//
// --profile N: N more steps under LibTorch's profiler, then where a step's
// time goes: each phase (the architecture and the weight step) and the ops
// by self time (their time without the ops they call), per step.
#include <sys/resource.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
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

// Runs `steps` under LibTorch's (legacy, CPU) profiler and prints, per step,
// each nascpp phase's time and the ops with the most self time.
template <class Step>
void profile(int steps, Step&& step) {
  namespace prof = torch::autograd::profiler;
  using torch::profiler::impl::ProfilerConfig;
  using torch::profiler::impl::ProfilerState;
  prof::enableProfilerLegacy(ProfilerConfig(ProfilerState::CPU));
  for (int s = 0; s < steps; ++s) step();
  const prof::thread_event_lists lists = prof::disableProfilerLegacy();
  struct Open {
    const prof::LegacyEvent* push;
    double children_us;
  };
  struct Total {
    double self_us = 0.0;
    int64_t calls = 0;
  };
  std::map<std::string, Total> ops;
  std::map<std::string, double> phases;
  double top_level_us = 0.0;
  for (const auto& list : lists) {
    std::vector<Open> open;
    for (const auto& e : list) {
      if (e.kindStr() == "push") {
        open.push_back({&e, 0.0});
      } else if (e.kindStr() == "pop") {
        // The matching push: the innermost open range with the same handle.
        auto it = std::find_if(open.rbegin(), open.rend(),
                               [&](const Open& o) { return o.push->handle() == e.handle(); });
        if (it == open.rend()) continue;
        const size_t at = static_cast<size_t>(open.rend() - it) - 1;
        const Open range = open[at];
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(at), open.end());
        const double total = range.push->cpuElapsedUs(e);
        const std::string name = range.push->name();
        if (name.rfind("nascpp::", 0) == 0) {
          phases[name] += total;
          top_level_us += total;
        } else {
          ops[name].self_us += total - range.children_us;
          ++ops[name].calls;
        }
        if (!open.empty()) open.back().children_us += total;
      }
    }
  }
  std::vector<std::pair<std::string, Total>> sorted(ops.begin(), ops.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  const double per_step = 1.0 / (1000.0 * steps);  // us over all steps -> ms per step
  std::cout << "profile over " << steps << " steps (ms per step; LibTorch's profiler adds its "
            << "own overhead):\n";
  for (const auto& [name, us] : phases) {
    std::cout << "  phase " << name << ": " << us * per_step << "\n";
  }
  std::cout << "  ops by self time:\n";
  double shown = 0.0;
  for (size_t i = 0; i < sorted.size() && i < 25; ++i) {
    const auto& [name, t] = sorted[i];
    shown += t.self_us;
    std::cout << "    " << name << ": " << t.self_us * per_step << " ("
              << 100.0 * t.self_us / std::max(top_level_us, 1e-9) << "%, "
              << static_cast<double>(t.calls) / steps << " calls)\n";
  }
  std::cout << "    (the other " << (sorted.size() > 25 ? sorted.size() - 25 : 0)
            << " op kinds: " << (top_level_us - shown) * per_step << ")\n";
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
    int profile_steps = 0;
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
      } else if (arg == "--profile") {
        profile_steps = std::stoi(value);
      } else {
        throw ConfigError(unknown_choice_message("option", arg,
                                                 {"--method", "--steps", "--threads", "--device",
                                                  "--batch", "--tune-malloc", "--profile"}));
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
    if (profile_steps > 0) {
      profile(profile_steps, [&] {
        optimizer->step(tx, ty, vx, vy);
        sync();
      });
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
