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
/// Fidelities are the benchmark's (`Benchmark::fidelities`: NAS-Bench-201 12
/// and 200 epochs). A low-fidelity evaluation reports every metric at that
/// fidelity (NAS-Bench-201's 12-epoch validation and test accuracies, the
/// training time scaled by 12/200); metrics without values there are listed
/// in `EvaluationResult::unavailable`, never reported under the full
/// training's name. A trial continuing a lower-fidelity one pays the cost
/// difference only.

#include <memory>
#include <optional>
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
  /// The benchmark's fidelities of `dataset`.
  FidelityRange fidelity_range() const override { return range_; }
  /// The cost difference of the two fidelities.
  bool supports_continuation() const override { return true; }
  bool simulated_cost() const override { return true; }
  std::string report_metric_name() const override { return options_.report_metric(); }
  std::string dataset_name() const override { return options_.dataset(); }
  std::vector<std::string> data_files() const override { return benchmark_->data_files(); }
  std::string search_space() const override { return benchmark_->search_space(); }

  const TabularEvaluatorOptions& options() const { return options_; }
  const Benchmark& benchmark() const { return *benchmark_; }
  /// The report dataset in effect (after resolving "").
  const std::string& report_dataset() const { return report_dataset_; }

 private:
  // The handles of one fidelity, resolved once.
  struct Handles {
    int64_t epochs = 0;
    Benchmark::Handle objective, report, cost;
    std::vector<Benchmark::Handle> extra;
  };
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) override;
  const Handles& handles(int64_t epochs) const;

  std::shared_ptr<const Benchmark> benchmark_;
  TabularEvaluatorOptions options_;
  std::string report_dataset_;
  FidelityRange range_;
  std::vector<Handles> handles_;  // by fidelity, ascending
};

}  // namespace nascpp
