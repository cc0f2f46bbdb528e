// Every built-in search space trains through the same Trainer: a sampled
// architecture of each, small network options, one epoch on synthetic data.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "nascpp/train/trainer.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

struct SpaceCase {
  const char* name;
  const char* options;  // the search_space section
};

class TrainAllSpaces : public ::testing::TestWithParam<SpaceCase> {};

TEST_P(TrainAllSpaces, SampledArchitectureTrainsAndEvaluates) {
  const auto& c = GetParam();
  auto cfg = ConfigNode::parse(c.options);
  auto space = search_space_registry().create(c.name, cfg);
  cfg.finish();
  Rng rng(3);
  const auto arch = space->sample(rng);
  seed_torch(5);
  const auto spec = NetworkSpec().in_channels(3).image_size(32).num_classes(10);
  auto net = space->build_network(arch, spec);
  ImageSet data{torch::randint(0, 256, {48, 3, 32, 32}).to(torch::kUInt8),
                torch::randint(0, 10, {48}, torch::kInt64)};
  std::vector<torch::Tensor> before;
  for (const auto& p : net->parameters()) before.push_back(p.detach().clone());
  Trainer trainer(
      TrainerOptions().epochs(2).batch_size(16).log_every(0).drop_path_prob(0.2).augment(
          AugmentOptions().crop_padding(4).horizontal_flip(true)),
      {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25});
  const auto history = trainer.fit(*net, data, &data);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(std::isfinite(history[1].train_loss)) << space->format(arch);
  EXPECT_TRUE(std::isfinite(history[1].valid_top1));
  bool changed = false;
  const auto after = net->parameters();
  for (size_t i = 0; i < before.size(); ++i)
    changed = changed || !torch::equal(before[i], after[i]);
  EXPECT_TRUE(changed) << space->format(arch);
  const auto m = trainer.evaluate(*net, data);
  EXPECT_EQ(m.images, 48);
}

INSTANTIATE_TEST_SUITE_P(
    BuiltinSpaces, TrainAllSpaces,
    ::testing::Values(SpaceCase{"nasbench201", "channels: 4\ncells_per_stage: 1\n"},
                      SpaceCase{"nasbench101",
                                "stem_channels: 8\nnum_stacks: 2\ncells_per_stack: 1\n"},
                      SpaceCase{"darts", "channels: 8\nlayers: 5\nauxiliary: true\n"}),
    [](const ::testing::TestParamInfo<SpaceCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace nascpp
