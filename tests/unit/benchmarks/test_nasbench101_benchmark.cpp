#include "benchmarks/nasbench101/nasbench101_benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nascpp/registries.h"
#include "support/nb101_records.h"
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

// ---- bad values in the files: one modified copy per class of bad value ----

// A data directory in `dir` with the real files, where `sample` or
// `zero_cost` (when not null) replace nb101_sample30.json or the zero-cost file.
std::string data_with(const test::TempDir& dir, const Json* sample, const Json* zero_cost) {
  std::filesystem::create_directories(dir.file("nasbench101"));
  std::filesystem::create_directories(dir.file("nas-bench-suite-zero"));
  const auto write = [&](const char* file, const Json* doc) {
    // The copies of the read-only data are read-only too: remove, then write.
    std::filesystem::remove(dir.file(file));
    if (doc != nullptr) {
      test::write_file(dir.file(file), doc->dump());
    } else {
      std::filesystem::copy_file(test::data_dir() + "/" + file, dir.file(file));
    }
  };
  write(NasBench101Benchmark::kSampleFile, sample);
  write(NasBench101Benchmark::kZeroCostFile, zero_cost);
  return dir.path();
}

TEST(NasBench101Benchmark, SampleWithImpossibleValuesIsADataErrorNamingFileCellAndValue) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const Json real = read(NasBench101Benchmark::kSampleFile);
  const std::string file = "nb101_sample30.json': cell ";
  const auto load_with = [&](const Json& sample) {
    return NasBench101Benchmark::load(data_with(dir, &sample, nullptr));
  };
  EXPECT_EQ(load_with(real)->size(), 30u);  // the unmodified copy loads

  NASCPP_EXPECT_THROW_WITH(load_with(Json::array()), DataError,
                           "nb101_sample30.json': the list of cells is empty");

  // A hash that is not the graph hash of the cell's matrix and ops.
  Json wrong_hash = real;
  wrong_hash[3]["hash"] = real[4]["hash"];
  NASCPP_EXPECT_THROW_WITH(load_with(wrong_hash), DataError,
                           file + "3: hash " + real[4]["hash"].get<std::string>() +
                               " does not match the cell: its matrix and ops have the graph hash " +
                               real[3]["hash"].get<std::string>());

  Json duplicate = real;
  duplicate.push_back(real[5]);
  NASCPP_EXPECT_THROW_WITH(
      load_with(duplicate), DataError,
      file + "30: duplicate hash " + real[5]["hash"].get<std::string>() + ": cell 5 has it too");

  // Accuracies are fractions in [0, 1]: 1.01 (101 %) and 1e300 are not.
  for (const double bad : {1.01, 1e300, -0.5}) {
    Json accuracy = real;
    accuracy[2]["epochs"]["108"][1]["final_validation_accuracy"] = bad;
    NASCPP_EXPECT_THROW_WITH(
        load_with(accuracy), DataError,
        fmt::format("{}2: run 1: final_validation_accuracy {} is out of range: "
                    "expected a fraction in [0, 1]",
                    file, bad));
  }
  Json halfway = real;
  halfway[7]["epochs"]["108"][0]["halfway_test_accuracy"] = 2.0;
  NASCPP_EXPECT_THROW_WITH(load_with(halfway), DataError,
                           file + "7: run 0: halfway_test_accuracy 2 is out of range");

  // Training times are seconds: finite and > 0.
  for (const double bad : {-5.0, 0.0}) {
    Json time = real;
    time[1]["epochs"]["108"][2]["final_training_time"] = bad;
    NASCPP_EXPECT_THROW_WITH(
        load_with(time), DataError,
        fmt::format("{}1: run 2: final_training_time {} is not a training time: expected seconds, "
                    "finite and > 0",
                    file, bad));
  }
  Json text = real;
  text[1]["epochs"]["108"][0]["halfway_training_time"] = "fast";
  NASCPP_EXPECT_THROW_WITH(load_with(text), DataError,
                           file + "1: run 0: halfway_training_time is string, expected a number");

  Json params = real;
  params[9]["trainable_parameters"] = 0;
  NASCPP_EXPECT_THROW_WITH(load_with(params), DataError,
                           file + "9: trainable_parameters 0 must be > 0");

  // Matrix sizes: a row too short, and more ops than vertices.
  Json short_row = real;
  short_row[0]["matrix"][2].erase(0);
  NASCPP_EXPECT_THROW_WITH(load_with(short_row), DataError,
                           file + "0: the NAS-Bench-101 matrix must be square: row 2 has 6");
  Json more_ops = real;
  more_ops[0]["ops"].push_back("output");
  NASCPP_EXPECT_THROW_WITH(load_with(more_ops), DataError,
                           file + "0: the NAS-Bench-101 spec has 8 ops for a 7x7 matrix");

  NASCPP_EXPECT_THROW_WITH(load_with(Json::array({1})), DataError,
                           file + "0: expected an object, found number");
}

TEST(NasBench101Benchmark, ZeroCostFileWithBadValuesIsADataErrorNamingCellAndValue) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const Json real = read(NasBench101Benchmark::kZeroCostFile);
  const auto load_with = [&](const Json& zc) {
    return NasBench101Benchmark::load(data_with(dir, nullptr, &zc));
  };
  EXPECT_EQ(load_with(real)->zero_cost_size(), 292u);  // the unmodified copy loads
  const std::string key = real["nasbench101"]["cifar10"].begin().key();
  const std::string file = "zc_nasbench101.json': cell '" + key + "': ";

  Json empty = real;
  empty["nasbench101"]["cifar10"] = Json::object();
  NASCPP_EXPECT_THROW_WITH(load_with(empty), DataError,
                           "nasbench101.cifar10 must be a non-empty object of cells, found no "
                           "cells");

  Json accuracy = real;
  accuracy["nasbench101"]["cifar10"][key]["val_accuracy"] = 101.0;
  NASCPP_EXPECT_THROW_WITH(load_with(accuracy), DataError,
                           file + "val_accuracy 101 is out of range: expected percent in [0, 100]");

  // A measure that is not a number was skipped silently before.
  Json text = real;
  text["nasbench101"]["cifar10"][key]["snip"] = "n/a";
  NASCPP_EXPECT_THROW_WITH(load_with(text), DataError,
                           file + "measure 'snip' is string, expected a number");

  Json flops = real;
  flops["nasbench101"]["cifar10"][key]["flops"] = -1.0;
  NASCPP_EXPECT_THROW_WITH(load_with(flops), DataError,
                           file + "measure 'flops' is -1: a count, expected >= 0");

  // A record that is not an object, and a key with a 20-digit integer,
  // escaped as nlohmann and std::stoi exceptions before.
  Json list = real;
  list["nasbench101"]["cifar10"][key] = Json::array({1, 2});
  NASCPP_EXPECT_THROW_WITH(
      load_with(list), DataError,
      "zc_nasbench101.json': cell '" + key + "': expected an object of measures, found array");
  Json big = real;
  std::string big_key = key;
  big_key.replace(1, 1, "99999999999999999999");
  big["nasbench101"]["cifar10"][big_key] = real["nasbench101"]["cifar10"][key];
  NASCPP_EXPECT_THROW_WITH(load_with(big), DataError, "bad integer '99999999999999999999");
}

// nlohmann parses deep JSON without recursion, but copies and dumps recurse;
// the readers bound the depth before parsing and say so.
TEST(NasBench101Benchmark, DeeplyNestedJsonIsADataError) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');
  data_with(dir, nullptr, nullptr);
  std::filesystem::remove(dir.file(NasBench101Benchmark::kSampleFile));
  test::write_file(dir.file(NasBench101Benchmark::kSampleFile), deep);
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load(dir.path()), DataError,
                           "nb101_sample30.json': JSON nested deeper than 64 levels");
}

}  // namespace
}  // namespace nascpp
