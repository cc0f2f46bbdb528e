#pragma once
/// `Benchmark`: a tabular NAS benchmark, loaded once and shared read-only
/// (`std::shared_ptr<const Benchmark>`), answering look-ups instead of training.
///
/// Inner loops resolve a (dataset, metric, fidelity) triple once; a look-up
/// with the handle is an array read:
///
///     auto bench = nascpp::benchmark_registry().create("nasbench201", cfg);
///     bench->fidelities("cifar10-valid");                   // {12, 200}
///     auto h = bench->resolve("cifar10-valid", "valid_acc", 12);
///     std::optional<double> v = bench->value(arch, h);       // seed mean, 12 epochs
///     bench->value(arch, h, rng);                            // one training seed
///     bench->all_metrics(arch, "cifar10");                   // every metric by name

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"

namespace nascpp {

class Benchmark {
 public:
  /// A (dataset, metric, fidelity) triple resolved by `resolve`. Its fields
  /// are interpreted only by the benchmark that made it.
  struct Handle {
    /// False when the metric has no values at the fidelity it was resolved for.
    bool valid() const { return slot >= 0; }
    int32_t slot = -1;
    int32_t aux[3] = {-1, -1, -1};
    /// Factor applied to looked-up values (a training time scaled to fewer epochs).
    double scale = 1.0;
    /// The benchmark that resolved it (checked by `value`).
    const Benchmark* owner = nullptr;
  };

  /// The best architecture for a metric and its value.
  struct BestArchitecture {
    Architecture arch;
    double value = 0.0;
  };

  virtual ~Benchmark() = default;

  /// Registry name ("nasbench201", ...).
  virtual std::string name() const = 0;
  /// Name of the search space whose architectures it answers for.
  virtual std::string search_space() const = 0;
  /// Dataset names accepted by `query`.
  virtual std::vector<std::string> datasets() const = 0;
  /// Metric names accepted by `query` ("valid_acc", "test_acc", "train_time_s", ...).
  virtual std::vector<std::string> metrics() const = 0;
  /// The metrics with values for `dataset` (default: every metric); an
  /// unknown dataset is a ConfigError listing the valid ones.
  virtual std::vector<std::string> metrics(const std::string& dataset) const;

  /// The value of `metric` for `arch` on `dataset` after full training: the
  /// mean over training seeds when `rng` is null, else one seed drawn with
  /// `rng` (as the original APIs' noisy queries). `std::nullopt` where the
  /// table has no value. Unknown datasets or metrics are ConfigErrors listing
  /// the valid names.
  virtual std::optional<double> query(const Architecture& arch, const std::string& metric,
                                      const std::string& dataset, Rng* rng = nullptr) const = 0;

  // ---- fidelities and resolved look-ups ----

  /// The training budgets (epochs) with data for `dataset`, ascending; the
  /// last is the full training (NAS-Bench-201: 12 and 200; NAS-Bench-101: 54
  /// and 108). An unknown dataset is a ConfigError.
  virtual std::vector<int64_t> fidelities(const std::string& dataset) const = 0;
  /// Resolves `metric` of `dataset` after `epochs` of training (0: the full
  /// training). Metrics that do not depend on training (parameters,
  /// latency, zero-cost scores) resolve at every fidelity; a training time
  /// recorded only for the full training is scaled by epochs / full epochs.
  /// A metric that exists but has no values at that fidelity gives an
  /// invalid handle. Unknown datasets or metrics, and epoch counts not in
  /// `fidelities(dataset)`, are ConfigErrors listing the valid ones.
  virtual Handle resolve(const std::string& dataset, const std::string& metric,
                         int64_t epochs = 0) const = 0;
  /// The value for `arch` (seed mean) times the handle's scale; nullopt
  /// where the table has no value. An invalid or foreign handle is a ConfigError.
  virtual std::optional<double> value(const Architecture& arch, const Handle& handle) const = 0;
  /// As above with one training seed drawn with `rng` where the metric has
  /// per-seed values (otherwise the mean, without drawing).
  virtual std::optional<double> value(const Architecture& arch, const Handle& handle,
                                      Rng& rng) const = 0;

  /// Every metric with a value for `arch` on `dataset` after full training,
  /// by name (what `nascpp query` prints).
  std::map<std::string, double> all_metrics(const Architecture& arch,
                                            const std::string& dataset) const;

  // ---- architectures ----

  /// Names of `arch` in this benchmark besides its text form, e.g.
  /// {"index", "6111"}, {"op_code", "..."} (NAS-Bench-201) or {"hash", ...}
  /// (NAS-Bench-101). Default: none.
  virtual std::vector<std::pair<std::string, std::string>> identifiers(
      const Architecture& arch) const;
  /// The architecture one of those names denotes (e.g. an index or op code),
  /// nullopt when `key` is not such a name. Default: none.
  virtual std::optional<Architecture> lookup(const std::string& key) const;
  /// The best architecture for `metric` on `dataset` (full training, seed
  /// means): the maximum, or the minimum where `lower_is_better(metric)`;
  /// ties go to the first in the benchmark's order. A ConfigError for
  /// benchmarks that cannot enumerate their architectures.
  virtual BestArchitecture best_architecture(const std::string& dataset,
                                             const std::string& metric) const;
  /// True for cost metrics, where smaller is better (times, parameters, latency).
  virtual bool lower_is_better(const std::string& metric) const;
  /// The accuracy metric a search on `dataset` maximises by default
  /// (NAS-Bench-201: valid_acc, or test_acc where the dataset has no
  /// validation split). Default: "valid_acc".
  virtual std::string default_metric(const std::string& dataset) const;

  /// The files the benchmark was read from (for run manifests), in load order.
  const std::vector<std::string>& data_files() const { return data_files_; }

 protected:
  /// Loaders record each file they read.
  void add_data_file(std::string path) { data_files_.push_back(std::move(path)); }

 private:
  std::vector<std::string> data_files_;
};

/// The benchmark data directory: `configured` when non-empty, else the
/// environment variable NASCPP_DATA; neither is a ConfigError that says how to
/// set one and where the data comes from.
std::string resolve_data_dir(const std::string& configured);

}  // namespace nascpp
