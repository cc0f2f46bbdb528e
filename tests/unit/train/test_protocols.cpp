// Named evaluation protocols fill the keys a configuration leaves unset with
// the papers' values, and nothing else.
#include "nascpp/train/protocols.h"

#include <gtest/gtest.h>

#include "nascpp/core/error.h"
#include "nascpp/train/trainer.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(TrainingProtocols, DartsFillsTrainingAndNetworkKeys) {
  auto cfg = ConfigNode::parse("search_space: {name: darts, layers: 8}\ntrain: {epochs: 2}\n");
  apply_training_protocol(cfg, "darts");
  const auto raw = cfg.raw();
  EXPECT_EQ(raw["search_space"]["channels"].as<int>(), 36);
  EXPECT_EQ(raw["search_space"]["layers"].as<int>(), 8);  // given: kept
  EXPECT_TRUE(raw["search_space"]["auxiliary"].as<bool>());
  auto train = cfg.section("train");
  const auto options = TrainerOptions::from_config(train);
  EXPECT_EQ(options.epochs(), 2);  // given: kept
  EXPECT_EQ(options.batch_size(), 96);
  EXPECT_DOUBLE_EQ(options.learning_rate(), 0.025);
  EXPECT_DOUBLE_EQ(options.weight_decay(), 3e-4);
  EXPECT_DOUBLE_EQ(options.grad_clip(), 5.0);
  EXPECT_DOUBLE_EQ(options.auxiliary_weight(), 0.4);
  EXPECT_DOUBLE_EQ(options.drop_path_prob(), 0.2);
  EXPECT_EQ(options.augment().cutout_length(), 16);
  EXPECT_EQ(options.augment().crop_padding(), 4);
}

TEST(TrainingProtocols, NasBench201AppliesToTheDefaultSpaceOnly) {
  auto cfg = ConfigNode::parse("train: {augment: {horizontal_flip: false}}\n");
  apply_training_protocol(cfg, "nasbench201");
  EXPECT_EQ(cfg.raw()["search_space"]["cells_per_stage"].as<int>(), 5);
  auto train = cfg.section("train");
  const auto options = TrainerOptions::from_config(train);
  EXPECT_EQ(options.epochs(), 200);
  EXPECT_EQ(options.batch_size(), 256);
  EXPECT_TRUE(options.nesterov());
  EXPECT_DOUBLE_EQ(options.weight_decay(), 5e-4);
  EXPECT_FALSE(options.augment().horizontal_flip());  // given: kept

  // Another space keeps its network; only the training keys apply.
  auto darts = ConfigNode::parse("search_space: {name: darts}\n");
  apply_training_protocol(darts, "nasbench201");
  EXPECT_FALSE(darts.raw()["search_space"]["cells_per_stage"]);
  EXPECT_EQ(darts.raw()["train"]["epochs"].as<int>(), 200);
}

TEST(TrainingProtocols, UnknownNameListsTheProtocols) {
  auto cfg = ConfigNode::parse("{}");
  NASCPP_EXPECT_THROW_WITH(apply_training_protocol(cfg, "nb201"), ConfigError, "nasbench201");
  EXPECT_EQ(training_protocols(), (std::vector<std::string>{"nasbench201", "darts"}));
}

}  // namespace
}  // namespace nascpp
