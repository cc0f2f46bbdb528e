#include "benchmarks/nasbench101/nasbench101_benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Json = nlohmann::json;
using Matrix = std::vector<std::vector<int>>;

Json read(const std::string& relative) {
  std::ifstream in(test::data_dir() + "/" + relative);
  return Json::parse(in);
}

// Mean of one field over the 108-epoch repeats of a sample cell, in percent
// for accuracies.
double mean_of(const Json& cell, const std::string& field, double scale) {
  double sum = 0;
  const auto& runs = cell.at("epochs").at("108");
  for (const auto& r : runs) sum += scale * r.at(field).get<double>();
  return sum / static_cast<double>(runs.size());
}

// A zero-cost key "(a0, ..., a48, o0, ..., o6)" with NASLib's op ids
// (PROVENANCE.md: input 0, output 1, maxpool3x3 2, conv1x1 3, conv3x3 4).
Architecture arch_of_zc_key(const std::string& key) {
  std::vector<int> ints;
  std::stringstream ss(key.substr(1, key.size() - 2));
  std::string tok;
  while (std::getline(ss, tok, ',')) ints.push_back(std::stoi(tok));
  EXPECT_EQ(ints.size(), 56u);
  const std::vector<std::string> names = {"input", "output", "maxpool3x3", "conv1x1-bn-relu",
                                          "conv3x3-bn-relu"};
  Matrix m(7, std::vector<int>(7));
  for (int i = 0; i < 49; ++i) m[i / 7][i % 7] = ints[i];
  std::vector<std::string> ops;
  for (int v = 0; v < 7; ++v) ops.push_back(names.at(ints[49 + v]));
  return NasBench101Space::from_spec(m, ops);
}

TEST(NasBench101Benchmark, ThirtyRealCellsAnswerTheirRecordedValues) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto bench = NasBench101Benchmark::load(test::data_dir());
  EXPECT_EQ(bench->size(), 30u);
  EXPECT_EQ(bench->datasets(), std::vector<std::string>{"cifar10"});
  NasBench101Space space;
  for (const auto& cell : read("nasbench101/nb101_sample30.json")) {
    const Architecture a = NasBench101Space::from_spec(
        cell.at("matrix").get<Matrix>(), cell.at("ops").get<std::vector<std::string>>());
    const std::string hash = cell.at("hash").get<std::string>();
    auto q = [&](const std::string& metric) { return bench->query(a, metric, "cifar10").value(); };
    EXPECT_DOUBLE_EQ(q("valid_acc"), mean_of(cell, "final_validation_accuracy", 100));
    EXPECT_DOUBLE_EQ(q("test_acc"), mean_of(cell, "final_test_accuracy", 100));
    EXPECT_DOUBLE_EQ(q("train_acc"), mean_of(cell, "final_train_accuracy", 100));
    EXPECT_DOUBLE_EQ(q("train_time_s"), mean_of(cell, "final_training_time", 1));
    EXPECT_DOUBLE_EQ(q("halfway_valid_acc"), mean_of(cell, "halfway_validation_accuracy", 100));
    EXPECT_DOUBLE_EQ(q("halfway_train_time_s"), mean_of(cell, "halfway_training_time", 1));
    EXPECT_EQ(q("params"), cell.at("trainable_parameters").get<double>());
    EXPECT_EQ(bench->query_hash(hash, "test_acc"), q("test_acc"));
    EXPECT_EQ(bench->arch_of_hash(hash), a);
  }
}

TEST(NasBench101Benchmark, NoisyQueriesReturnOneRepeatDrawnFromTheGenerator) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto bench = NasBench101Benchmark::load(test::data_dir());
  const auto cells = read("nasbench101/nb101_sample30.json");
  const Json& cell = cells.at(0);
  const Architecture a = NasBench101Space::from_spec(
      cell.at("matrix").get<Matrix>(), cell.at("ops").get<std::vector<std::string>>());
  std::set<double> repeats;
  for (const auto& r : cell.at("epochs").at("108")) {
    repeats.insert(100 * r.at("final_validation_accuracy").get<double>());
  }
  ASSERT_EQ(repeats.size(), 3u);
  Rng rng(42), again(42);
  std::set<double> seen;
  for (int i = 0; i < 60; ++i) {
    const double v = bench->query(a, "valid_acc", "cifar10", &rng).value();
    EXPECT_EQ(repeats.count(v), 1u) << v;
    EXPECT_EQ(bench->query(a, "valid_acc", "cifar10", &again), v);
    seen.insert(v);
  }
  EXPECT_EQ(seen, repeats);
}

TEST(NasBench101Benchmark, FiveHundredZeroCostKeysAreAveragedPerCell) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto bench = NasBench101Benchmark::load(test::data_dir());
  const Json cells =
      read("nas-bench-suite-zero/zc_nasbench101.json").at("nasbench101").at("cifar10");
  ASSERT_EQ(cells.size(), 500u);
  EXPECT_EQ(bench->zc_proxies(),
            (std::vector<std::string>{"epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov",
                                      "l2_norm", "params", "plain", "snip", "synflow"}));
  // NASLib's keys are raw specs; group them by the cell they prune to.
  NasBench101Space space;
  struct Sums {
    Architecture arch;
    double val = 0, synflow = 0, flops = 0;
    int n = 0;
  };
  std::map<std::string, Sums> by_hash;
  for (const auto& item : cells.items()) {
    const Architecture a = arch_of_zc_key(item.key());
    Sums& s = by_hash[space.hash_spec(a)];
    s.arch = a;
    s.val += item.value().at("val_accuracy").get<double>();
    s.synflow += item.value().at("synflow").get<double>();
    s.flops += item.value().at("flops").get<double>();
    ++s.n;
  }
  EXPECT_EQ(bench->zero_cost_size(), by_hash.size());
  int with_records = 0;
  for (const auto& [hash, s] : by_hash) {
    const auto near = [](double expected) { return 1e-9 * std::max(1.0, std::abs(expected)); };
    EXPECT_NEAR(bench->query(s.arch, "zc.synflow", "cifar10").value(), s.synflow / s.n,
                near(s.synflow / s.n));
    EXPECT_NEAR(bench->query_hash(hash, "zc.flops").value(), s.flops / s.n, near(s.flops / s.n));
    if (bench->find(NasBench101Benchmark::parse_hash(hash)) != nullptr) {
      ++with_records;  // valid_acc comes from the training record
    } else {
      EXPECT_NEAR(bench->query(s.arch, "valid_acc", "cifar10").value(), s.val / s.n,
                  near(s.val / s.n));
      EXPECT_FALSE(bench->query(s.arch, "test_acc", "cifar10").has_value());
    }
  }
  EXPECT_LT(with_records, 30);
}

TEST(NasBench101Benchmark, HolesAndBadNamesAreReported) {
  NASCPP_REQUIRE_DATA_DIR();
  ConfigNode cfg;
  cfg.apply_override("data_dir=" + test::data_dir());
  const auto bench = benchmark_registry().create("nasbench101", cfg);
  EXPECT_EQ(bench->search_space(), "nasbench101");
  NasBench101Space space;
  // A seven-vertex chain of max pools is valid but in neither file.
  const Architecture chain = space.parse(
      "0100000001000000010000000100000001000000010000000|input,maxpool3x3,maxpool3x3,maxpool3x3,"
      "maxpool3x3,maxpool3x3,output");
  EXPECT_FALSE(bench->query(chain, "valid_acc", "cifar10").has_value());
  EXPECT_FALSE(bench->query(chain, "zc.snip", "cifar10").has_value());
  NASCPP_EXPECT_THROW_WITH(bench->query(chain, "val_acc", "cifar10"), ConfigError,
                           "unknown NAS-Bench-101 metric 'val_acc'; did you mean 'valid_acc'?");
  NASCPP_EXPECT_THROW_WITH(bench->query(chain, "valid_acc", "cifar100"), ConfigError,
                           "unknown NAS-Bench-101 dataset 'cifar100'");
  const auto* nb101 = dynamic_cast<const NasBench101Benchmark*>(bench.get());
  ASSERT_NE(nb101, nullptr);
  NASCPP_EXPECT_THROW_WITH(nb101->query_hash("ff92c322", "valid_acc"), ConfigError,
                           "NAS-Bench-101 hash 'ff92c322' is not 32 hex digits");
  EXPECT_FALSE(nb101->arch_of_hash("00000000000000000000000000000000").has_value());
  ConfigNode missing;
  missing.apply_override("data_dir=/nonexistent/nb101");
  NASCPP_EXPECT_THROW_WITH(benchmark_registry().create("nasbench101", missing), ConfigError,
                           "does not exist");
}

}  // namespace
}  // namespace nascpp
