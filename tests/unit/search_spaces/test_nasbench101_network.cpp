#include "search_spaces/nasbench101/network.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Matrix = std::vector<std::vector<int>>;

NasBench101Spec spec_of_matrix(const Matrix& m) {
  std::vector<std::string> ops(m.size(), "conv3x3-bn-relu");
  ops.front() = "input";
  ops.back() = "output";
  return NasBench101Space::spec_of(NasBench101Space::from_spec(m, ops));
}

TEST(NasBench101Network, ParameterCountsEqualTheBenchmarkOnThe30RealCells) {
  NASCPP_REQUIRE_DATA_DIR();
  std::ifstream in(test::data_dir() + "/nasbench101/nb101_sample30.json");
  const auto doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc.size(), 30u);
  NasBench101Space space;  // the benchmark's network: stem 128, 3 x 3 cells, 10 classes
  torch::NoGradGuard no_grad;
  for (const auto& cell : doc) {
    const Architecture a = NasBench101Space::from_spec(
        cell.at("matrix").get<Matrix>(), cell.at("ops").get<std::vector<std::string>>());
    const auto net = space.build_network(a, NetworkSpec());
    EXPECT_EQ(count_parameters(*net), cell.at("trainable_parameters").get<int64_t>())
        << space.format(a);
  }
}

// The cases of nasbench's model_builder_test (compute_vertex_channels).
TEST(NasBench101Network, VertexChannelsFollowTheOriginalBookkeeping) {
  const Matrix linear = {{0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}};
  EXPECT_EQ(nasbench101_vertex_channels(8, 8, spec_of_matrix(linear)),
            (std::vector<int64_t>{8, 8, 8, 8}));
  EXPECT_EQ(nasbench101_vertex_channels(8, 16, spec_of_matrix(linear)),
            (std::vector<int64_t>{8, 16, 16, 16}));
  EXPECT_EQ(nasbench101_vertex_channels(16, 8, spec_of_matrix(linear)),
            (std::vector<int64_t>{16, 8, 8, 8}));
  EXPECT_EQ(nasbench101_vertex_channels(1, 5, spec_of_matrix({{0, 1}, {0, 0}})),
            (std::vector<int64_t>{1, 5}));
  const Matrix branch = {{0, 1, 1, 0}, {0, 0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 0}};
  EXPECT_EQ(nasbench101_vertex_channels(8, 8, spec_of_matrix(branch)),
            (std::vector<int64_t>{8, 4, 4, 8}));
  EXPECT_EQ(nasbench101_vertex_channels(8, 15, spec_of_matrix(branch)),
            (std::vector<int64_t>{8, 8, 7, 15}));
  const Matrix three = {
      {0, 1, 1, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
  EXPECT_EQ(nasbench101_vertex_channels(8, 8, spec_of_matrix(three)),
            (std::vector<int64_t>{8, 3, 3, 2, 8}));
  EXPECT_EQ(nasbench101_vertex_channels(8, 15, spec_of_matrix(three)),
            (std::vector<int64_t>{8, 5, 5, 5, 15}));
  const Matrix max1 = {
      {0, 1, 0, 0, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
  EXPECT_EQ(nasbench101_vertex_channels(8, 9, spec_of_matrix(max1)),
            (std::vector<int64_t>{8, 5, 5, 4, 9}));
  const Matrix max2 = {
      {0, 1, 0, 1, 0}, {0, 0, 1, 0, 1}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
  EXPECT_EQ(nasbench101_vertex_channels(8, 15, spec_of_matrix(max2)),
            (std::vector<int64_t>{8, 8, 7, 7, 15}));
}

TEST(NasBench101Network, ForwardBackwardOnCifarAndFashionMnistShapes) {
  torch::manual_seed(0);
  ConfigNode cfg = ConfigNode::parse("stem_channels: 8\nnum_stacks: 3\ncells_per_stack: 1\n");
  auto space = search_space_registry().create("nasbench101", cfg);
  Rng rng(5);
  for (int i = 0; i < 3; ++i) {
    const Architecture a = space->sample(rng);
    for (const auto& [channels, size] :
         std::vector<std::pair<int64_t, int64_t>>{{3, 32}, {1, 28}}) {
      const auto net = space->build_network(
          a, NetworkSpec().in_channels(channels).image_size(size).num_classes(10));
      const auto x = torch::randn({2, channels, size, size});
      const auto y = net->forward(x);
      ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 10}));
      y.sum().backward();
      for (const auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
    }
  }
  // The input-to-output-only cell (a projection) works too.
  const auto direct =
      space->build_network(space->parse("[[0,1],[0,0]]|input,output"), NetworkSpec());
  EXPECT_EQ(direct->forward(torch::randn({1, 3, 32, 32})).sizes(), (std::vector<int64_t>{1, 10}));
}

TEST(NasBench101Network, OptionsComeFromTheConfigAndAreChecked) {
  ConfigNode cfg = ConfigNode::parse("stem_channels: 0\n");
  NASCPP_EXPECT_THROW_WITH(NasBench101NetworkOptions::from_config(cfg), ConfigError,
                           "nasbench101 stem_channels must be at least 1, got 0");
  ConfigNode bn = ConfigNode::parse("bn_momentum: 1.5\n");
  NASCPP_EXPECT_THROW_WITH(NasBench101NetworkOptions::from_config(bn), ConfigError,
                           "bn_momentum must be in (0, 1], got 1.5");
  NASCPP_EXPECT_THROW_WITH(
      NasBench101NetworkOptions().bn_eps(std::numeric_limits<double>::infinity()).validate(),
      ConfigError, "nasbench101 bn_eps must be a finite positive number, got inf");
  // The original's BatchNorm: TensorFlow momentum 0.997 = LibTorch 0.003, eps 1e-5.
  NasBench101Space space;
  const auto net = space.build_network(space.parse("[[0,1],[0,0]]|input,output"), NetworkSpec());
  int bns = 0;
  for (const auto& m : net->modules()) {
    if (const auto* b = m->as<torch::nn::BatchNorm2dImpl>()) {
      ++bns;
      EXPECT_DOUBLE_EQ(*b->options.momentum(), 0.003);
      EXPECT_DOUBLE_EQ(b->options.eps(), 1e-5);
    }
  }
  EXPECT_EQ(bns, 1 + 9);  // stem + one projection per cell
}

TEST(NasBench101Network, ParameterCountFromTheLayoutEqualsTheBuiltNetwork) {
  const auto options = NasBench101NetworkOptions().stem_channels(16).cells_per_stack(2);
  NasBench101Space space(options);
  const auto spec = NetworkSpec().in_channels(1).image_size(28).num_classes(7);
  Rng rng(7);
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 20; ++i) {
    const Architecture a = space.sample(rng);
    const auto net = space.build_network(a, spec);
    EXPECT_EQ(nasbench101_parameter_count(NasBench101Space::spec_of(a), spec, options),
              static_cast<double>(count_parameters(*net)))
        << space.format(a);
  }
}

TEST(NasBench101Network, SizesBeyondMemoryAreRefusedBeforeAnythingIsAllocated) {
  const Architecture a = NasBench101Space().parse(
      "[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]|input,conv3x3-bn-relu,maxpool3x3,output");
  // 60 stacks double the channels 59 times (an int64 overflow, formerly).
  NasBench101Space stacks(NasBench101NetworkOptions().num_stacks(60));
  NASCPP_EXPECT_THROW_WITH(stacks.build_network(a, NetworkSpec()), ConfigError,
                           "nasbench101 network with stem_channels = 128, num_stacks = 60, "
                           "cells_per_stack = 3");
  NASCPP_EXPECT_THROW_WITH(stacks.build_network(a, NetworkSpec()), ConfigError,
                           "more than the memory available");
  NasBench101Space wide(NasBench101NetworkOptions().stem_channels(int64_t{1} << 30));
  NASCPP_EXPECT_THROW_WITH(wide.build_network(a, NetworkSpec()), ConfigError,
                           "stem_channels = 1073741824");
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space().build_network(a, NetworkSpec().num_classes(int64_t{1} << 40)), ConfigError,
      "1099511627776 classes");
  // Max pools with ceil_mode take any image size, down to 1x1.
  NasBench101Space small(NasBench101NetworkOptions().stem_channels(4).cells_per_stack(1));
  torch::NoGradGuard no_grad;
  for (int64_t size : {1, 2, 3, 5, 7}) {
    const auto net = small.build_network(a, NetworkSpec().image_size(size));
    EXPECT_EQ(net->forward(torch::zeros({2, 3, size, size})).sizes(),
              (std::vector<int64_t>{2, 10}));
  }
}

TEST(NasBench101Network, SameSeedGivesIdenticalOutputs) {
  NasBench101Space space(NasBench101NetworkOptions().stem_channels(8).cells_per_stack(1));
  const Architecture a = space.parse(
      "[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]|input,"
      "conv3x3-bn-relu,maxpool3x3,output");
  torch::manual_seed(1);
  const auto x = torch::randn({2, 3, 32, 32});
  torch::manual_seed(2);
  const auto y1 = space.build_network(a, NetworkSpec())->forward(x);
  torch::manual_seed(2);
  const auto y2 = space.build_network(a, NetworkSpec())->forward(x);
  EXPECT_TRUE(torch::equal(y1, y2));
}

}  // namespace
}  // namespace nascpp
