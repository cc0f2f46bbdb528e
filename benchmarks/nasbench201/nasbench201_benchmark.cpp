#include "benchmarks/nasbench201/nasbench201_benchmark.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <string_view>
#include <tuple>
#include <utility>

#include "nascpp/core/csv.h"
#include "nascpp/core/error.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace nascpp {

namespace {

using Space = NasBench201Space;
constexpr int32_t kN = NasBench201Benchmark::kNumArchitectures;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Dataset positions, in the order of `datasets()`.
constexpr int kCifar10Valid = 0;
constexpr int kCifar10 = 1;
constexpr int kCifar100 = 2;
constexpr int kImageNet16 = 3;

// The training seeds of the per-seed table, in the order of its rows
// (PROVENANCE.md: slot s is seed kSeeds[s]), as the file writes them.
constexpr std::string_view kSeeds[NasBench201Benchmark::kMaxSeeds] = {"777", "888", "999"};

// What each kind of column may hold (PROVENANCE.md; checked on the real
// files): accuracies are percent, times and latencies positive seconds or
// milliseconds, parameter counts non-negative. NaN only where the source has
// holes: the NASWOT score (341 architectures).
const NumberRange kAccuracy = NumberRange::percent();
const NumberRange kTime = NumberRange::positive();
const NumberRange kCount = NumberRange::non_negative();
const NumberRange kScoreWithHoles = NumberRange::finite().allow_nan();

constexpr const char* kLatencyPrefix = "latency_ms.";
constexpr const char* kZcPrefix = "zc.";
constexpr const char* kZcTimePrefix = "zc_time_s.";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The dense id of a 6-digit op-code field; anything else fails with the line.
int32_t op_code_field(const CsvReader& csv, size_t column) {
  const std::string_view code = csv.field(column);
  bool ok = code.size() == static_cast<size_t>(Space::kNumEdges);
  int32_t id = 0;
  for (size_t i = 0; ok && i < code.size(); ++i) {
    ok = code[i] >= '0' && code[i] <= '4';
    id = id * Space::kNumOps + (code[i] - '0');
  }
  if (!ok) {
    csv.fail_field(column, fmt::format("expected a 6-digit op code of digits 0-4, found '{}'",
                                       std::string(code)));
  }
  return id;
}

int32_t index_field(const CsvReader& csv, size_t column) {
  const int64_t index = csv.integer(column);
  if (index < 0 || index >= kN) {
    csv.fail_field(column, fmt::format("architecture index {} is out of range [0, {})", index, kN));
  }
  return static_cast<int32_t>(index);
}

// Every index must have been seen once.
void check_complete(const std::vector<bool>& seen, const std::string& file) {
  int32_t missing = 0;
  int32_t first = -1;
  for (int32_t i = 0; i < kN; ++i) {
    if (!seen[i]) {
      ++missing;
      if (first < 0) first = i;
    }
  }
  NASCPP_CHECK_DATA(missing == 0,
                    "{}: {} of the {} architectures have no row (the first is index {})", file,
                    missing, kN, first);
}

}  // namespace

// Reads the files into the benchmark; a friend by being a member.
struct NasBench201Benchmark::Loader {
  NasBench201Benchmark& b;
  std::string dir;
  // n_seeds of the merged table by dense id: the per-seed table must have
  // exactly that many rows of each architecture for each dataset.
  std::vector<uint8_t> n_seeds = std::vector<uint8_t>(kN, 0);

  std::string path(const char* relative) const {
    auto full = (std::filesystem::path(dir) / relative).string();
    b.add_data_file(full);
    return full;
  }

  // Checks that `csv`'s row maps `index` to the op code `dense`.
  void check_mapping(const CsvReader& csv, size_t column, int32_t index, int32_t dense) const {
    if (b.dense_of_index_[index] != dense) {
      csv.fail_field(
          column, fmt::format("op code {} does not match architecture index {} "
                              "(which is {} in {})",
                              std::string(csv.field(column)), index,
                              Space::op_code_of(Space::ops_from_dense_id(b.dense_of_index_[index])),
                              kMergedFile));
    }
  }

  void merged() {
    CsvReader csv(path(kMergedFile));
    const size_t c_index = csv.column("nb201_index");
    const size_t c_code = csv.column("op_code");
    const size_t c_arch = csv.column("arch_str");
    const size_t c_seeds = csv.column("n_seeds");
    struct Binding {
      size_t file_column;
      std::vector<std::pair<int, const char*>> targets;  // (dataset, metric)
      const NumberRange* valid;
      int32_t column = -1;
    };
    std::vector<Binding> bindings = {
        {csv.column("cifar10_valid_acc"), {{kCifar10Valid, "valid_acc"}}, &kAccuracy},
        {csv.column("cifar10_test_acc"), {{kCifar10, "test_acc"}}, &kAccuracy},
        {csv.column("cifar100_valid_acc"), {{kCifar100, "valid_acc"}}, &kAccuracy},
        {csv.column("cifar100_test_acc"), {{kCifar100, "test_acc"}}, &kAccuracy},
        {csv.column("imagenet16_valid_acc"), {{kImageNet16, "valid_acc"}}, &kAccuracy},
        {csv.column("imagenet16_test_acc"), {{kImageNet16, "test_acc"}}, &kAccuracy},
        {csv.column("cifar10_train_time_s"), {{kCifar10Valid, "train_time_s"}}, &kTime},
        {csv.column("cifar100_train_time_s"), {{kCifar100, "train_time_s"}}, &kTime},
        {csv.column("imagenet16_train_time_s"), {{kImageNet16, "train_time_s"}}, &kTime},
        {csv.column("cifar10_params_mb"),
         {{kCifar10Valid, "params_mb"}, {kCifar10, "params_mb"}},
         &kCount},
        {csv.column("cifar100_params_mb"), {{kCifar100, "params_mb"}}, &kCount},
        {csv.column("imagenet16_params_mb"), {{kImageNet16, "params_mb"}}, &kCount},
        {csv.column("naswot_score_v1"),
         {{kCifar10Valid, "naswot_score"}, {kCifar10, "naswot_score"}},
         &kScoreWithHoles},
    };
    for (auto& binding : bindings) {
      binding.column = b.add_column();
      for (const auto& [dataset, metric] : binding.targets) b.bind(dataset, metric, binding.column);
    }

    b.dense_of_index_.assign(kN, -1);
    b.index_of_dense_.assign(kN, -1);
    while (csv.next_row()) {
      const int32_t index = index_field(csv, c_index);
      const int32_t dense = op_code_field(csv, c_code);
      if (b.dense_of_index_[index] >= 0) {
        csv.fail_field(c_index, fmt::format("architecture index {} appears twice", index));
      }
      if (b.index_of_dense_[dense] >= 0) {
        csv.fail_field(
            c_code, fmt::format("op code {} appears twice (indices {} and {})",
                                std::string(csv.field(c_code)), b.index_of_dense_[dense], index));
      }
      const std::string expected = Space::format_ops(Space::ops_from_dense_id(dense));
      if (csv.field(c_arch) != expected) {
        csv.fail_field(c_arch, fmt::format("arch_str '{}' does not match op code {} ('{}')",
                                           std::string(csv.field(c_arch)),
                                           std::string(csv.field(c_code)), expected));
      }
      b.dense_of_index_[index] = dense;
      b.index_of_dense_[dense] = index;
      const int64_t seeds = csv.integer(c_seeds);
      if (seeds < 1 || seeds > kMaxSeeds) {
        csv.fail_field(c_seeds, fmt::format("value '{}' is out of range: expected a seed count "
                                            "from 1 to {}",
                                            seeds, kMaxSeeds));
      }
      n_seeds[dense] = static_cast<uint8_t>(seeds);
      for (const auto& binding : bindings) {
        b.columns_[binding.column][dense] = csv.number(binding.file_column, *binding.valid);
      }
    }
    NASCPP_CHECK_DATA(csv.rows_read() == static_cast<size_t>(kN),
                      "{}: expected {} architecture rows, found {}", csv.origin(), kN,
                      csv.rows_read());
  }

  void per_seed() {
    CsvReader csv(path(kPerSeedFile));
    const size_t c_index = csv.column("nb201_index");
    const size_t c_code = csv.column("op_code");
    const size_t c_dataset = csv.column("nats_dataset");
    const size_t c_seed = csv.column("seed");
    const size_t c_valid = csv.column("valid_acc");
    const size_t c_ori = csv.column("ori_test_acc");
    const size_t c_test = csv.column("test_acc");

    // Per-seed columns: valid_acc for cifar10-valid (the only one the sources
    // have there); valid_acc, test_acc, ori_test_acc for the other two.
    struct Group {
      int dataset;
      int32_t valid = -1, test = -1, ori = -1;
    };
    Group groups[3] = {{kCifar10Valid}, {kCifar100}, {kImageNet16}};
    auto add_seed_columns = [&]() {
      const auto first = static_cast<int32_t>(b.seed_columns_.size());
      for (int s = 0; s < kMaxSeeds; ++s) b.seed_columns_.emplace_back(kN, kNaN);
      return first;
    };
    for (auto& g : groups) {
      g.valid = add_seed_columns();
      b.seed_column_of_[g.dataset][b.metric_position("valid_acc")] = g.valid;
      if (g.dataset != kCifar10Valid) {
        g.test = add_seed_columns();
        g.ori = add_seed_columns();
        b.seed_column_of_[g.dataset][b.metric_position("test_acc")] = g.test;
        b.seed_column_of_[g.dataset][b.metric_position("ori_test_acc")] = g.ori;
      }
    }
    b.seed_counts_.assign(b.datasets_.size(), std::vector<uint8_t>(kN, 0));

    while (csv.next_row()) {
      const int32_t index = index_field(csv, c_index);
      const int32_t dense = op_code_field(csv, c_code);
      check_mapping(csv, c_code, index, dense);
      const std::string_view name = csv.field(c_dataset);
      const Group* g = nullptr;
      if (name == "cifar10-valid") {
        g = &groups[0];
      } else if (name == "cifar100") {
        g = &groups[1];
      } else if (name == "ImageNet16-120") {
        g = &groups[2];
      } else {
        csv.fail_field(c_dataset, fmt::format("unknown dataset '{}', expected cifar10-valid, "
                                              "cifar100 or ImageNet16-120",
                                              std::string(name)));
      }
      uint8_t& count = b.seed_counts_[g->dataset][dense];
      if (count >= n_seeds[dense]) {
        csv.fail(fmt::format("more than {} seed rows for architecture {} on {} (its n_seeds in {})",
                             n_seeds[dense], index, std::string(name), kMergedFile));
      }
      // Rows of a seed twice, or out of order, would be read as other seeds.
      if (csv.field(c_seed) != kSeeds[count]) {
        csv.fail_field(c_seed, fmt::format("seed '{}' where architecture {} on {} has its seed {} "
                                           "(row {} of its {}; the seeds are 777, 888, 999 in "
                                           "this order)",
                                           std::string(csv.field(c_seed)), index, std::string(name),
                                           kSeeds[count], count + 1, n_seeds[dense]));
      }
      b.seed_columns_[g->valid + count][dense] = csv.number(c_valid, kAccuracy);
      if (g->test >= 0) {
        b.seed_columns_[g->test + count][dense] = csv.number(c_test, kAccuracy);
        b.seed_columns_[g->ori + count][dense] = csv.number(c_ori, kAccuracy);
      }
      ++count;
    }
    for (const auto& g : groups) {
      for (int32_t index = 0; index < kN; ++index) {
        const int32_t dense = b.dense_of_index_[index];
        const int have = b.seed_counts_[g.dataset][dense];
        if (have == n_seeds[dense]) continue;
        // A missing row (the last row cut off, say) would leave a seed out.
        NASCPP_CHECK_DATA(
            have > 0, "{}: architecture {} has no row for dataset {} (the file ends at line {})",
            csv.origin(), index, b.datasets_[g.dataset], csv.line());
        throw DataError(fmt::format(
            "{}: architecture {} has {} seed row(s) for dataset {}, expected {} (its n_seeds in "
            "{}); the file ends at line {}",
            csv.origin(), index, have, b.datasets_[g.dataset], n_seeds[dense], kMergedFile,
            csv.line()));
      }
      // The merged table has no ori_test_acc: its seed mean comes from here.
      if (g.ori >= 0) {
        const int32_t column = b.add_column();
        for (int32_t dense = 0; dense < kN; ++dense) {
          double sum = 0.0;
          int n = 0;
          for (int s = 0; s < b.seed_counts_[g.dataset][dense]; ++s) {
            const double v = b.seed_columns_[g.ori + s][dense];
            if (!std::isnan(v)) {
              sum += v;
              ++n;
            }
          }
          b.columns_[column][dense] = n > 0 ? sum / n : kNaN;
        }
        b.bind(g.dataset, "ori_test_acc", column);
      }
    }
  }

  void latency() {
    CsvReader csv(path(kLatencyFile));
    const size_t c_index = csv.column("nb201_index");
    const size_t c_code = csv.column("op_code");
    const std::string prefix = "lat_ms_";
    std::vector<std::pair<size_t, int32_t>> columns;  // (file column, our column)
    std::map<std::string, size_t> by_device;
    for (size_t i = 0; i < csv.header().size(); ++i) {
      if (starts_with(csv.header()[i], prefix)) {
        by_device[csv.header()[i].substr(prefix.size())] = i;
      }
    }
    NASCPP_CHECK_DATA(!by_device.empty(),
                      "{}, line 1: wrong header: no latency column (lat_ms_<device>) in '{}'",
                      csv.origin(), join(csv.header(), ","));
    for (const auto& [device, file_column] : by_device) {
      const int32_t column = b.add_column();
      b.devices_.push_back(device);
      columns.emplace_back(file_column, column);
      b.bind(kCifar10Valid, kLatencyPrefix + device, column);
      b.bind(kCifar10, kLatencyPrefix + device, column);
    }
    std::vector<bool> seen(kN, false);
    while (csv.next_row()) {
      const int32_t index = index_field(csv, c_index);
      const int32_t dense = op_code_field(csv, c_code);
      check_mapping(csv, c_code, index, dense);
      if (seen[index]) csv.fail_field(c_index, fmt::format("architecture {} appears twice", index));
      seen[index] = true;
      for (const auto& [file_column, column] : columns) {
        b.columns_[column][dense] = csv.number(file_column, kTime);  // ms
      }
    }
    check_complete(seen, csv.origin());
  }

  void low_fidelity() {
    CsvReader csv(path(kLowFidelityFile));
    const size_t c_index = csv.column("arch");
    const size_t c_arch = csv.column("cellstr");
    const std::vector<std::tuple<const char*, int, const char*>> spec = {
        {"cifar10-val", kCifar10Valid, "valid_acc_12ep"},
        {"cifar10-test", kCifar10, "test_acc_12ep"},
        {"cifar100-val", kCifar100, "valid_acc_12ep"},
        {"cifar100-test", kCifar100, "test_acc_12ep"},
        {"imagenet-val", kImageNet16, "valid_acc_12ep"},
        {"imagenet-test", kImageNet16, "test_acc_12ep"},
    };
    std::vector<std::pair<size_t, int32_t>> columns;
    for (const auto& [file_name, dataset, metric] : spec) {
      const int32_t column = b.add_column();
      columns.emplace_back(csv.column(file_name), column);
      b.bind(dataset, metric, column);
    }
    std::vector<bool> seen(kN, false);
    while (csv.next_row()) {
      const int32_t index = index_field(csv, c_index);
      const int32_t dense = b.dense_of_index_[index];
      const std::string expected = Space::format_ops(Space::ops_from_dense_id(dense));
      if (csv.field(c_arch) != expected) {
        csv.fail_field(c_arch,
                       fmt::format("cell '{}' is not architecture {} ('{}' in {})",
                                   std::string(csv.field(c_arch)), index, expected, kMergedFile));
      }
      if (seen[index]) csv.fail_field(c_index, fmt::format("architecture {} appears twice", index));
      seen[index] = true;
      for (const auto& [file_column, column] : columns) {
        b.columns_[column][dense] = csv.number(file_column, kAccuracy);
      }
    }
    check_complete(seen, csv.origin());
  }

  void zero_cost() {
    CsvReader csv(path(kZeroCostFile));
    const size_t c_dataset = csv.column("dataset");
    const size_t c_index = csv.column("nb201_index");
    const size_t c_code = csv.column("op_code");
    const std::string score_suffix = "_score";
    std::map<std::string, std::pair<size_t, size_t>> by_proxy;  // (score, time) columns
    for (size_t i = 0; i < csv.header().size(); ++i) {
      const std::string& name = csv.header()[i];
      if (!ends_with(name, score_suffix)) continue;
      const std::string proxy = name.substr(0, name.size() - score_suffix.size());
      by_proxy[proxy] = {i, csv.column(proxy + "_time")};
    }
    NASCPP_CHECK_DATA(!by_proxy.empty(),
                      "{}, line 1: wrong header: no proxy column (<proxy>_score) in '{}'",
                      csv.origin(), join(csv.header(), ","));
    // The file's datasets and the benchmark datasets they stand for: the
    // proxies were computed on CIFAR-10 images, valid for both CIFAR-10 forms.
    const std::vector<std::pair<std::string, std::vector<int>>> groups = {
        {"cifar10", {kCifar10Valid, kCifar10}},
        {"cifar100", {kCifar100}},
        {"ImageNet16-120", {kImageNet16}}};
    // The proxies' scores are any number or -inf (nwot is -inf for 3 cells),
    // but FLOPs and parameter counts cannot be negative; the times are the
    // seconds the proxy took.
    const NumberRange score_range = NumberRange::finite().allow_negative_infinity();
    const auto range_of_score = [&](const std::string& proxy) {
      return proxy == "flops" || proxy == "params" ? &kCount : &score_range;
    };
    // columns[group] = (file column, our column, valid values) for every
    // score and time; the columns are sparse, one slot map per group.
    struct ZcColumn {
      size_t file_column;
      int32_t column;
      const NumberRange* valid;
    };
    std::vector<std::vector<ZcColumn>> columns(groups.size());
    std::vector<int32_t> maps(groups.size());
    for (const auto& [proxy, file_columns] : by_proxy) b.zc_proxies_.push_back(proxy);
    for (size_t g = 0; g < groups.size(); ++g) {
      maps[g] = static_cast<int32_t>(b.slot_maps_.size());
      b.slot_maps_.emplace_back(kN, -1);
      for (const auto& [proxy, file_columns] : by_proxy) {
        const int32_t score = b.add_sparse_column(maps[g]);
        const int32_t time = b.add_sparse_column(maps[g]);
        columns[g].push_back({file_columns.first, score, range_of_score(proxy)});
        columns[g].push_back({file_columns.second, time, &kTime});
        for (int dataset : groups[g].second) {
          b.bind(dataset, kZcPrefix + proxy, score);
          b.bind(dataset, kZcTimePrefix + proxy, time);
        }
      }
    }
    while (csv.next_row()) {
      const std::string_view name = csv.field(c_dataset);
      size_t g = 0;
      while (g < groups.size() && groups[g].first != name) ++g;
      if (g == groups.size()) {
        csv.fail_field(c_dataset, fmt::format("unknown dataset '{}', expected cifar10, cifar100 "
                                              "or ImageNet16-120",
                                              std::string(name)));
      }
      const int32_t index = index_field(csv, c_index);
      const int32_t dense = op_code_field(csv, c_code);
      check_mapping(csv, c_code, index, dense);
      int32_t& slot = b.slot_maps_[maps[g]][dense];
      if (slot >= 0) {
        csv.fail_field(
            c_index, fmt::format("architecture {} appears twice for {}", index, std::string(name)));
      }
      for (const auto& c : columns[g]) {
        slot = static_cast<int32_t>(b.columns_[c.column].size());
        b.columns_[c.column].push_back(csv.number(c.file_column, *c.valid));
      }
    }
  }
};

// ---- loading ----

std::shared_ptr<const NasBench201Benchmark> NasBench201Benchmark::load(
    const std::string& data_dir) {
  std::error_code ec;
  NASCPP_CHECK_DATA(std::filesystem::is_directory(data_dir, ec),
                    "NAS-Bench-201 data directory '{}' does not exist", data_dir);
  std::shared_ptr<NasBench201Benchmark> b(new NasBench201Benchmark());
  b->datasets_ = {"cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"};
  b->column_of_.resize(b->datasets_.size());
  b->seed_column_of_.resize(b->datasets_.size());
  for (const char* metric : {"valid_acc", "test_acc", "ori_test_acc", "train_time_s", "params_mb",
                             "valid_acc_12ep", "test_acc_12ep", "naswot_score"}) {
    b->metric_position(metric);
  }
  Loader loader{*b, data_dir};
  loader.merged();  // first: the index <-> op code mapping the others are checked against
  loader.per_seed();
  loader.latency();
  loader.low_fidelity();
  loader.zero_cost();
  return b;
}

std::shared_ptr<const NasBench201Benchmark> NasBench201Benchmark::load_shared(
    const std::string& data_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const NasBench201Benchmark>> cache;
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(data_dir, ec).string();
  if (ec) key = data_dir;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto alive = cache[key].lock()) return alive;
  auto loaded = load(data_dir);
  cache[key] = loaded;
  return loaded;
}

std::shared_ptr<const NasBench201Benchmark> NasBench201Benchmark::from_config(ConfigNode& config) {
  return load_shared(resolve_data_dir(config.get<std::string>("data_dir", "")));
}

int32_t NasBench201Benchmark::add_column() {
  columns_.emplace_back(kN, kNaN);
  map_of_column_.push_back(-1);
  return static_cast<int32_t>(columns_.size() - 1);
}

int32_t NasBench201Benchmark::add_sparse_column(int32_t map) {
  columns_.emplace_back();
  map_of_column_.push_back(map);
  return static_cast<int32_t>(columns_.size() - 1);
}

int32_t NasBench201Benchmark::metric_position(const std::string& metric) {
  for (size_t i = 0; i < metric_names_.size(); ++i) {
    if (metric_names_[i] == metric) return static_cast<int32_t>(i);
  }
  metric_names_.push_back(metric);
  for (auto& row : column_of_) row.push_back(-1);
  for (auto& row : seed_column_of_) row.push_back(-1);
  return static_cast<int32_t>(metric_names_.size() - 1);
}

void NasBench201Benchmark::bind(int dataset, const std::string& metric, int32_t column) {
  column_of_[dataset][metric_position(metric)] = column;
}

// ---- names ----

int NasBench201Benchmark::dataset_position(const std::string& dataset) const {
  for (size_t i = 0; i < datasets_.size(); ++i) {
    if (datasets_[i] == dataset) return static_cast<int>(i);
  }
  throw ConfigError(unknown_choice_message("NAS-Bench-201 dataset", dataset, datasets_));
}

std::vector<std::string> NasBench201Benchmark::metrics(const std::string& dataset) const {
  const int d = dataset_position(dataset);
  std::vector<std::string> out;
  for (size_t m = 0; m < metric_names_.size(); ++m) {
    if (column_of_[d][m] >= 0) out.push_back(metric_names_[m]);
  }
  return out;
}

NasBench201Benchmark::MetricId NasBench201Benchmark::metric_id(const std::string& dataset,
                                                               const std::string& metric) const {
  const int d = dataset_position(dataset);
  int32_t m = -1;
  for (size_t i = 0; i < metric_names_.size(); ++i) {
    if (metric_names_[i] == metric) m = static_cast<int32_t>(i);
  }
  if (m < 0) {
    if (starts_with(metric, kLatencyPrefix)) {
      throw ConfigError(unknown_choice_message(
          "latency device", metric.substr(std::string(kLatencyPrefix).size()), devices_));
    }
    for (const char* prefix : {kZcPrefix, kZcTimePrefix}) {
      if (starts_with(metric, prefix)) {
        throw ConfigError(unknown_choice_message(
            "zero-cost proxy", metric.substr(std::string(prefix).size()), zc_proxies_));
      }
    }
    throw ConfigError(
        fmt::format("dataset '{}': {}", dataset,
                    unknown_choice_message("NAS-Bench-201 metric", metric, metrics(dataset))));
  }
  if (column_of_[d][m] < 0) {
    std::vector<std::string> with;
    for (size_t i = 0; i < datasets_.size(); ++i) {
      if (column_of_[i][m] >= 0) with.push_back(datasets_[i]);
    }
    throw ConfigError(fmt::format(
        "NAS-Bench-201 metric '{}' has no values for dataset '{}' (it has for: {}); metrics of "
        "'{}': {}",
        metric, dataset, join(with), dataset, join(metrics(dataset))));
  }
  MetricId id;
  id.column_ = column_of_[d][m];
  id.map_ = map_of_column_[id.column_];
  id.seed_column_ = seed_column_of_[d][m];
  id.dataset_ = d;
  return id;
}

// ---- fidelities ----

namespace {
constexpr int64_t kLowEpochs = 12;
constexpr int64_t kFullEpochs = 200;
}  // namespace

std::vector<int64_t> NasBench201Benchmark::fidelities(const std::string& dataset) const {
  dataset_position(dataset);  // checks the name
  return {kLowEpochs, kFullEpochs};
}

Benchmark::Handle NasBench201Benchmark::handle_of(MetricId id, double scale) const {
  Handle h;
  h.slot = id.column_;
  h.aux[0] = id.map_;
  h.aux[1] = id.seed_column_;
  h.aux[2] = id.dataset_;
  h.scale = scale;
  h.owner = this;
  return h;
}

NasBench201Benchmark::MetricId NasBench201Benchmark::id_of(const Handle& handle) const {
  NASCPP_CHECK_CONFIG(handle.owner == this,
                      "a benchmark handle resolved by another benchmark was used with '{}'",
                      name());
  NASCPP_CHECK_CONFIG(handle.valid(),
                      "look-up with an invalid handle (a metric without values at the fidelity "
                      "it was resolved for)");
  MetricId id;
  id.column_ = handle.slot;
  id.map_ = handle.aux[0];
  id.seed_column_ = handle.aux[1];
  id.dataset_ = handle.aux[2];
  return id;
}

Benchmark::Handle NasBench201Benchmark::resolve(const std::string& dataset,
                                                const std::string& metric, int64_t epochs) const {
  // The metric must exist for the dataset at all (the message lists them).
  const MetricId full = metric_id(dataset, metric);
  if (epochs == 0 || epochs == kFullEpochs) return handle_of(full, 1.0);
  if (epochs != kLowEpochs) {
    throw ConfigError(fmt::format(
        "NAS-Bench-201 has no results after {} epochs; its fidelities are {} and {} (full) epochs",
        epochs, kLowEpochs, kFullEpochs));
  }
  if (metric == "valid_acc" || metric == "test_acc") {
    const std::string low = metric + "_12ep";
    const int d = dataset_position(dataset);
    for (size_t m = 0; m < metric_names_.size(); ++m) {
      if (metric_names_[m] == low && column_of_[d][m] >= 0) {
        return handle_of(metric_id(dataset, low), 1.0);
      }
    }
    return Handle();
  }
  if (metric == "ori_test_acc") return Handle();  // recorded for the 200-epoch runs only
  if (metric == "train_time_s") {
    return handle_of(full, static_cast<double>(kLowEpochs) / static_cast<double>(kFullEpochs));
  }
  return handle_of(full, 1.0);  // does not depend on training
}

std::optional<double> NasBench201Benchmark::value(const Architecture& arch,
                                                  const Handle& handle) const {
  auto v = value(arch, id_of(handle));
  if (v) *v *= handle.scale;
  return v;
}

std::optional<double> NasBench201Benchmark::value(const Architecture& arch, const Handle& handle,
                                                  Rng& rng) const {
  auto v = value(arch, id_of(handle), rng);
  if (v) *v *= handle.scale;
  return v;
}

std::vector<std::pair<std::string, std::string>> NasBench201Benchmark::identifiers(
    const Architecture& arch) const {
  return {{"index", std::to_string(index_of(arch))},
          {"op_code", Space::op_code_of(Space::ops_of(arch))}};
}

std::optional<Architecture> NasBench201Benchmark::lookup(const std::string& key) const {
  const bool digits = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return std::nullopt;
  if (key.size() <= 5) return arch_at(std::stoi(key));
  if (key.size() == static_cast<size_t>(Space::kNumEdges)) {
    Space::Ops ops{};
    for (size_t i = 0; i < key.size(); ++i) {
      NASCPP_CHECK_CONFIG(key[i] <= '4',
                          "NAS-Bench-201 op code '{}': digit {} is '{}', op codes use 0-4 ({})",
                          key, i + 1, key[i], join(Space::op_names()));
      ops[i] = key[i] - '0';
    }
    return Space::from_ops(ops);
  }
  return std::nullopt;
}

Benchmark::BestArchitecture NasBench201Benchmark::best_architecture(
    const std::string& dataset, const std::string& metric) const {
  const Best b = best(dataset, metric);
  return {arch_at(b.index), b.value};
}

std::string NasBench201Benchmark::default_metric(const std::string& dataset) const {
  const auto have = metrics(dataset);
  return std::find(have.begin(), have.end(), "valid_acc") != have.end() ? "valid_acc"
                                                                         : "test_acc";
}

// ---- look-ups ----

int32_t NasBench201Benchmark::checked_dense(int32_t index) const {
  NASCPP_CHECK_CONFIG(index >= 0 && index < kN,
                      "NAS-Bench-201 architecture index {} is out of range [0, {})", index, kN);
  return dense_of_index_[index];
}

std::optional<double> NasBench201Benchmark::read(int32_t column, int32_t map, int32_t dense) const {
  double v = 0.0;
  if (map < 0) {
    v = columns_[column][dense];
  } else {
    const int32_t slot = slot_maps_[map][dense];
    if (slot < 0) return std::nullopt;
    v = columns_[column][slot];
  }
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> NasBench201Benchmark::value(int32_t index, MetricId id) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  return read(id.column_, id.map_, checked_dense(index));
}

std::optional<double> NasBench201Benchmark::value(const Architecture& arch, MetricId id) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  return read(id.column_, id.map_, Space::dense_id(arch));
}

std::optional<double> NasBench201Benchmark::value(int32_t index, MetricId id, Rng& rng) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  const int32_t dense = checked_dense(index);
  if (!id.has_seeds()) return read(id.column_, id.map_, dense);
  const size_t slot = rng.index(seed_counts_[id.dataset_][dense]);
  const double v = seed_columns_[id.seed_column_ + static_cast<int32_t>(slot)][dense];
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> NasBench201Benchmark::value(const Architecture& arch, MetricId id,
                                                  Rng& rng) const {
  return value(index_of_dense_[Space::dense_id(arch)], id, rng);
}

std::optional<double> NasBench201Benchmark::value_at_seed(int32_t index, MetricId id,
                                                          int slot) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  const int32_t dense = checked_dense(index);
  if (!id.has_seeds()) return std::nullopt;
  const int count = seed_counts_[id.dataset_][dense];
  NASCPP_CHECK_CONFIG(slot >= 0 && slot < count,
                      "seed slot {} out of range: architecture {} has {} seed(s) on {}", slot,
                      index, count, datasets_[id.dataset_]);
  const double v = seed_columns_[id.seed_column_ + slot][dense];
  if (std::isnan(v)) return std::nullopt;
  return v;
}

int NasBench201Benchmark::seed_count(int32_t index, MetricId id) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  const int32_t dense = checked_dense(index);
  return seed_counts_[id.dataset_][dense];
}

std::optional<double> NasBench201Benchmark::query(const Architecture& arch,
                                                  const std::string& metric,
                                                  const std::string& dataset, Rng* rng) const {
  const MetricId id = metric_id(dataset, metric);
  return rng == nullptr ? value(arch, id) : value(arch, id, *rng);
}

std::optional<double> NasBench201Benchmark::query(int32_t index, const std::string& metric,
                                                  const std::string& dataset, Rng* rng) const {
  const MetricId id = metric_id(dataset, metric);
  return rng == nullptr ? value(index, id) : value(index, id, *rng);
}

std::optional<double> NasBench201Benchmark::latency_ms(const Architecture& arch,
                                                       const std::string& device) const {
  for (const auto& d : devices_) {
    if (d == device) return value(arch, metric_id("cifar10", kLatencyPrefix + device));
  }
  throw ConfigError(unknown_choice_message("latency device", device, devices_));
}

// ---- architectures ----

int32_t NasBench201Benchmark::index_of(const Architecture& arch) const {
  return index_of_dense_[Space::dense_id(arch)];
}

Architecture NasBench201Benchmark::arch_at(int32_t index) const {
  return Space::from_ops(Space::ops_from_dense_id(checked_dense(index)));
}

NasBench201Benchmark::Best NasBench201Benchmark::best(const std::string& dataset,
                                                      const std::string& metric) const {
  return best(metric_id(dataset, metric), !lower_is_better(metric));
}

NasBench201Benchmark::Best NasBench201Benchmark::best(MetricId id, bool maximize) const {
  NASCPP_CHECK_CONFIG(id.valid(), "invalid (default-constructed) MetricId");
  Best out;
  for (int32_t index = 0; index < kN; ++index) {
    const auto v = read(id.column_, id.map_, dense_of_index_[index]);
    if (!v) continue;
    if (out.index < 0 || (maximize ? *v > out.value : *v < out.value)) {
      out.index = index;
      out.value = *v;
    }
  }
  NASCPP_ASSERT(out.index >= 0);  // metric_id only resolves metrics with values
  return out;
}

}  // namespace nascpp
