#include "nascpp/evaluators/tabular.h"

#include <gtest/gtest.h>

#include <set>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/registries.h"
#include "optimizers/multi_fidelity/brackets.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Bench = NasBench201Benchmark;

std::shared_ptr<const Bench> bench() { return Bench::load_shared(test::data_dir()); }

// A strong NAS-Bench-201 cell (official index 9930).
const char* kArch =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|";

TEST(TabularEvaluator, Nb201ProtocolByDefault) {
  NASCPP_REQUIRE_DATA_DIR();
  TabularEvaluator eval(bench(), TabularEvaluatorOptions());
  EXPECT_EQ(eval.report_dataset(), "cifar10");  // cifar10-valid has no test_acc
  const Architecture a = NasBench201Space().parse(kArch);
  Rng rng(1);
  const EvaluationResult r = eval.evaluate(a, Fidelity(), rng);
  const auto owner = bench();
  const auto& b = *owner;
  EXPECT_DOUBLE_EQ(r.objective, *b.query(a, "valid_acc", "cifar10-valid"));
  EXPECT_DOUBLE_EQ(r.metrics.at("valid_acc"), r.objective);
  EXPECT_DOUBLE_EQ(r.metrics.at("test_acc"), *b.query(a, "test_acc", "cifar10"));
  EXPECT_DOUBLE_EQ(r.metrics.at("params_mb"), *b.query(a, "params_mb", "cifar10-valid"));
  EXPECT_DOUBLE_EQ(r.cost, *b.query(a, "train_time_s", "cifar10-valid"));
  EXPECT_TRUE(eval.simulated_cost());
}

TEST(TabularEvaluator, OtherDatasetsReportTheirOwnTestAccuracy) {
  NASCPP_REQUIRE_DATA_DIR();
  const Architecture a = NasBench201Space().parse(kArch);
  Rng rng(2);
  for (const std::string ds : {"cifar100", "ImageNet16-120"}) {
    TabularEvaluator eval(bench(), TabularEvaluatorOptions().dataset(ds));
    EXPECT_EQ(eval.report_dataset(), ds);
    const auto r = eval.evaluate(a, Fidelity(), rng);
    EXPECT_DOUBLE_EQ(r.objective, *bench()->query(a, "valid_acc", ds));
    EXPECT_DOUBLE_EQ(r.metrics.at("test_acc"), *bench()->query(a, "test_acc", ds));
  }
}

// A 12-epoch evaluation reports every metric after 12 epochs (never a
// 200-epoch value under the same name) at 12/200 of the cost; 200 epochs is
// the full fidelity; a promotion from 12 to 200 pays the difference.
TEST(TabularEvaluator, LowFidelityReportsEveryMetricAt12Epochs) {
  NASCPP_REQUIRE_DATA_DIR();
  TabularEvaluator eval(bench(), TabularEvaluatorOptions().extra_metrics({"params_mb"}));
  EXPECT_EQ(eval.fidelity_range().available, (std::vector<int64_t>{12, 200}));
  EXPECT_EQ(eval.fidelity_range().max_epochs, 200);
  EXPECT_EQ(eval.resolve_epochs(Fidelity::full()), 200);
  const Architecture a = NasBench201Space().parse(kArch);
  Rng rng(3);
  const auto owner = bench();
  const auto& b = *owner;
  const auto r = eval.evaluate(a, Fidelity::with_epochs(12), rng);
  EXPECT_EQ(r.epochs, 12);
  EXPECT_EQ(r.epochs_paid, 12);
  EXPECT_DOUBLE_EQ(r.objective, *b.query(a, "valid_acc_12ep", "cifar10-valid"));
  EXPECT_DOUBLE_EQ(r.metrics.at("valid_acc"), r.objective);
  // The report dataset's test accuracy after the same 12 epochs.
  EXPECT_DOUBLE_EQ(r.metrics.at("test_acc"), *b.query(a, "test_acc_12ep", "cifar10"));
  EXPECT_NE(r.metrics.at("test_acc"), *b.query(a, "test_acc", "cifar10"));
  EXPECT_DOUBLE_EQ(r.metrics.at("params_mb"), *b.query(a, "params_mb", "cifar10-valid"));
  EXPECT_TRUE(r.unavailable.empty());
  EXPECT_DOUBLE_EQ(r.cost, *b.query(a, "train_time_s", "cifar10-valid") * 12 / 200);

  // with_epochs(200) is the full fidelity, not an error.
  const auto full = eval.evaluate(a, Fidelity::with_epochs(200), rng);
  EXPECT_EQ(full.epochs, 200);
  EXPECT_DOUBLE_EQ(full.objective, *b.query(a, "valid_acc", "cifar10-valid"));
  EXPECT_DOUBLE_EQ(full.metrics.at("test_acc"), *b.query(a, "test_acc", "cifar10"));

  // A promotion continues the 12-epoch trial: it pays 188 epochs' cost.
  Trial promoted;
  promoted.id = 1;
  promoted.arch = a;
  promoted.fidelity = Fidelity::full();
  promoted.continues = Trial::Continuation{0, 12};
  const auto p = eval.evaluate(promoted, rng);
  EXPECT_EQ(p.epochs_paid, 188);
  EXPECT_DOUBLE_EQ(p.cost, full.cost - r.cost);
  EXPECT_DOUBLE_EQ(p.objective, full.objective);

  NASCPP_EXPECT_THROW_WITH(eval.evaluate(a, Fidelity::with_epochs(50), rng), ConfigError,
                           "supported epochs: 12, 200 (full)");

  // A metric the benchmark records only for the full training is named as
  // unavailable at 12 epochs rather than reported.
  TabularEvaluator ori(bench(), TabularEvaluatorOptions()
                                    .dataset("cifar100")
                                    .extra_metrics({"ori_test_acc", "params_mb"}));
  const auto low = ori.evaluate(a, Fidelity::with_epochs(12), rng);
  EXPECT_EQ(low.unavailable, std::vector<std::string>{"ori_test_acc"});
  EXPECT_EQ(low.metrics.count("ori_test_acc"), 0u);
  EXPECT_EQ(ori.evaluate(a, Fidelity::full(), rng).metrics.count("ori_test_acc"), 1u);
}

// NAS-Bench-101's data has two epoch budgets, the halfway (54) and final
// (108) values of each training: a multi-fidelity search gets both as rungs,
// a 54-epoch evaluation reports the halfway values, and a promotion to 108
// pays the rest of the training.
TEST(TabularEvaluator, NasBench101OffersItsHalfwayAndFinalBudgets) {
  NASCPP_REQUIRE_DATA_DIR();
  auto cfg = ConfigNode::parse("data_dir: '" + test::data_dir() + "'\n");
  const std::shared_ptr<const Benchmark> b = benchmark_registry().create("nasbench101", cfg);
  TabularEvaluator eval(b, TabularEvaluatorOptions().dataset("cifar10").extra_metrics({}));
  const auto range = eval.fidelity_range();
  EXPECT_EQ(range.available, (std::vector<int64_t>{54, 108}));
  EXPECT_EQ(rung_budgets(range, BracketOptions()), (std::vector<int64_t>{54, 108}));
  const Architecture a = b->best_architecture("cifar10", "valid_acc").arch;
  const Trial low{0, a, Fidelity::with_epochs(54), std::nullopt};
  Rng rng(3);
  const auto r_low = eval.evaluate(low, rng);
  EXPECT_EQ(r_low.epochs, 54);
  EXPECT_DOUBLE_EQ(r_low.objective, *b->query(a, "halfway_valid_acc", "cifar10"));
  EXPECT_DOUBLE_EQ(r_low.metrics.at("test_acc"), *b->query(a, "halfway_test_acc", "cifar10"));
  EXPECT_DOUBLE_EQ(r_low.cost, *b->query(a, "halfway_train_time_s", "cifar10"));
  const Trial promoted{1, a, Fidelity::with_epochs(108), Trial::Continuation{0, 54}};
  const auto r_full = eval.evaluate(promoted, rng);
  EXPECT_EQ(r_full.epochs, 108);
  EXPECT_EQ(r_full.epochs_paid, 54);
  EXPECT_DOUBLE_EQ(r_full.objective, *b->query(a, "valid_acc", "cifar10"));
  EXPECT_DOUBLE_EQ(r_full.cost, *b->query(a, "train_time_s", "cifar10") -
                                    *b->query(a, "halfway_train_time_s", "cifar10"));
}

// NAS-Bench-201's cifar10 (trained on train+valid) has neither a validation
// accuracy nor a training time: the error says which datasets have them.
TEST(TabularEvaluator, AMetricOfOtherDatasetsNamesThem) {
  NASCPP_REQUIRE_DATA_DIR();
  NASCPP_EXPECT_THROW_WITH(
      TabularEvaluator(bench(), TabularEvaluatorOptions().dataset("cifar10")), ConfigError,
      "tabular evaluator option 'metric'; 'valid_acc' is a metric of dataset cifar10-valid, "
      "cifar100, ImageNet16-120 (set evaluator.dataset, or set evaluator.metric to a metric of "
      "'cifar10')");
  NASCPP_EXPECT_THROW_WITH(
      TabularEvaluator(bench(), TabularEvaluatorOptions().dataset("cifar10").metric("test_acc")),
      ConfigError, "option 'cost_metric'; 'train_time_s' is a metric of dataset cifar10-valid");
}

TEST(TabularEvaluator, SeedNoiseDrawsOneTrainingSeed) {
  NASCPP_REQUIRE_DATA_DIR();
  TabularEvaluator eval(bench(), TabularEvaluatorOptions().noise("seed"));
  const Architecture a = NasBench201Space().parse(kArch);
  const auto owner = bench();
  const auto& b = *owner;
  const auto id = b.metric_id("cifar10-valid", "valid_acc");
  const int32_t index = b.index_of(a);
  std::set<double> seeds;
  for (int s = 0; s < b.seed_count(index, id); ++s) seeds.insert(*b.value_at_seed(index, id, s));
  ASSERT_GE(seeds.size(), 2u);
  Rng rng(4);
  std::set<double> seen;
  for (int i = 0; i < 200; ++i) {
    const double v = eval.evaluate(a, Fidelity(), rng).objective;
    EXPECT_TRUE(seeds.count(v)) << v << " is not one seed's value";
    seen.insert(v);
  }
  EXPECT_EQ(seen, seeds);  // every seed drawn at some point
}

TEST(TabularEvaluator, BadNamesListTheValidOnes) {
  NASCPP_REQUIRE_DATA_DIR();
  NASCPP_EXPECT_THROW_WITH(TabularEvaluator(bench(), TabularEvaluatorOptions().dataset("cifar11")),
                           ConfigError, "ImageNet16-120");
  NASCPP_EXPECT_THROW_WITH(TabularEvaluator(bench(), TabularEvaluatorOptions().metric("val_acc")),
                           ConfigError, "valid_acc");
  NASCPP_EXPECT_THROW_WITH(
      TabularEvaluator(bench(), TabularEvaluatorOptions().extra_metrics({"latency_ms.pixel9"})),
      ConfigError, "pixel3");
  NASCPP_EXPECT_THROW_WITH(TabularEvaluatorOptions().noise("median").validate(), ConfigError,
                           "mean, seed");
}

TEST(TabularEvaluator, BuiltThroughTheRegistry) {
  NASCPP_REQUIRE_DATA_DIR();
  auto cfg = ConfigNode::parse("data_dir: '" + test::data_dir() +
                               "'\ndataset: cifar100\nextra_metrics: [params_mb]\n");
  auto eval = evaluator_registry().create("tabular", cfg, nullptr);
  cfg.finish();
  EXPECT_EQ(eval->name(), "tabular");
  EXPECT_EQ(eval->objective_name(), "valid_acc");
  auto bad = ConfigNode::parse("data_dir: '" + test::data_dir() + "'\nnoise: none\n");
  NASCPP_EXPECT_THROW_WITH(evaluator_registry().create("tabular", bad, nullptr), ConfigError,
                           "mean, seed");
}

}  // namespace
}  // namespace nascpp
