#include "nascpp/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "nascpp/core/random.h"
#include "nascpp/data/fashion_mnist.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// Random uint8 images and labels drawn from torch's (seeded) generator.
ImageSet synthetic(int64_t n, int64_t channels, int64_t size) {
  ImageSet s;
  s.images = torch::randint(0, 256, {n, channels, size, size}).to(torch::kUInt8);
  s.labels = torch::randint(0, 10, {n}, torch::kInt64);
  return s;
}

std::shared_ptr<Network> small_network() {
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  return space.build_network(
      space.parse("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|"
                  "nor_conv_3x3~2|"),
      NetworkSpec().in_channels(1).image_size(12));
}

TEST(Trainer, SameSeedGivesBitIdenticalWeights) {
  auto train_once = [] {
    seed_torch(11);
    const auto data = synthetic(96, 1, 12);
    auto net = small_network();
    Trainer trainer(TrainerOptions().epochs(2).batch_size(32).log_every(0), {0.5}, {0.25});
    trainer.fit(*net, data);
    return net->parameters();
  };
  const auto a = train_once();
  const auto b = train_once();
  ASSERT_EQ(a.size(), b.size());
  bool changed = false;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
  seed_torch(11);
  synthetic(96, 1, 12);
  const auto fresh = small_network()->parameters();
  for (size_t i = 0; i < a.size(); ++i) changed = changed || !torch::equal(a[i], fresh[i]);
  EXPECT_TRUE(changed) << "training did not change the weights";
}

// A network whose logits rank class (label + k) % 10 k-th best, so top-1 and
// top-5 accuracy are known exactly.
class RankingNetwork : public Network {
 public:
  explicit RankingNetwork(torch::Tensor labels) : labels_(std::move(labels)) {}
  torch::Tensor forward(torch::Tensor images) override {
    const int64_t n = images.size(0);
    auto logits = torch::zeros({n, 10});
    for (int64_t i = 0; i < n; ++i) {
      const int64_t label = labels_[offset_ + i].item<int64_t>();
      // The true class gets rank 3 for odd i (inside top-5, outside top-1).
      const int64_t rank_of_true = (offset_ + i) % 2 == 0 ? 0 : 3;
      for (int64_t c = 0; c < 10; ++c) {
        const int64_t rank = (c - label + rank_of_true + 10) % 10;
        logits[i][c] = -static_cast<double>(rank);
      }
    }
    offset_ += n;
    return logits;
  }

 private:
  torch::Tensor labels_;
  int64_t offset_ = 0;
};

TEST(Trainer, EvaluateComputesTopOneAndTopFive) {
  seed_torch(5);
  const auto data = synthetic(40, 1, 4);
  RankingNetwork net(data.labels);
  Trainer trainer(TrainerOptions().batch_size(16), {0.5}, {0.25});
  const auto m = trainer.evaluate(net, data);
  EXPECT_EQ(m.images, 40);
  EXPECT_DOUBLE_EQ(m.top1, 50.0);
  EXPECT_DOUBLE_EQ(m.top5, 100.0);
}

class NanNetwork : public Network {
 public:
  NanNetwork() { w_ = register_parameter("w", torch::ones({1})); }
  torch::Tensor forward(torch::Tensor images) override {
    ++calls_;
    auto logits = w_ * torch::zeros({images.size(0), 10});
    return calls_ >= 3 ? logits + std::numeric_limits<float>::quiet_NaN() : logits;
  }

 private:
  torch::Tensor w_;
  int calls_ = 0;
};

TEST(Trainer, NonFiniteLossStopsWithTheStep) {
  seed_torch(2);
  const auto data = synthetic(64, 1, 4);
  NanNetwork net;
  Trainer trainer(TrainerOptions().batch_size(16).log_every(0), {0.5}, {0.25});
  NASCPP_EXPECT_THROW_WITH(trainer.fit(net, data), Error,
                           "training loss became nan at epoch 1, step 3");
}

TEST(Trainer, OptionsAreValidatedWithTheBadValue) {
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().epochs(0).validate(), ConfigError,
                           "train.epochs must be at least 1, got 0");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().momentum(1.5).validate(), ConfigError,
                           "train.momentum must be in [0, 1), got 1.5");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().device("tpu").validate(), ConfigError,
                           "unknown device 'tpu'");
  auto cfg = ConfigNode::parse("learning_rate: -1\n");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions::from_config(cfg), ConfigError,
                           "train.learning_rate must be positive, got -1");
}

// A real training run: a small NAS-Bench-201 network on a Fashion-MNIST
// subset, evaluated on the official test set, clearly better than chance.
TEST(TrainerIntegration, FashionMnistSubsetReachesSeventyFivePercent) {
  if (!std::filesystem::is_directory(kFashionMnistDefaultRoot)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const auto data = FashionMnist::load();
  seed_torch(0);
  NasBench201Space space(NasBench201NetworkOptions().channels(8).cells_per_stage(1));
  auto net = space.build_network(
      space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|"
                  "nor_conv_1x1~1|nor_conv_3x3~2|"),
      NetworkSpec().in_channels(1).image_size(28));
  Trainer trainer(TrainerOptions().epochs(2).batch_size(64).train_limit(6000).log_every(0),
                  data->mean(), data->stddev());
  trainer.fit(*net, data->train());
  const auto m = trainer.evaluate(*net, data->test());
  EXPECT_EQ(m.images, 10000);
  EXPECT_GT(m.top1, 75.0);
}

}  // namespace
}  // namespace nascpp
