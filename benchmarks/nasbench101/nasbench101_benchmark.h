#pragma once
/// The NAS-Bench-101 tabular benchmark (Ying et al. 2019): CIFAR-10 results
/// of the 108-epoch training runs (3 repeats per cell), keyed by the
/// official graph hash of the cell (`NasBench101Space::hash_spec`).
///
/// Sources, read once and shared read-only:
/// - the official `nasbench_only108.tfrecord` (423,624 cells, ~500 MB; see
///   docs/benchmark-data.md), read natively (TFRecord framing with CRC
///   checks, JSON rows, base64, the ModelMetrics protobuf);
/// - or, without it, the 30 real cells of `nasbench101/nb101_sample30.json`
///   of the data directory;
/// - and, where present in the data directory, the 500 cells of
///   `nas-bench-suite-zero/zc_nasbench101.json` (validation accuracy and
///   zero-cost proxy scores).
///
///     auto bench = nascpp::NasBench101Benchmark::load_tfrecord("nasbench_only108.tfrecord");
///     nascpp::NasBench101Space space;
///     auto arch = space.parse("[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]"
///                             "|input,conv3x3-bn-relu,maxpool3x3,output");
///     bench->query(arch, "valid_acc", "cifar10");        // mean of the 3 repeats
///     bench->query(arch, "valid_acc", "cifar10", &rng);  // one repeat, drawn with rng
///
/// Metrics (dataset "cifar10"; accuracies in percent, times in seconds):
/// `valid_acc`, `test_acc`, `train_acc`, `train_time_s` at the end of the
/// 108 epochs, the same with the prefix `halfway_` at epoch 54, `params`
/// (trainable parameters), and `zc.<proxy>` for the zero-cost file's
/// measures. `valid_acc` of a cell with no training record but an entry in
/// the zero-cost file is that file's `val_accuracy` (one value, no repeats).
/// That file is keyed by NASLib's raw (unpruned) specs, and several keys can
/// be the same cell (its 500 keys are 292 cells); a cell's values are the
/// means over its keys.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"
#include "search_spaces/nasbench101/nasbench101.h"

namespace nascpp {

/// How `NasBench101Benchmark::load_tfrecord` reads the file.
struct NasBench101TfRecordOptions {
  /// Recompute every cell's graph hash and compare it with the file's key
  /// (adds ~30 us per cell).
  NASCPP_ARG(bool, verify_hashes) = false;
};

class NasBench101Benchmark : public Benchmark {
 public:
  /// Registry name.
  static constexpr const char* kName = "nasbench101";
  /// The only dataset.
  static constexpr const char* kDataset = "cifar10";
  /// Training runs per cell in the benchmark.
  static constexpr int kMaxRepeats = 3;
  /// The training budget whose results are read.
  static constexpr int kEpochs = 108;
  /// Files read from the data directory.
  static constexpr const char* kSampleFile = "nasbench101/nb101_sample30.json";
  static constexpr const char* kZeroCostFile = "nas-bench-suite-zero/zc_nasbench101.json";

  /// A graph hash as 16 bytes.
  using Hash = std::array<uint8_t, 16>;

  /// One training run: accuracies (percent) and training time (s) at the
  /// end (epoch 108) and halfway (epoch 54).
  struct Run {
    double valid_acc = 0, test_acc = 0, train_acc = 0, train_time_s = 0;
    double halfway_valid_acc = 0, halfway_test_acc = 0, halfway_train_acc = 0,
           halfway_train_time_s = 0;
  };

  /// The record of one cell.
  struct Entry {
    Hash hash{};
    /// The pruned spec as stored in the benchmark.
    NasBench101Spec spec;
    int64_t trainable_parameters = -1;
    int repeats = 0;
    std::array<Run, kMaxRepeats> runs{};
  };

  /// The 30 cells of nb101_sample30.json and the zero-cost file of
  /// `data_dir` (both required). Malformed files are DataErrors naming them.
  static std::shared_ptr<const NasBench101Benchmark> load(const std::string& data_dir);
  /// The records of a NAS-Bench-101 tfrecord file, plus the zero-cost file
  /// of `data_dir` when `data_dir` is not empty and has it. Records of other
  /// budgets than 108 epochs are skipped. Corrupt framing, rows or protobufs
  /// are DataErrors naming the file, record number and byte offset.
  static std::shared_ptr<const NasBench101Benchmark> load_tfrecord(
      const std::string& path, const std::string& data_dir = "",
      const NasBench101TfRecordOptions& options = NasBench101TfRecordOptions());
  /// Registry factory: keys `data_dir` (default: NASCPP_DATA), `tfrecord`
  /// (path; default: none, use nb101_sample30.json) and `verify_hashes`.
  static std::shared_ptr<const NasBench101Benchmark> from_config(ConfigNode& config);

  // ---- Benchmark ----

  std::string name() const override { return kName; }
  std::string search_space() const override { return NasBench101Space::kName; }
  std::vector<std::string> datasets() const override { return {kDataset}; }
  std::vector<std::string> metrics() const override { return metric_names_; }
  /// The repeat mean (rng null) or one repeat drawn uniformly with `rng`;
  /// nullopt for a cell without a value. Unknown datasets or metrics are
  /// ConfigErrors listing the valid names; an invalid arch is a ConfigError.
  std::optional<double> query(const Architecture& arch, const std::string& metric,
                              const std::string& dataset, Rng* rng = nullptr) const override;
  /// {54, 108}: the records' halfway and final evaluations.
  std::vector<int64_t> fidelities(const std::string& dataset) const override;
  /// At 54 epochs `valid_acc`, `test_acc`, `train_acc` and `train_time_s`
  /// are the `halfway_` values; `params` and `zc.*` do not depend on training.
  Handle resolve(const std::string& dataset, const std::string& metric,
                 int64_t epochs = 0) const override;
  std::optional<double> value(const Architecture& arch, const Handle& handle) const override;
  std::optional<double> value(const Architecture& arch, const Handle& handle,
                              Rng& rng) const override;
  /// {"hash", the 32-hex graph hash}.
  std::vector<std::pair<std::string, std::string>> identifiers(
      const Architecture& arch) const override;
  /// A 32-hex graph hash of a cell the benchmark knows.
  std::optional<Architecture> lookup(const std::string& key) const override;
  /// Over the cells with training records.
  BestArchitecture best_architecture(const std::string& dataset,
                                     const std::string& metric) const override;

  // ---- NAS-Bench-101 specific ----

  /// `query` by the 32-hex graph hash (a malformed hash is a ConfigError).
  std::optional<double> query_hash(const std::string& hash, const std::string& metric,
                                   Rng* rng = nullptr) const;
  /// The cell's record, or null if the table has none.
  const Entry* find(const Hash& hash) const;
  /// The stored (pruned) architecture of the cell with this hash, if known
  /// from a training record or the zero-cost file.
  std::optional<Architecture> arch_of_hash(const std::string& hash) const;
  /// Parses 32 hex digits; a ConfigError otherwise.
  static Hash parse_hash(const std::string& hex);

  /// Number of cells with training records.
  size_t size() const { return entries_.size(); }
  /// The records in file order.
  const std::vector<Entry>& entries() const { return entries_; }
  /// Number of distinct cells (hashes) in the zero-cost file.
  size_t zero_cost_size() const { return zc_entries_.size(); }
  /// The zero-cost proxies (metrics `zc.<proxy>`), sorted.
  const std::vector<std::string>& zc_proxies() const { return zc_proxies_; }
  /// Records of other budgets than 108 epochs skipped while loading.
  uint64_t skipped_records() const { return skipped_records_; }

  NasBench101Benchmark(const NasBench101Benchmark&) = delete;
  NasBench101Benchmark& operator=(const NasBench101Benchmark&) = delete;

 private:
  struct HashHasher {
    size_t operator()(const Hash& h) const noexcept;
  };
  struct ZeroCost {
    Hash hash{};
    NasBench101Spec spec;
    double val_acc = 0;          // mean over the file's keys of this cell
    std::vector<double> scores;  // by zc_proxies_ position, means; NaN = absent
    std::vector<int> counts;     // keys with a value, per proxy
    int keys = 0;                // the file's keys that are this cell
  };

  NasBench101Benchmark() = default;
  void load_sample(const std::string& path);
  void load_zero_cost(const std::string& path);
  void add_tfrecord(const std::string& path, const NasBench101TfRecordOptions& options);
  void finish();
  int metric_position(const std::string& metric) const;
  void check_dataset(const std::string& dataset) const;
  int handle_metric(const Handle& handle) const;
  std::optional<double> value(const Hash& hash, int metric, Rng* rng) const;

  std::vector<Entry> entries_;
  std::unordered_map<Hash, int32_t, HashHasher> index_;
  std::vector<ZeroCost> zc_entries_;
  std::unordered_map<Hash, int32_t, HashHasher> zc_index_;
  std::vector<std::string> zc_proxies_;
  std::vector<std::string> metric_names_;
  uint64_t skipped_records_ = 0;
};

}  // namespace nascpp
