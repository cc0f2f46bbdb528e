#include "nascpp/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "nascpp/core/io.h"
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

std::vector<torch::Tensor> state_of(const torch::nn::Module& net) {
  std::vector<torch::Tensor> out;
  for (const auto& p : net.parameters()) out.push_back(p.detach().clone());
  for (const auto& b : net.buffers()) out.push_back(b.detach().clone());
  return out;
}

TrainerOptions resumable(const std::string& checkpoint) {
  return TrainerOptions()
      .epochs(3)
      .batch_size(16)
      .log_every(0)
      .seed(4)
      .augment(AugmentOptions().crop_padding(1).horizontal_flip(true).cutout_length(2))
      .checkpoint(checkpoint)
      .resume(true);
}

struct Interrupt {};

TEST(Trainer, ResumedTrainingEqualsAnUninterruptedOne) {
  seed_torch(21);
  const auto data = synthetic(64, 1, 12);
  test::TempDir dir;
  // Uninterrupted.
  seed_torch(1);
  auto full = small_network();
  Trainer(resumable(dir.file("full.pt")).metrics_file(dir.file("full.jsonl")), {0.5}, {0.25})
      .fit(*full, data);
  // Interrupted after epoch 1 (as a kill right after the checkpoint would).
  seed_torch(1);
  auto first = small_network();
  Trainer interrupted(resumable(dir.file("cut.pt")).metrics_file(dir.file("cut.jsonl")), {0.5},
                      {0.25});
  EXPECT_THROW(
      interrupted.fit(*first, data, nullptr, [](const EpochMetrics&) { throw Interrupt{}; }),
      Interrupt);
  // A different process would start from other weights and other torch
  // randomness; the checkpoint must restore all of it.
  seed_torch(999);
  auto resumed = small_network();
  const auto history =
      Trainer(resumable(dir.file("cut.pt")).metrics_file(dir.file("cut.jsonl")), {0.5}, {0.25})
          .fit(*resumed, data);
  ASSERT_EQ(history.size(), 3u);
  const auto a = state_of(*full);
  const auto b = state_of(*resumed);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
  // The metrics files hold one line per epoch and agree on the losses.
  const auto full_lines = read_file(dir.file("full.jsonl"));
  const auto cut_lines = read_file(dir.file("cut.jsonl"));
  EXPECT_EQ(std::count(full_lines.begin(), full_lines.end(), '\n'), 3);
  EXPECT_EQ(std::count(cut_lines.begin(), cut_lines.end(), '\n'), 3);
  EXPECT_NE(cut_lines.find("\"epoch\":3"), std::string::npos) << cut_lines;
}

TEST(Trainer, CheckpointIsNeverOverwrittenSilentlyAndCorruptionIsAnError) {
  seed_torch(22);
  const auto data = synthetic(32, 1, 12);
  test::TempDir dir;
  auto net = small_network();
  const auto opts = resumable(dir.file("ck.pt")).epochs(1);
  Trainer(opts, {0.5}, {0.25}).fit(*net, data);
  NASCPP_EXPECT_THROW_WITH(
      Trainer(TrainerOptions(opts).resume(false), {0.5}, {0.25}).fit(*net, data), ConfigError,
      "already exists");
  // Different settings: refused with both fingerprints.
  NASCPP_EXPECT_THROW_WITH(
      Trainer(TrainerOptions(opts).learning_rate(0.05), {0.5}, {0.25}).fit(*net, data), ConfigError,
      "different training");
  // Truncated file: a DataError naming it, the file left as it was.
  const auto bytes = read_file(dir.file("ck.pt"));
  write_file_atomic(dir.file("ck.pt"), bytes.substr(0, bytes.size() / 2));
  NASCPP_EXPECT_THROW_WITH(Trainer(opts, {0.5}, {0.25}).fit(*net, data), DataError,
                           "ck.pt' is corrupt");
  EXPECT_EQ(read_file(dir.file("ck.pt")).size(), bytes.size() / 2);
}

TEST(Trainer, NonFiniteLossKeepsTheLastGoodCheckpoint) {
  seed_torch(2);
  const auto data = synthetic(32, 1, 4);
  test::TempDir dir;
  NanNetwork net;  // NaN from the third forward on: epoch 2, step 1 with 2 steps per epoch
  Trainer trainer(
      TrainerOptions().epochs(3).batch_size(16).log_every(0).checkpoint(dir.file("ck.pt")), {0.5},
      {0.25});
  NASCPP_EXPECT_THROW_WITH(trainer.fit(net, data), Error, "at epoch 2, step 1 (learning rate");
  // The checkpoint of epoch 1 is intact: a resumed run starts at epoch 2
  // (this fresh network's third forward is then epoch 3, step 1).
  NanNetwork again;
  NASCPP_EXPECT_THROW_WITH(Trainer(TrainerOptions()
                                       .epochs(3)
                                       .batch_size(16)
                                       .log_every(0)
                                       .checkpoint(dir.file("ck.pt"))
                                       .resume(true),
                                   {0.5}, {0.25})
                               .fit(again, data),
                           Error, "training loss became nan at epoch 3, step 1");
}

// Logits from a linear layer; the auxiliary logits are a second linear layer
// whose loss only the auxiliary weight lets into the gradient.
class AuxNetwork : public Network {
 public:
  AuxNetwork() {
    main_ = register_module("main", torch::nn::Linear(16, 10));
    aux_ = register_module("aux", torch::nn::Linear(16, 10));
  }
  torch::Tensor forward(torch::Tensor images) override {
    const auto flat = images.flatten(1);
    aux_logits_ = is_training() ? aux_->forward(flat) : torch::Tensor();
    return main_->forward(flat);
  }
  torch::Tensor auxiliary_logits() const override { return aux_logits_; }
  bool has_auxiliary_head() const override { return true; }
  void set_drop_path_prob(double p) override { drop_path_.push_back(p); }
  torch::nn::Linear main_{nullptr}, aux_{nullptr};
  torch::Tensor aux_logits_;
  std::vector<double> drop_path_;
};

TEST(Trainer, AuxiliaryLossAndDropPathRamp) {
  seed_torch(6);
  const auto data = synthetic(32, 1, 4);
  const auto valid = synthetic(16, 1, 4);
  AuxNetwork with, without;
  const auto aux_before = with.aux_->weight.clone();
  const auto history =
      Trainer(TrainerOptions().epochs(4).batch_size(16).log_every(0).drop_path_prob(0.2), {0.5},
              {0.25})
          .fit(with, data, &valid);
  EXPECT_FALSE(torch::equal(with.aux_->weight, aux_before));
  ASSERT_EQ(with.drop_path_.size(), 4u);
  EXPECT_DOUBLE_EQ(with.drop_path_[0], 0.0);
  EXPECT_DOUBLE_EQ(with.drop_path_[2], 0.1);
  EXPECT_DOUBLE_EQ(history[3].drop_path_prob, 0.15);
  EXPECT_TRUE(std::isfinite(history[0].valid_top1));
  const auto aux_before2 = without.aux_->weight.clone();
  Trainer(TrainerOptions().epochs(1).batch_size(16).log_every(0).auxiliary_weight(0.0), {0.5},
          {0.25})
      .fit(without, data);
  EXPECT_TRUE(torch::equal(without.aux_->weight, aux_before2));
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
                           "train.learning_rate must be a positive number at most 3.40282e+38 (float32), got -1");
}

TEST(Trainer, NonFiniteOptionsSetFromCodeAreRejected) {
  const double inf = std::numeric_limits<double>::infinity();
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().learning_rate(inf).validate(), ConfigError,
                           "train.learning_rate must be a positive number at most 3.40282e+38 (float32), got inf");
  // Above float32's range LibTorch's optimizer step cannot convert it.
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().learning_rate(1e39).validate(), ConfigError,
                           "train.learning_rate must be a positive number at most 3.40282e+38 (float32), got 1e+39");
  // Batch boundaries are computed in int64: a batch of nearly 2^63 overflowed.
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().batch_size(int64_t{1} << 62).validate(), ConfigError,
                           "train.batch_size must be in [1, 2147483648], got 4611686018427387904");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().weight_decay(inf).validate(), ConfigError,
                           "train.weight_decay must be a number in [0, 3.40282e+38] (float32), got inf");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions().grad_clip(inf).validate(), ConfigError,
                           "train.grad_clip must be a finite number >= 0 (0 disables), got inf");
  NASCPP_EXPECT_THROW_WITH(
      TrainerOptions().momentum(std::numeric_limits<double>::quiet_NaN()).validate(), ConfigError,
      "train.momentum must be in [0, 1), got nan");
  auto cfg = ConfigNode::parse("learning_rate: .inf\n");
  NASCPP_EXPECT_THROW_WITH(TrainerOptions::from_config(cfg), ConfigError,
                           "config key 'learning_rate': expected a finite number, got '.inf'");
}

// A linear classifier of 1x4x4 images whose gradient becomes NaN at forward
// `poison_call` while its loss stays finite: 0 * sqrt(w - w) is 0 in value,
// but its derivative is 0 * inf = NaN. After that step the weights are NaN.
class NanGradientNetwork : public Network {
 public:
  explicit NanGradientNetwork(int poison_call) : poison_call_(poison_call) {
    linear_ = register_module("linear", torch::nn::Linear(16, 10));
  }
  torch::Tensor forward(torch::Tensor images) override {
    auto logits = linear_->forward(images.flatten(1));
    if (is_training() && ++calls_ == poison_call_) {
      const auto w = linear_->weight;
      logits = logits + 0.0 * torch::sqrt(w - w.detach()).sum();
    }
    return logits;
  }

 private:
  torch::nn::Linear linear_{nullptr};
  int poison_call_;
  int calls_ = 0;
};

TrainerOptions two_epochs(const test::TempDir& dir) {
  return TrainerOptions()
      .epochs(2)
      .batch_size(16)
      .log_every(0)
      .checkpoint(dir.file("ck.pt"))
      .resume(true)
      .metrics_file(dir.file("metrics.jsonl"));
}

TEST(Trainer, NanWeightsAfterTheLastStepStopBeforeTheyAreEvaluatedOrCheckpointed) {
  // Two steps per epoch; the fourth (last) step's gradient is NaN, its loss
  // finite. The trainer used to checkpoint the NaN weights and report
  // accuracies computed with them.
  seed_torch(23);
  const auto data = synthetic(32, 1, 4);
  test::TempDir dir;
  NanGradientNetwork net(4);
  Trainer trainer(two_epochs(dir), {0.5}, {0.25});
  try {
    trainer.fit(net, data, &data);
    ADD_FAILURE() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("the network's weights are not finite after epoch 2"), std::string::npos) << m;
    EXPECT_NE(m.find("the checkpoint '" + dir.file("ck.pt") + "' keeps epoch 1"), std::string::npos)
        << m;
  }
  // Epoch 1 is the last recorded and checkpointed epoch, with finite weights:
  // a resumed training without the poison completes from it.
  const auto lines = read_complete_lines(dir.file("metrics.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  NanGradientNetwork clean(0);
  const auto history = Trainer(two_epochs(dir), {0.5}, {0.25}).fit(clean, data, &data);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(to_json_line(history[0]), lines[0]);
  for (const auto& p : clean.parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST(Trainer, NanWeightsInTheOnlyEpochLeaveNoCheckpoint) {
  seed_torch(24);
  const auto data = synthetic(16, 1, 4);
  test::TempDir dir;
  NanGradientNetwork net(1);
  NASCPP_EXPECT_THROW_WITH(Trainer(two_epochs(dir).epochs(1), {0.5}, {0.25}).fit(net, data),
                           DivergenceError,
                           "no checkpoint '" + dir.file("ck.pt") + "' was written yet");
  EXPECT_FALSE(std::filesystem::exists(dir.file("ck.pt")));
}

// The step where the loss turned non-finite, as a DivergenceError (an Error).
TEST(Trainer, NonFiniteLossIsADivergenceError) {
  seed_torch(2);
  const auto data = synthetic(64, 1, 4);
  NanNetwork net;
  Trainer trainer(TrainerOptions().batch_size(16).log_every(0), {0.5}, {0.25});
  NanNetwork as_error;
  NASCPP_EXPECT_THROW_WITH(trainer.fit(as_error, data), Error,
                           "training loss became nan at epoch 1, step 3");
  // No checkpoint configured: the message claims none.
  NASCPP_EXPECT_THROW_WITH(trainer.fit(net, data), DivergenceError,
                           "training diverged: the training loss became nan at epoch 1, step 3 "
                           "(learning rate ");
  NASCPP_EXPECT_THROW_WITH(trainer.fit(net, data), DivergenceError, "no checkpoint is configured");
}

TEST(Trainer, EvaluateRefusesNonFiniteOutputs) {
  seed_torch(25);
  const auto data = synthetic(20, 1, 4);
  NanGradientNetwork net(0);
  {
    torch::NoGradGuard no_grad;
    net.parameters()[0][3][5].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  Trainer trainer(TrainerOptions().batch_size(8), {0.5}, {0.25});
  NASCPP_EXPECT_THROW_WITH(trainer.evaluate(net, data), DivergenceError,
                           "evaluation on 20 images: the loss is nan, the network's outputs are "
                           "not finite");
}

TEST(Trainer, ResumingFromACheckpointWithNanWeightsIsADataError) {
  // Trainings before divergence detection could checkpoint NaN weights: copy
  // a good checkpoint with the network's weights replaced by NaN.
  seed_torch(26);
  const auto data = synthetic(32, 1, 4);
  test::TempDir dir;
  NanGradientNetwork net(0);
  const auto opts = two_epochs(dir).epochs(2);
  Trainer(TrainerOptions(opts).epochs(1).resume(false).checkpoint(dir.file("one.pt")), {0.5},
          {0.25})
      .fit(net, data);
  torch::serialize::InputArchive good;
  good.load_from(dir.file("one.pt"));
  torch::serialize::OutputArchive bad;
  for (const char* key : {"format", "epochs_done", "history"}) {
    c10::IValue v;
    good.read(key, v);
    bad.write(key, v);
  }
  // The fingerprint of the two-epoch training the test resumes.
  const std::string one_epoch = [&] {
    c10::IValue v;
    good.read("fingerprint", v);
    return v.toStringRef();
  }();
  const auto at = one_epoch.find("epochs=1 ");
  ASSERT_EQ(at, 0u) << one_epoch;
  bad.write("fingerprint", c10::IValue("epochs=2 " + one_epoch.substr(9)));
  torch::Tensor rng;
  good.read("torch_cpu_rng", rng);
  bad.write("torch_cpu_rng", rng);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net.parameters()) p.fill_(std::numeric_limits<float>::quiet_NaN());
  }
  torch::serialize::OutputArchive net_archive, opt_archive;
  net.save(net_archive);
  bad.write("network", net_archive);
  torch::optim::SGD(net.parameters(), torch::optim::SGDOptions(0.1)).save(opt_archive);
  bad.write("optimizer", opt_archive);
  bad.save_to(dir.file("ck.pt"));

  NanGradientNetwork fresh(0);
  NASCPP_EXPECT_THROW_WITH(Trainer(opts, {0.5}, {0.25}).fit(fresh, data), DataError,
                           "checkpoint '" + dir.file("ck.pt") + "' holds non-finite weights");
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
