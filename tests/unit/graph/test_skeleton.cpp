// The public staged skeleton (nascpp/graph/skeleton.h): a cell of one's own
// stacked into a network, exact parameter counts from the layers' shapes,
// the per-op parameter model, size checks and options.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nascpp/core/random.h"
#include "nascpp/graph/cell.h"
#include "nascpp/graph/skeleton.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// One edge 0 -> 1 carrying ReLU -> 3x3 conv -> BN: 9c^2 + 2c parameters.
Graph one_conv_cell() {
  Graph g;
  g.add_input("0").add_output("1").add_edge("0", "1", OpSlot::fixed("nor_conv_3x3"));
  return g;
}

class OneConvNetImpl : public Network {
 public:
  OneConvNetImpl(const NetworkSpec& spec, const SkeletonOptions& options) {
    const Graph graph = one_conv_cell();
    skeleton.build(*this, spec, options,
                   [&graph](int64_t c) { return Cell(graph, CellOptions(c)); });
  }
  torch::Tensor forward(torch::Tensor images) override {
    return skeleton.forward(images,
                            [](Cell& cell, const torch::Tensor& x) { return cell->forward({x}); });
  }
  StagedSkeleton<Cell> skeleton;
};
TORCH_MODULE(OneConvNet);

TEST(StagedSkeleton, StacksACellOfOnesOwnWithTheLayoutAsked) {
  seed_torch(11);
  const auto options = SkeletonOptions()
                           .channels(4)
                           .stages(3)
                           .cells_per_stage(2)
                           .reduction("nor_conv_3x3")
                           .head_bn_relu(false);
  const auto spec = NetworkSpec().in_channels(1).image_size(16).num_classes(7);
  OneConvNet net(spec, options);

  // Stem 3x3 conv (no bias) + BN; per stage two cells of 9c^2 + 2c; a
  // stride-2 ReLU-conv-BN from c to 2c between stages; a linear head (no BN).
  auto conv_bn = [](int64_t in, int64_t out) { return 9 * in * out + 2 * out; };
  int64_t expected = conv_bn(1, 4);
  for (int64_t c : {4, 8, 16}) {
    if (c > 4) expected += conv_bn(c / 2, c);
    expected += 2 * conv_bn(c, c);
  }
  expected += 16 * 7 + 7;
  EXPECT_EQ(count_parameters(*net), expected);

  std::vector<std::string> names;
  for (const auto& child : net->named_children()) names.push_back(child.key());
  EXPECT_EQ(names, (std::vector<std::string>{"stem", "stage0_cell0", "stage0_cell1", "reduction1",
                                             "stage1_cell0", "stage1_cell1", "reduction2",
                                             "stage2_cell0", "stage2_cell1", "head"}));
  EXPECT_EQ(net->skeleton.cells().size(), 6u);

  auto logits = net->forward(torch::randn({2, 1, 16, 16}));
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({2, 7}));
  logits.sum().backward();
  for (const auto& p : net->named_parameters()) {
    EXPECT_TRUE(p.value().grad().defined()) << p.key();
  }
}

TEST(StagedSkeleton, OpParameterModelIsExactForConvolutionalOps) {
  const auto conv = op_parameter_model("nor_conv_3x3", OpArgs(1, 1));
  EXPECT_DOUBLE_EQ(conv.a, 9.0);
  EXPECT_DOUBLE_EQ(conv.b, 2.0);
  // The ResNet basic block from c to 2c: two 3x3 ReLU-conv-BN and a 1x1 shortcut.
  const auto block = op_parameter_model("resnet_basic_block", OpArgs(1, 1), 2, 2);
  EXPECT_DOUBLE_EQ(block.a, 56.0);
  EXPECT_DOUBLE_EQ(block.b, 8.0);
  auto built = make_op("resnet_basic_block", OpArgs(24, 48, 2));
  EXPECT_DOUBLE_EQ(block.at(24), static_cast<double>(count_parameters(*built.ptr())));
  const auto none = op_parameter_model("none", OpArgs(1, 1));
  EXPECT_DOUBLE_EQ(none.at(100), 0.0);
}

TEST(StagedSkeleton, SizesTheSkeletonCannotTakeAreConfigErrors) {
  auto cell = [](double c) { return 9.0 * c * c + 2.0 * c; };
  const auto three = SkeletonOptions();
  EXPECT_NO_THROW(check_skeleton_sizes(NetworkSpec().image_size(28), three, "one_conv network",
                                       cell));
  NASCPP_EXPECT_THROW_WITH(
      check_skeleton_sizes(NetworkSpec().image_size(6), three, "one_conv network", cell),
      ConfigError, "one_conv network needs an image size that is a multiple of 4");
  NASCPP_EXPECT_THROW_WITH(check_skeleton_sizes(NetworkSpec().image_size(28),
                                                SkeletonOptions().stages(4), "net", cell),
                           ConfigError, "multiple of 8 (its 3 reductions");
  // One stage has no reduction: any size.
  EXPECT_NO_THROW(
      check_skeleton_sizes(NetworkSpec().image_size(5), SkeletonOptions().stages(1), "net", cell));
  NASCPP_EXPECT_THROW_WITH(check_skeleton_sizes(NetworkSpec(), SkeletonOptions().channels(1000000),
                                                "one_conv network", cell),
                           ConfigError, "more than the memory available");
}

TEST(StagedSkeleton, OptionsComeFromTheConfigAndAreChecked) {
  auto cfg = ConfigNode::parse(
      "channels: 8\nstages: 2\ncells_per_stage: 1\nreduction: nor_conv_3x3\nhead_bn_relu: false\n");
  const auto options = SkeletonOptions::from_config(cfg);
  EXPECT_NO_THROW(cfg.finish());
  EXPECT_EQ(options.channels(), 8);
  EXPECT_EQ(options.stages(), 2);
  EXPECT_EQ(options.cells_per_stage(), 1);
  EXPECT_EQ(options.reduction(), "nor_conv_3x3");
  EXPECT_FALSE(options.head_bn_relu());

  auto empty = ConfigNode::parse("{}");
  const auto preset = SkeletonOptions::from_config(empty);
  EXPECT_EQ(preset.describe(), SkeletonOptions::nasbench201().describe());
  EXPECT_EQ(preset.describe(),
            "channels = 16, stages = 3, cells_per_stage = 5, reduction = resnet_basic_block");

  auto bogus = ConfigNode::parse("reduction: bogus\n");
  NASCPP_EXPECT_THROW_WITH(SkeletonOptions::from_config(bogus), ConfigError,
                           "unknown skeleton reduction op 'bogus'");
  auto bogus2 = ConfigNode::parse("reduction: bogus\n");
  NASCPP_EXPECT_THROW_WITH(SkeletonOptions::from_config(bogus2), ConfigError,
                           "resnet_basic_block");
  auto deep = ConfigNode::parse("stages: 9\n");
  NASCPP_EXPECT_THROW_WITH(SkeletonOptions::from_config(deep), ConfigError,
                           "stages must be in [1, 8]");
  auto narrow = ConfigNode::parse("channels: 1\n");
  NASCPP_EXPECT_THROW_WITH(SkeletonOptions::from_config(narrow), ConfigError,
                           "channels must be at least 2, got 1");
}

}  // namespace
}  // namespace nascpp
