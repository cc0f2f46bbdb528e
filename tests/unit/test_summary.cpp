#include "nascpp/summary.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "nascpp/core/csv.h"
#include "nascpp/core/random.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// Multiply-accumulates of a NAS-Bench-201 network derived by hand from the
// macro skeleton (Dong & Yang 2020, Fig. 1): stem 3x3 conv 3->C at HxW; three
// stages of 5 cells with C, 2C, 4C channels at H, H/2, H/4, where every
// nor_conv_3x3 edge costs (H*W) * C^2 * 9 and every nor_conv_1x1 edge
// (H*W) * C^2; two ResNet blocks (3x3 stride-2 conv C->2C, 3x3 conv 2C->2C, and
// a 1x1 conv C->2C after a 2x2 average pool, all at the output size); the
// linear classifier 4C -> classes.
int64_t nb201_macs(const NasBench201Space::Ops& ops, int64_t hw, int64_t classes) {
  const int64_t c0 = 16;
  int64_t conv3 = 0, conv1 = 0;
  for (const auto op : ops) {
    conv3 += NasBench201Space::op_names()[static_cast<size_t>(op)] == "nor_conv_3x3";
    conv1 += NasBench201Space::op_names()[static_cast<size_t>(op)] == "nor_conv_1x1";
  }
  int64_t macs = hw * hw * 3 * c0 * 9;
  for (int64_t stage = 0; stage < 3; ++stage) {
    const int64_t c = c0 << stage, side = hw >> stage;
    macs += 5 * side * side * c * c * (9 * conv3 + conv1);
    if (stage > 0) {
      const int64_t c_in = c / 2;
      macs += side * side * (c_in * c * 9 + c * c * 9 + c_in * c);
    }
  }
  return macs + 4 * c0 * classes;
}

// Parameters against NAS-Bench-Suite-Zero's records (`params` in units of
// 1e6), MACs against the hand derivation above, on all three datasets.
TEST(Summary, ParametersMatchTheBenchmarkAndMacsTheSkeleton) {
  NASCPP_REQUIRE_DATA_DIR();
  CsvReader csv(test::data_dir() + "/nas-bench-suite-zero/zc_nasbench201.flat.csv");
  const auto dataset = csv.column("dataset");
  const auto arch_col = csv.column("arch_str");
  const auto params_col = csv.column("params_score");
  const std::map<std::string, NetworkSpec> specs = {
      {"cifar10", NetworkSpec().image_size(32).num_classes(10)},
      {"cifar100", NetworkSpec().image_size(32).num_classes(100)},
      {"ImageNet16-120", NetworkSpec().image_size(16).num_classes(120)}};
  NasBench201Space space;
  std::map<std::string, int> checked;
  while (csv.next_row()) {
    const std::string name(csv.field(dataset));
    if (checked[name] >= 6) continue;
    ++checked[name];
    const auto& spec = specs.at(name);
    const auto arch = space.parse(std::string(csv.field(arch_col)));
    seed_torch(0);
    auto net = space.build_network(arch, spec);
    const auto s = summarize(*net, spec);
    EXPECT_EQ(s.macs,
              nb201_macs(NasBench201Space::ops_of(arch), spec.image_size(), spec.num_classes()))
        << name << " " << csv.field(arch_col);
    EXPECT_EQ(s.parameters, s.parameters_without_auxiliary);
    EXPECT_NEAR(static_cast<double>(s.parameters), csv.number(params_col) * 1e6, 1.0)
        << name << " " << csv.field(arch_col);
  }
  EXPECT_EQ(checked.size(), 3u);
}

TEST(Summary, LayersAddUpAndTrainingModeIsRestored) {
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  const auto spec = NetworkSpec().in_channels(1).image_size(28);
  auto net = space.build_network(space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|"
                                             "+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"),
                                 spec);
  net->train();
  const auto s = summarize(*net, spec, 2);
  EXPECT_TRUE(net->is_training());
  EXPECT_EQ(s.parameters, count_parameters(*net));
  int64_t top = 0;
  for (const auto& layer : s.layers) {
    if (layer.name.find('.') == std::string::npos) top += layer.parameters;
  }
  EXPECT_EQ(top, s.parameters);
  EXPECT_GT(s.layers.size(), 3u);
  EXPECT_GT(s.macs, 0);
}

}  // namespace
}  // namespace nascpp
