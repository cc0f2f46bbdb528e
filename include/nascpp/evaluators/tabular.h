#pragma once
/// The tabular evaluator: looks an architecture up in a `Benchmark` instead of
/// training it. The cost is the benchmark's recorded training time (simulated
/// seconds).
///
///     auto bench = nascpp::NasBench201Benchmark::load_shared(data_dir);
///     nascpp::TabularEvaluator eval(bench, nascpp::TabularEvaluatorOptions()
///                                              .dataset("cifar100"));
///     auto r = eval.evaluate(arch, nascpp::Fidelity(), rng);
///     // r.objective = cifar100 valid_acc (seed mean), r.metrics["test_acc"],
///     // r.metrics["params_mb"], r.cost = cifar100 train_time_s
///
/// Fidelity: a request for `e` epochs reads the metric `<metric>_<e>ep`
/// (NAS-Bench-201: `valid_acc_12ep`) and costs `cost * e / full_epochs`.

#include <memory>
#include <string>
#include <vector>

#include "nascpp/benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/evaluator.h"

namespace nascpp {

struct TabularEvaluatorOptions {
  /// The benchmark dataset searched on (NAS-Bench-201: cifar10-valid,
  /// cifar10, cifar100, ImageNet16-120).
  NASCPP_ARG(std::string, dataset) = "cifar10-valid";
  /// The metric maximised (the objective).
  NASCPP_ARG(std::string, metric) = "valid_acc";
  /// The dataset of the reported metric; "" = `dataset` when it has
  /// `report_metric`, else `dataset` without its "-valid" suffix
  /// (NAS-Bench-201's protocol: search cifar10-valid, report cifar10).
  NASCPP_ARG(std::string, report_dataset) = "";
  /// The metric reported beside the objective (metrics key: its name).
  NASCPP_ARG(std::string, report_metric) = "test_acc";
  /// "mean": the seed-mean value; "seed": the objective of one training seed
  /// drawn per query (the benchmark's noisy query). Reported metrics are
  /// always seed means.
  NASCPP_ARG(std::string, noise) = "mean";
  /// The metric of `dataset` whose value is the cost of a full evaluation.
  NASCPP_ARG(std::string, cost_metric) = "train_time_s";
  /// Further metrics of `dataset` copied into the result (e.g. params_mb,
  /// latency_ms.pixel3), for constraints and Pareto fronts.
  NASCPP_ARG(std::vector<std::string>, extra_metrics) = {"params_mb"};
  /// Epochs of the benchmark's full training (200 for NAS-Bench-201), for the
  /// cost of lower fidelities.
  NASCPP_ARG(int64_t, full_epochs) = 200;

 public:
  /// Reads the keys above (`extra_metrics` as a list); ConfigError for bad values.
  static TabularEvaluatorOptions from_config(ConfigNode& cfg);
  /// ConfigError naming the first invalid value (checks needing the
  /// benchmark happen in the evaluator's constructor).
  void validate() const;
};

class TabularEvaluator : public Evaluator {
 public:
  /// Resolves every dataset and metric name against `benchmark`; unknown
  /// names are ConfigErrors listing the valid ones.
  TabularEvaluator(std::shared_ptr<const Benchmark> benchmark, TabularEvaluatorOptions options);
  ~TabularEvaluator() override;

  /// Registry factory: key `benchmark` (registry name, default "nasbench201")
  /// and the benchmark's own keys (`data_dir`), then the option keys.
  static std::unique_ptr<Evaluator> from_config(ConfigNode& config);

  std::string name() const override { return "tabular"; }
  std::string objective_name() const override { return options_.metric(); }
  std::vector<std::string> metric_names() const override;
  /// The `e` for which the benchmark has `<metric>_<e>ep` on `dataset`.
  std::vector<int64_t> fidelities() const override { return fidelities_; }
  bool simulated_cost() const override { return true; }
  std::string report_metric_name() const override { return options_.report_metric(); }
  std::string dataset_name() const override { return options_.dataset(); }
  std::vector<std::string> data_files() const override { return benchmark_->data_files(); }

  const TabularEvaluatorOptions& options() const { return options_; }
  const Benchmark& benchmark() const { return *benchmark_; }
  /// The report dataset in effect (after resolving "").
  const std::string& report_dataset() const { return report_dataset_; }

 private:
  struct Fast;
  EvaluationResult do_evaluate(const Architecture& arch, const Fidelity& fidelity,
                               Rng& rng) override;

  std::shared_ptr<const Benchmark> benchmark_;
  TabularEvaluatorOptions options_;
  std::string report_dataset_;
  std::vector<int64_t> fidelities_;
  std::unique_ptr<Fast> fast_;  // NAS-Bench-201: pre-resolved metric ids
};

}  // namespace nascpp
