// CUDA: the networks, both one-shot methods and a whole experiment on the GPU.
// Skipped where LibTorch has no CUDA or the machine has no GPU (every CPU-only
// CI run); scripts/gpu_check.sh runs them, built against a CUDA LibTorch, on a
// GPU machine (docs/gpu.md).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>

#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/experiment.h"
#include "nascpp/registries.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"
#include "search_spaces/darts/darts.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

#define NASCPP_REQUIRE_CUDA()                                                      \
  do {                                                                             \
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (LibTorch or GPU)"; \
  } while (false)

// The same network (same initial weights) gives the same logits on both devices.
void expect_same_outputs_on_cpu_and_cuda(const SearchSpace& space, const NetworkSpec& spec,
                                         uint64_t seed) {
  Rng rng(seed);
  const auto arch = space.sample(rng);
  seed_torch(seed);
  auto net = space.build_network(arch, spec);
  net->eval();
  const auto x = torch::randn({4, spec.in_channels(), spec.image_size(), spec.image_size()});
  torch::NoGradGuard no_grad;
  const auto cpu = net->forward(x);
  net->to(torch::kCUDA);
  const auto cuda = net->forward(x.to(torch::kCUDA));
  ASSERT_TRUE(cuda.is_cuda());
  EXPECT_TRUE(torch::allclose(cpu, cuda.cpu(), 1e-3, 1e-4))
      << space.name() << " " << space.format(arch) << ": max difference "
      << (cpu - cuda.cpu()).abs().max().item<double>();
}

TEST(Cuda, NetworksGiveTheCpuOutputs) {
  NASCPP_REQUIRE_CUDA();
  const auto spec = NetworkSpec().in_channels(3).image_size(32).num_classes(10);
  expect_same_outputs_on_cpu_and_cuda(NasBench201Space(), spec, 1);
  expect_same_outputs_on_cpu_and_cuda(
      NasBench101Space(NasBench101NetworkOptions().stem_channels(16).cells_per_stack(1)), spec, 2);
  expect_same_outputs_on_cpu_and_cuda(
      DartsSpace(DartsNetworkOptions().channels(8).layers(5), DartsSupernetOptions()), spec, 3);
}

// A search step of each method on each supernet runs on the GPU: the alphas
// stay there, move and stay finite.
TEST(Cuda, OneShotStepsRunOnTheGpu) {
  NASCPP_REQUIRE_CUDA();
  const auto spec = NetworkSpec().in_channels(3).image_size(16).num_classes(10);
  auto nb201 = ConfigNode::parse("{channels: 8, cells_per_stage: 1}");
  auto darts = ConfigNode::parse("{supernet: {channels: 4, layers: 3}}");
  for (const char* space_name : {"nasbench201", "darts"}) {
    for (const char* method : {"darts", "darts2", "gdas"}) {
      SCOPED_TRACE(std::string(space_name) + " " + method);
      seed_torch(0);
      auto cfg = std::string(space_name) == "darts" ? darts : nb201;
      auto space = search_space_registry().create(space_name, cfg);
      auto supernet = space->build_supernet(spec);
      std::unique_ptr<OneShotOptimizer> optimizer;
      if (std::string(method) == "gdas") {
        optimizer = std::make_unique<GdasOptimizer>();
      } else {
        optimizer = std::make_unique<DartsOptimizer>(
            DartsOptions().second_order(std::string(method) == "darts2"));
      }
      optimizer->attach(supernet, torch::kCUDA);
      optimizer->new_epoch(0, 2);
      std::vector<torch::Tensor> before;
      for (const auto& a : supernet->arch_parameters()) before.push_back(a.detach().cpu().clone());
      const auto x = torch::randn({8, 3, 16, 16});
      const auto y = torch::randint(10, {8}, torch::kInt64);
      for (int s = 0; s < 2; ++s) optimizer->step(x, y, x, y);
      double moved = 0.0;
      const auto alphas = supernet->arch_parameters();
      for (size_t i = 0; i < alphas.size(); ++i) {
        ASSERT_TRUE(alphas[i].is_cuda());
        ASSERT_TRUE(torch::isfinite(alphas[i]).all().item<bool>());
        moved += (alphas[i].detach().cpu() - before[i]).abs().sum().item<double>();
      }
      EXPECT_GT(moved, 0.0);
      EXPECT_FALSE(space->format(supernet->derive()).empty());
    }
  }
}

// The default experiment's kind (a GDAS search, then the final training) with
// both phases on the GPU, shrunk to seconds.
TEST(Cuda, ExperimentSearchesAndTrainsOnTheGpu) {
  NASCPP_REQUIRE_CUDA();
  test::TempDir tmp;
  auto cfg = ConfigNode::load_file(std::string(NASCPP_TEST_SOURCE_DIR) +
                                   "/examples/configs/main.yaml");
  for (const char* o : {"optimizer.epochs=2", "search.device=cuda", "search.train_limit=1024",
                        "final.train.device=cuda", "final.train.epochs=1",
                        "final.train.train_limit=2048", "benchmark.required=false"}) {
    cfg.apply_override(o);
  }
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.steps, 2);
  EXPECT_FALSE(s.architecture.empty());
  ASSERT_TRUE(s.has_final);
  EXPECT_GT(s.final_test_top1, 20.0);  // 10 classes: chance is 10%
}

}  // namespace
}  // namespace nascpp
