#pragma once
/// `Evaluator`: turns an architecture into an `EvaluationResult` (the
/// objective the optimizer maximises, the metrics to report, and the cost in
/// seconds), either by looking it up in a tabular benchmark
/// (evaluators/tabular.h) or by really training it (evaluators/training.h).
///
///     auto eval = nascpp::evaluator_registry().create("tabular", cfg, space);
///     nascpp::EvaluationResult r = eval->evaluate(arch, nascpp::Fidelity(), rng);
///     r.objective;                 // e.g. cifar10-valid validation accuracy (%)
///     r.metrics.at("test_acc");    // e.g. cifar10 test accuracy (%)
///     r.cost;                      // simulated (tabular) or wall (training) seconds

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"
#include "nascpp/optimizer.h"

namespace nascpp {

/// How thoroughly to evaluate: `epochs == 0` is the evaluator's full
/// fidelity; a positive value asks for training of that many epochs (a tabular
/// evaluator accepts only the budgets its table has, see `fidelities`).
struct Fidelity {
  int64_t epochs = 0;

  /// The full fidelity.
  static Fidelity full() { return {}; }
  /// `n` epochs.
  static Fidelity with_epochs(int64_t n) { return Fidelity{n}; }
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  /// Registry name ("tabular", "training").
  virtual std::string name() const = 0;
  /// Name of the objective (the metric maximised), e.g. "valid_acc".
  virtual std::string objective_name() const = 0;
  /// Every metric name `evaluate` puts into `EvaluationResult::metrics`.
  virtual std::vector<std::string> metric_names() const = 0;
  /// The epoch budgets accepted besides the full one (0); empty when any
  /// positive number is accepted (training).
  virtual std::vector<int64_t> fidelities() const = 0;
  /// True when `cost` is simulated (a benchmark's recorded training time)
  /// rather than measured wall time.
  virtual bool simulated_cost() const = 0;
  /// The metric reported beside the objective (a key of `metrics`), e.g. the
  /// test accuracy of a tabular benchmark; by default the objective.
  virtual std::string report_metric_name() const { return objective_name(); }
  /// The dataset evaluated on, e.g. "cifar10-valid" or "fashion_mnist" ("" if
  /// the evaluator has none).
  virtual std::string dataset_name() const { return ""; }
  /// The data files behind the evaluations (for run manifests).
  virtual std::vector<std::string> data_files() const { return {}; }

  /// Evaluates `arch` at `fidelity`; `rng` draws the evaluation noise (a
  /// training seed of a tabular benchmark, the weight initialisation and data
  /// order of real training). An unsupported fidelity is a ConfigError listing
  /// the supported ones.
  EvaluationResult evaluate(const Architecture& arch, const Fidelity& fidelity, Rng& rng);

 private:
  virtual EvaluationResult do_evaluate(const Architecture& arch, const Fidelity& fidelity,
                                       Rng& rng) = 0;
};

}  // namespace nascpp
