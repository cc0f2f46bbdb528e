// The Benchmark interface as callers outside a benchmark's folder use it:
// fidelities, resolved handles, identifiers, the best architecture, every
// metric of an architecture.
#include "nascpp/benchmark.h"

#include <gtest/gtest.h>

#include "nascpp/registries.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

std::shared_ptr<const Benchmark> load(const std::string& name) {
  auto cfg = ConfigNode::parse("data_dir: '" + test::data_dir() + "'\n");
  return benchmark_registry().create(name, cfg);
}

TEST(BenchmarkInterface, NasBench201FidelitiesAndHandles) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = load("nasbench201");
  const Architecture a = NasBench201Space().parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_1x1~2|");
  EXPECT_EQ(b->fidelities("cifar100"), (std::vector<int64_t>{12, 200}));
  const auto full = b->resolve("cifar10-valid", "valid_acc");
  EXPECT_EQ(*b->value(a, full), *b->query(a, "valid_acc", "cifar10-valid"));
  EXPECT_EQ(*b->value(a, b->resolve("cifar10-valid", "valid_acc", 200)), *b->value(a, full));
  const auto low = b->resolve("cifar10-valid", "valid_acc", 12);
  EXPECT_EQ(*b->value(a, low), *b->query(a, "valid_acc_12ep", "cifar10-valid"));
  EXPECT_DOUBLE_EQ(*b->value(a, b->resolve("cifar10-valid", "train_time_s", 12)),
                   *b->query(a, "train_time_s", "cifar10-valid") * 12.0 / 200.0);
  EXPECT_EQ(*b->value(a, b->resolve("cifar10-valid", "params_mb", 12)),
            *b->query(a, "params_mb", "cifar10-valid"));
  EXPECT_FALSE(b->resolve("cifar100", "ori_test_acc", 12).valid());
  NASCPP_EXPECT_THROW_WITH(b->value(a, Benchmark::Handle()), ConfigError, "another benchmark");
  NASCPP_EXPECT_THROW_WITH(b->resolve("cifar10-valid", "valid_acc", 50), ConfigError,
                           "12 and 200 (full)");
  NASCPP_EXPECT_THROW_WITH(b->resolve("cifar10-valid", "test_acc"), ConfigError, "cifar10");

  // Identifiers and look-ups: the official index 6111 and its op code.
  const auto ids = b->identifiers(a);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], (std::pair<std::string, std::string>{"index", "6111"}));
  EXPECT_EQ(*b->lookup("6111"), a);
  EXPECT_EQ(*b->lookup(ids[1].second), a);
  EXPECT_FALSE(b->lookup("|none~0|").has_value());
  NASCPP_EXPECT_THROW_WITH(b->lookup("99999"), ConfigError, "out of range");

  // The best cifar10 test accuracy (the published 94.37 of index 6111).
  EXPECT_EQ(b->default_metric("cifar10"), "test_acc");
  EXPECT_EQ(b->default_metric("cifar100"), "valid_acc");
  const auto best = b->best_architecture("cifar10", "test_acc");
  EXPECT_EQ(best.arch, a);
  EXPECT_NEAR(best.value, 94.37, 0.005);
  EXPECT_TRUE(b->lower_is_better("latency_ms.pixel3"));
  EXPECT_FALSE(b->lower_is_better("test_acc"));

  const auto all = b->all_metrics(a, "cifar10");
  EXPECT_EQ(all.at("test_acc"), *b->query(a, "test_acc", "cifar10"));
  EXPECT_EQ(all.count("valid_acc"), 0u);  // cifar10 has no validation split
}

TEST(BenchmarkInterface, NasBench101FidelitiesAndHashes) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = load("nasbench101");
  EXPECT_EQ(b->fidelities("cifar10"), (std::vector<int64_t>{54, 108}));
  // Every cell of the 30-cell sample: the halfway values at 54 epochs.
  const auto best = b->best_architecture("cifar10", "valid_acc");
  const auto& a = best.arch;
  EXPECT_EQ(*b->value(a, b->resolve("cifar10", "valid_acc", 54)),
            *b->query(a, "halfway_valid_acc", "cifar10"));
  EXPECT_EQ(*b->value(a, b->resolve("cifar10", "test_acc", 108)),
            *b->query(a, "test_acc", "cifar10"));
  EXPECT_EQ(*b->value(a, b->resolve("cifar10", "params", 54)), *b->query(a, "params", "cifar10"));
  const auto ids = b->identifiers(a);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].first, "hash");
  EXPECT_EQ(ids[0].second, NasBench101Space().hash_spec(a));
  EXPECT_EQ(*b->lookup(ids[0].second), a);
  NASCPP_EXPECT_THROW_WITH(b->resolve("cifar10", "valid_acc", 12), ConfigError, "54 (halfway)");
}

}  // namespace
}  // namespace nascpp
