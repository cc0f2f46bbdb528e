// The zero-cost evaluator and the scorer's options: a proxy as the
// objective, errors that name the bad value, and the batch it describes.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "nascpp/evaluators/zero_cost.h"
#include "nascpp/registries.h"
#include "nascpp/search_space.h"
#include "optimizers/multi_fidelity/brackets.h"
#include "tests/support/test_support.h"

namespace nascpp {
namespace {

std::shared_ptr<const SearchSpace> nb201() {
  ConfigNode cfg;
  return search_space_registry().create("nasbench201", cfg);
}

const char* kCell =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|";

TEST(ZeroCostEvaluator, ProxyIsTheObjectiveAndMetricsComeBeside) {
  ConfigNode cfg = ConfigNode::parse(
      "proxy: synflow\nmetrics: [params, flops]\ndata: random\nbatch_size: 4\nseed: 2\n");
  auto eval = evaluator_registry().create("zero_cost", cfg, nb201());
  cfg.finish();
  EXPECT_EQ(eval->objective_name(), "synflow");
  EXPECT_EQ(eval->metric_names(),
            (std::vector<std::string>{"synflow", "params", "flops", "score_time_s"}));
  EXPECT_FALSE(eval->simulated_cost());
  EXPECT_EQ(eval->dataset_name(), "random");
  const auto range = eval->fidelity_range();
  EXPECT_EQ(range.max_epochs, 0);
  Rng rng(0);
  const auto arch = nb201()->parse(kCell);
  const auto r = eval->evaluate(arch, Fidelity(), rng);
  ASSERT_FALSE(r.failed()) << r.failure;
  EXPECT_EQ(r.objective, r.metrics.at("synflow"));
  // NAS-Bench-201's parameter count of this cell (index 1, cifar10: 0.802426 MB).
  EXPECT_NEAR(r.metrics.at("params"), 0.802426, 1e-9);
  EXPECT_GT(r.cost, 0.0);
  EXPECT_EQ(r.epochs, 0);
  // The weights and batch come from the evaluator's seed: another trial
  // generator gives the same score.
  Rng other(99);
  EXPECT_EQ(eval->evaluate(arch, Fidelity(), other).objective, r.objective);
}

TEST(ZeroCostEvaluator, MultiFidelityOptimizersSayTheyNeedEpochs) {
  ZeroCostEvaluator eval(nb201(), "params", {}, ZeroCostOptions().data("random").batch_size(2));
  NASCPP_EXPECT_THROW_WITH(rung_budgets(eval.fidelity_range(), BracketOptions()), ConfigError,
                           "needs an evaluator with epochs");
}

TEST(ZeroCostEvaluator, SingularKernelIsAFailedEvaluation) {
  // Every path from the input is cut: all images look alike to the ReLUs.
  ZeroCostEvaluator eval(nb201(), "nwot", {}, ZeroCostOptions().data("random").batch_size(4));
  Rng rng(0);
  const auto arch =
      nb201()->parse("|none~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  const auto r = eval.evaluate(arch, Fidelity(), rng);
  ASSERT_TRUE(r.failed());
  EXPECT_NE(r.failure.find("'nwot' is -inf"), std::string::npos) << r.failure;
}

TEST(ZeroCostEvaluator, BadConfigurationNamesTheValueAndTheChoices) {
  {
    ConfigNode cfg = ConfigNode::parse("proxy: synflw\ndata: random\n");
    NASCPP_EXPECT_THROW_WITH(evaluator_registry().create("zero_cost", cfg, nb201()), ConfigError,
                             "did you mean 'synflow'");
  }
  {
    ConfigNode cfg = ConfigNode::parse("metrics: [params, flop]\ndata: random\n");
    NASCPP_EXPECT_THROW_WITH(evaluator_registry().create("zero_cost", cfg, nb201()), ConfigError,
                             "unknown zero-cost proxy 'flop'");
  }
  NASCPP_EXPECT_THROW_WITH(ZeroCostOptions().data("imagenet").validate(), ConfigError,
                           "known: auto, cifar10, cifar100, fashion_mnist, random");
  NASCPP_EXPECT_THROW_WITH(ZeroCostOptions().batch_size(1).validate(), ConfigError,
                           "batch_size must be at least 2, got 1");
  NASCPP_EXPECT_THROW_WITH(ZeroCostOptions().device("gpu").validate(), ConfigError, "gpu");
  NASCPP_EXPECT_THROW_WITH(
      ZeroCostScorer(nb201(), ZeroCostOptions().data("cifar10").data_root("/nonexistent")), Error,
      "/nonexistent");
}

TEST(ZeroCostScorer, FashionMnistAdaptedToTheBenchmarkShape) {
  ZeroCostScorer scorer(nb201(), ZeroCostOptions().batch_size(6).seed(4));
  const auto& b = scorer.batch();
  EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{6, 3, 32, 32}));
  EXPECT_EQ(b.labels.size(0), 6);
  EXPECT_EQ(b.num_classes, 10);
  // Gray replicated: the three channels are equal.
  EXPECT_TRUE(torch::equal(b.images.select(1, 0), b.images.select(1, 2)));
  EXPECT_NE(b.description.find("fashion_mnist: 6 training images drawn with seed 4"),
            std::string::npos)
      << b.description;
  EXPECT_NE(b.description.find("no CIFAR-10 folder given"), std::string::npos) << b.description;
  EXPECT_NE(b.description.find("zero-padded 28x28 -> 32x32"), std::string::npos) << b.description;
  // Another seed draws other images.
  ZeroCostScorer other(nb201(), ZeroCostOptions().batch_size(6).seed(5));
  EXPECT_FALSE(torch::equal(b.images, other.batch().images));
}

TEST(ZeroCostScorer, AutoTakesCifar10WhenItsFilesAreThere) {
  // Five training batches of 4 records and a test batch in CIFAR-10's binary
  // layout (1 label byte, 3072 pixel bytes), written here.
  test::TempDir dir;
  const auto write = [](const std::string& path, int n) {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < n; ++i) {
      out.put(static_cast<char>(i % 10));
      for (int b = 0; b < 3072; ++b) out.put(static_cast<char>((i * 31 + b) % 256));
    }
  };
  for (int i = 1; i <= 5; ++i) write(dir.file("data_batch_" + std::to_string(i) + ".bin"), 4);
  write(dir.file("test_batch.bin"), 2);
  ZeroCostScorer scorer(nb201(),
                        ZeroCostOptions().batch_size(8).data_root(dir.path()).augment(false));
  const auto& b = scorer.batch();
  EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{8, 3, 32, 32}));
  EXPECT_NE(b.description.find("cifar10: 8 training images"), std::string::npos) << b.description;
  EXPECT_NE(b.description.find("CIFAR-10 files found"), std::string::npos) << b.description;
  EXPECT_EQ(b.description.find("random crop"), std::string::npos) << b.description;
  // Twenty training images: a batch of 21 cannot be drawn.
  NASCPP_EXPECT_THROW_WITH(
      ZeroCostScorer(nb201(), ZeroCostOptions().batch_size(21).data_root(dir.path())), ConfigError,
      "batch_size 21 exceeds the 20 training images of 'cifar10'");
}

}  // namespace
}  // namespace nascpp
