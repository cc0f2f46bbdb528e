#pragma once
/// `Benchmark`: a tabular NAS benchmark, loaded once and shared read-only
/// (`std::shared_ptr<const Benchmark>`), answering look-ups instead of training.

#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"

namespace nascpp {

class Benchmark {
 public:
  virtual ~Benchmark() = default;

  /// Registry name ("nasbench201", ...).
  virtual std::string name() const = 0;
  /// Name of the search space whose architectures it answers for.
  virtual std::string search_space() const = 0;
  /// Dataset names accepted by `query`.
  virtual std::vector<std::string> datasets() const = 0;
  /// Metric names accepted by `query` ("valid_acc", "test_acc", "train_time_s", ...).
  virtual std::vector<std::string> metrics() const = 0;

  /// The value of `metric` for `arch` on `dataset`: the mean over training
  /// seeds when `rng` is null, else one seed drawn with `rng` (as the original
  /// APIs' noisy queries). `std::nullopt` where the table has no value. Unknown
  /// datasets or metrics are ConfigErrors listing the valid names.
  virtual std::optional<double> query(const Architecture& arch, const std::string& metric,
                                      const std::string& dataset, Rng* rng = nullptr) const = 0;

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
