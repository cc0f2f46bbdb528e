#include "nascpp/evaluators/training.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// 1x12x12 images whose class is readable from the mean brightness.
class TinyDataset : public Dataset {
 public:
  TinyDataset() {
    torch::manual_seed(0);
    const int64_t n = 200;
    train_.labels = torch::randint(0, 2, {n}, torch::kInt64);
    train_.images = (torch::rand({n, 1, 12, 12}) * 100 + train_.labels.view({n, 1, 1, 1}) * 120)
                        .to(torch::kUInt8);
    test_ = train_;
  }
  std::string name() const override { return "tiny"; }
  const ImageSet& train() const override { return train_; }
  const ImageSet& test() const override { return test_; }
  int64_t num_classes() const override { return 2; }
  std::vector<double> mean() const override { return {0.4}; }
  std::vector<double> stddev() const override { return {0.3}; }

 private:
  ImageSet train_, test_;
};

std::shared_ptr<const SearchSpace> small_space() {
  return std::make_shared<NasBench201Space>(
      NasBench201NetworkOptions().channels(4).cells_per_stage(1));
}

TEST(TrainingEvaluator, TrainsOnTheSplitAndReportsValidationAccuracyAndWallTime) {
  auto data = std::make_shared<TinyDataset>();
  TrainingEvaluator eval(
      small_space(), data,
      TrainingEvaluatorOptions()
          .trainer(TrainerOptions().epochs(3).batch_size(32).learning_rate(0.05).log_every(0))
          .validation_fraction(0.25));
  EXPECT_EQ(eval.validation_split().size(), 50);
  EXPECT_EQ(eval.train_split().size(), 150);
  auto space = small_space();
  const Architecture a = space->parse(
      "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
  Rng rng(5);
  const EvaluationResult r = eval.evaluate(a, Fidelity(), rng);
  EXPECT_GE(r.objective, 0.0);
  EXPECT_LE(r.objective, 100.0);
  EXPECT_GT(r.objective, 75.0);  // the classes are separable by brightness
  EXPECT_GT(r.cost, 0.0);
  EXPECT_DOUBLE_EQ(r.metrics.at("train_time_s"), r.cost);
  EXPECT_GT(r.metrics.at("params_mb"), 0.0);
  EXPECT_FALSE(eval.simulated_cost());
  // The same generator state gives the same result (seeded initialisation).
  Rng again(5);
  EXPECT_DOUBLE_EQ(eval.evaluate(a, Fidelity(), again).objective, r.objective);
  // A lower fidelity trains fewer epochs: a different result.
  Rng low(5);
  const auto r1 = eval.evaluate(a, Fidelity::with_epochs(1), low);
  EXPECT_NE(r1.metrics.at("train_loss"), r.metrics.at("train_loss"));
}

// A trial that continues another from its checkpoint pays only the extra
// epochs and ends with the weights of one training straight through (the
// learning-rate schedule spans the full budget either way).
TEST(TrainingEvaluator, AContinuedTrialEqualsTrainingStraightThrough) {
  test::TempDir tmp;
  auto data = std::make_shared<TinyDataset>();
  const auto options =
      TrainingEvaluatorOptions()
          .trainer(TrainerOptions().epochs(4).batch_size(32).learning_rate(0.05).log_every(0))
          .validation_fraction(0.25);
  TrainingEvaluator eval(small_space(), data, options);
  EXPECT_FALSE(eval.supports_continuation());
  eval.set_trial_storage(tmp.file("trials"));
  EXPECT_TRUE(eval.supports_continuation());
  EXPECT_EQ(eval.fidelity_range().max_epochs, 4);
  const Architecture a = small_space()->parse(
      "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
  const Trial low{0, a, Fidelity::with_epochs(1), std::nullopt};
  Rng rng_low(5);
  const auto r_low = eval.evaluate(low, rng_low);
  EXPECT_EQ(r_low.epochs, 1);
  EXPECT_EQ(r_low.epochs_paid, 1);
  const Trial promoted{1, a, Fidelity::with_epochs(3), Trial::Continuation{0, 1}};
  Rng rng_promoted(99);  // its initialisation is replaced by the checkpoint's weights
  const auto r_promoted = eval.evaluate(promoted, rng_promoted);
  EXPECT_EQ(r_promoted.epochs_paid, 2);
  const Trial straight{2, a, Fidelity::with_epochs(3), std::nullopt};
  Rng rng_straight(5);
  const auto r_straight = eval.evaluate(straight, rng_straight);
  EXPECT_EQ(r_straight.epochs_paid, 3);
  EXPECT_EQ(r_promoted.objective, r_straight.objective);
  EXPECT_EQ(r_promoted.metrics.at("train_loss"), r_straight.metrics.at("train_loss"));
  NASCPP_EXPECT_THROW_WITH(eval.evaluate(a, Fidelity::with_epochs(5), rng_low), ConfigError,
                           "between 1 and 4 epochs");
}

// A diverged training is the candidate's failure, not the run's: a failed
// result whose reason names the architecture and where it diverged.
TEST(TrainingEvaluator, ADivergedTrainingIsAFailedResultNamingTheArchitecture) {
  auto data = std::make_shared<TinyDataset>();
  // The first step moves the weights to about 1e30: the training diverges.
  TrainingEvaluator eval(
      small_space(), data,
      TrainingEvaluatorOptions().trainer(
          TrainerOptions().epochs(1).batch_size(50).learning_rate(1e30).log_every(0)));
  const std::string text =
      "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|";
  Rng rng(6);
  const auto r = eval.evaluate(small_space()->parse(text), Fidelity(), rng);
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.failure.rfind(
                "training evaluator: architecture '" + text + "' (1 epochs): training diverged", 0),
            0u)
      << r.failure;
  EXPECT_NE(r.failure.find("at epoch 1"), std::string::npos) << r.failure;
  EXPECT_EQ(r.objective, -std::numeric_limits<double>::infinity());
}

TEST(TrainingEvaluator, ErrorsNameTheArchitectureAndKeepTheirType) {
  auto data = std::make_shared<TinyDataset>();
  TrainingEvaluator eval(small_space(), data, TrainingEvaluatorOptions());
  Rng rng(7);
  NASCPP_EXPECT_THROW_WITH(eval.evaluate(Architecture("toy", {1, 2}), Fidelity(), rng), ConfigError,
                           "training evaluator: architecture: ");
}

TEST(TrainingEvaluator, BadOptionsAreConfigErrors) {
  auto data = std::make_shared<TinyDataset>();
  NASCPP_EXPECT_THROW_WITH(
      TrainingEvaluator(small_space(), data, TrainingEvaluatorOptions().validation_fraction(1.0)),
      ConfigError, "validation_fraction must be in (0, 1), got 1");
  auto cfg = ConfigNode::parse("dataset: mnist\n");
  NASCPP_EXPECT_THROW_WITH(TrainingEvaluator::from_config(cfg, small_space()), ConfigError,
                           "fashion_mnist");
}

}  // namespace
}  // namespace nascpp
