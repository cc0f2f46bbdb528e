// NAS-Bench-201 networks and supernet: exact parameter counts against the
// benchmark's own params_mb columns, shapes, gradients, discretisation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <unordered_map>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "search_spaces/nasbench201/network.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

struct ParamCase {
  const char* dataset;  // NAS-Bench-201 dataset whose params_mb is compared
  int64_t in_channels;
  int64_t image_size;
  int64_t num_classes;
};

// Parameters / 10^6 as the benchmark prints it (six decimals).
int64_t benchmark_params(const NasBench201Benchmark& bench, int32_t index, const char* dataset) {
  const auto mb = bench.query(index, "params_mb", dataset);
  EXPECT_TRUE(mb.has_value());
  return std::llround(*mb * 1e6);
}

// NATS-Bench stores for 150 of the 15,625 cells the cost record of an
// isomorphic cell (same UniqueString) whose network has one 3x3 or 1x1
// convolution more or fewer (docs/nasbench201.md, "Parameter counts"). Such
// a row is accepted only when an isomorphic cell's network has exactly the
// benchmark's count; every other row must match exactly.
TEST(NasBench201Network, ParameterCountsEqualTheBenchmarkForSampledArchitectures) {
  NASCPP_REQUIRE_DATA_DIR();
  auto bench = NasBench201Benchmark::load_shared(test::data_dir());
  NasBench201Space space;
  Rng rng(2024);
  const ParamCase cases[] = {
      {"cifar10", 3, 32, 10}, {"cifar100", 3, 32, 100}, {"ImageNet16-120", 3, 16, 120}};
  std::unordered_map<std::string, std::vector<int32_t>> classes;
  for (int32_t i = 0; i < NasBench201Benchmark::kNumArchitectures; ++i) {
    classes[space.canonical(bench->arch_at(i))].push_back(i);
  }
  seed_torch(0);
  int exact = 0, isomorphic = 0;
  for (const auto& c : cases) {
    const NetworkSpec spec = NetworkSpec()
                                 .in_channels(c.in_channels)
                                 .image_size(c.image_size)
                                 .num_classes(c.num_classes);
    for (int i = 0; i < 300; ++i) {
      const auto index = static_cast<int32_t>(rng.uniform_int(0, 15624));
      const auto arch = bench->arch_at(index);
      const int64_t ours = count_parameters(*space.build_network(arch, spec));
      const int64_t expected = benchmark_params(*bench, index, c.dataset);
      if (ours == expected) {
        ++exact;
        continue;
      }
      bool found = false;
      for (int32_t j : classes.at(space.canonical(arch))) {
        if (j != index &&
            count_parameters(*space.build_network(bench->arch_at(j), spec)) == expected) {
          found = true;
        }
      }
      ASSERT_TRUE(found) << c.dataset << " index " << index << " " << space.format(arch) << ": "
                         << ours << " parameters, benchmark " << expected
                         << ", and no isomorphic cell has that many";
      ++isomorphic;
    }
  }
  // 150 / 15,625 rows carry an isomorphic cell's count: about 1%.
  EXPECT_EQ(exact + isomorphic, 900);
  EXPECT_LE(isomorphic, 30);
}

TEST(NasBench201Network, SpecialCellsHaveTheirKnownSizes) {
  NASCPP_REQUIRE_DATA_DIR();
  auto bench = NasBench201Benchmark::load_shared(test::data_dir());
  NasBench201Space space;
  // The best CIFAR-10 cell (6111), the all-skip cell (1835) and index 0.
  for (int32_t index : {6111, 1835, 0, 9930}) {
    const auto net = space.build_network(bench->arch_at(index), NetworkSpec());
    EXPECT_EQ(count_parameters(*net), benchmark_params(*bench, index, "cifar10")) << index;
  }
}

TEST(NasBench201Network, ForwardBackwardOnAllInputShapes) {
  seed_torch(1);
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  const auto arch = space.parse(
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
  for (auto [c, s, k] :
       {std::tuple<int64_t, int64_t, int64_t>{3, 32, 10}, {3, 16, 120}, {1, 28, 10}}) {
    auto net = space.build_network(arch, NetworkSpec().in_channels(c).image_size(s).num_classes(k));
    auto x = torch::randn({2, c, s, s});
    auto y = net->forward(x);
    ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, k}));
    y.sum().backward();
    for (const auto& p : net->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
    }
  }
}

TEST(NasBench201Network, OptionsComeFromTheConfigAndAreChecked) {
  auto cfg = ConfigNode::parse("channels: 8\ncells_per_stage: 2\n");
  auto space = search_space_registry().create("nasbench201", cfg);
  EXPECT_NO_THROW(cfg.finish());
  auto small = space->build_network(space->parse("|skip_connect~0|+|skip_connect~0|skip_connect~1|+"
                                                 "|skip_connect~0|skip_connect~1|skip_connect~2|"),
                                    NetworkSpec());
  // All-skip cells have no parameters: stem conv+BN, two ResNet blocks, head.
  const int64_t c = 8;
  const int64_t stem = 3 * 9 * c + 2 * c;
  auto block = [](int64_t in, int64_t out) {
    return (in * 9 * out + 2 * out) + (out * 9 * out + 2 * out) + in * out;
  };
  const int64_t head = 2 * 4 * c + 4 * c * 10 + 10;
  EXPECT_EQ(count_parameters(*small), stem + block(c, 2 * c) + block(2 * c, 4 * c) + head);

  auto bad = ConfigNode::parse("cells_per_stage: 0\n");
  NASCPP_EXPECT_THROW_WITH(search_space_registry().create("nasbench201", bad), ConfigError,
                           "cells_per_stage must be at least 1, got 0");
}

TEST(NasBench201Network, ImageSizesTheReductionsCannotTakeAreConfigErrors) {
  // Size 1 failed inside the reduction block's 2x2 pool (a raw LibTorch error);
  // odd sizes either failed in the residual sum or, where the pool gave 1x1,
  // broadcast it silently. Multiples of 4 build and run.
  seed_torch(3);
  NasBench201Space space(NasBench201NetworkOptions().channels(2).cells_per_stage(1));
  const auto arch = space.parse(
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
  torch::NoGradGuard no_grad;
  for (int64_t size = 1; size <= 36; ++size) {
    const auto spec = NetworkSpec().image_size(size);
    if (size % 4 == 0) {
      auto net = space.build_network(arch, spec);
      EXPECT_EQ(net->forward(torch::zeros({2, 3, size, size})).sizes(),
                torch::IntArrayRef({2, 10}));
      auto supernet = space.build_supernet(spec);
      EXPECT_EQ(supernet->forward(torch::zeros({2, 3, size, size})).sizes(),
                torch::IntArrayRef({2, 10}));
    } else {
      NASCPP_EXPECT_THROW_WITH(space.build_network(arch, spec), ConfigError,
                               "image size that is a multiple of 4");
      NASCPP_EXPECT_THROW_WITH(space.build_supernet(spec), ConfigError,
                               "got image size " + std::to_string(size));
    }
  }
}

TEST(NasBench201Network, ParameterBoundHoldsAndNetworksBeyondMemoryAreRefused) {
  seed_torch(4);
  const NasBench201NetworkOptions options;  // 16 channels, 5 cells per stage
  NasBench201Space space(options);
  const auto conv = space.parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
      "|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  for (const auto& spec : {NetworkSpec(), NetworkSpec().in_channels(1).image_size(28),
                           NetworkSpec().image_size(16).num_classes(120)}) {
    const double bound = detail::nasbench201_parameter_bound(spec, options);
    // The largest network (every edge a 3x3 convolution) and the supernet.
    const auto network = static_cast<double>(count_parameters(*space.build_network(conv, spec)));
    EXPECT_GE(bound, network);
    EXPECT_LE(bound, 1.15 * network);
    auto supernet = space.build_supernet(spec);
    double weights = 0;
    for (const auto& w : supernet->weight_parameters()) weights += static_cast<double>(w.numel());
    EXPECT_GE(bound, weights);
    EXPECT_LE(bound, 1.01 * weights);
  }
  // channels = 10^6 would allocate about 180 TB: refused before allocating.
  NasBench201Space wide(NasBench201NetworkOptions().channels(1000000));
  NASCPP_EXPECT_THROW_WITH(wide.build_network(conv, NetworkSpec()), ConfigError,
                           "nasbench201 network with channels = 1000000, cells_per_stage = 5 (3 "
                           "input channels, 10 classes, image size 32)");
  NASCPP_EXPECT_THROW_WITH(wide.build_supernet(NetworkSpec()), ConfigError,
                           "more than the memory available");
  NasBench201Space deep(NasBench201NetworkOptions().cells_per_stage(int64_t{1} << 40));
  NASCPP_EXPECT_THROW_WITH(deep.build_network(conv, NetworkSpec()), ConfigError,
                           "cells_per_stage = 1099511627776");
  NASCPP_EXPECT_THROW_WITH(space.build_network(conv, NetworkSpec().image_size(4000000)),
                           ConfigError, "image size 4000000");
}

TEST(NasBench201Network, SameSeedGivesBitIdenticalOutputs) {
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  const auto arch = space.parse(
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
  auto run = [&] {
    seed_torch(77);
    auto net = space.build_network(arch, NetworkSpec());
    return net->forward(torch::randn({2, 3, 32, 32}));
  };
  EXPECT_TRUE(torch::equal(run(), run()));
}

TEST(NasBench201Supernet, WeightedHardAndDerive) {
  seed_torch(3);
  NasBench201Supernet net(NetworkSpec().in_channels(1).image_size(28),
                          NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  EXPECT_EQ(net->arch_parameters()[0].sizes(), torch::IntArrayRef({6, 5}));
  // Architecture parameters are kept out of the weights.
  int64_t weights = 0;
  for (const auto& p : net->weight_parameters()) weights += p.numel();
  EXPECT_EQ(weights + 30, count_parameters(*net));
  // Non-affine BN inside the cells: no BN weight in any mixed op.
  for (const auto& p : net->named_parameters()) {
    if (p.key().find("_cell") != std::string::npos) {
      EXPECT_EQ(p.key().find(".bn.weight"), std::string::npos) << p.key();
    }
  }

  auto x = torch::randn({2, 1, 28, 28});
  auto y = net->forward(x);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 10}));
  y.sum().backward();
  ASSERT_TRUE(net->arch_parameters()[0].grad().defined());
  EXPECT_GT(net->arch_parameters()[0].grad().abs().sum().item<double>(), 0.0);

  // GDAS path: only the sampled candidate of each edge runs.
  for (auto& cell : net->cells()) {
    for (size_t k = 0; k < 6; ++k) cell->mixed_op(k)->reset_call_counts();
  }
  const std::vector<int64_t> idx = {3, 2, 1, 4, 0, 3};
  auto hard = torch::zeros({6, 5});
  for (int e = 0; e < 6; ++e) hard[e][idx[e]] = 1.0;
  net->forward_hard(x, {hard}, {idx});
  for (auto& cell : net->cells()) {
    for (size_t k = 0; k < 6; ++k) {
      const auto& counts = cell->mixed_op(k)->call_counts();
      for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(counts[i], i == idx[k] ? 1 : 0);
    }
  }

  // Discretisation picks the strongest op per edge.
  {
    torch::NoGradGuard guard;
    net->arch_parameters()[0].zero_();
    for (int e = 0; e < 6; ++e) net->arch_parameters()[0][e][idx[e]] = 1.0;
  }
  NasBench201Space space;
  EXPECT_EQ(net->cell_types(), std::vector<std::string>{"cell"});
  EXPECT_EQ(net->candidate_ops()[3], "nor_conv_3x3");
  EXPECT_EQ(
      space.format(net->derive()),
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
}

TEST(NasBench201Supernet, BuiltThroughTheSpaceWithItsNetworkOptions) {
  seed_torch(4);
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  const auto net = space.build_supernet(NetworkSpec().in_channels(1).image_size(28));
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->arch_parameters()[0].sizes(), torch::IntArrayRef({6, 5}));
  EXPECT_EQ(net->forward(torch::randn({2, 1, 28, 28})).sizes(), torch::IntArrayRef({2, 10}));
  NASCPP_EXPECT_THROW_WITH(net->forward_weighted(torch::randn({2, 1, 28, 28}), {}), Error,
                           "expected 1 tensors");
}

}  // namespace
}  // namespace nascpp
