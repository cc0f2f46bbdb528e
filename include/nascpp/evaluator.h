#pragma once
/// `Evaluator`: turns a trial (an architecture at a fidelity) into an
/// `EvaluationResult` (the objective the optimizer maximises, the metrics to
/// report, and the cost in seconds), either by looking it up in a tabular
/// benchmark (evaluators/tabular.h) or by really training it
/// (evaluators/training.h).
///
///     auto eval = nascpp::evaluator_registry().create("tabular", cfg, space);
///     nascpp::EvaluationResult r = eval->evaluate(arch, nascpp::Fidelity(), rng);
///     r.objective;                 // e.g. cifar10-valid validation accuracy (%)
///     r.metrics.at("test_acc");    // e.g. cifar10 test accuracy (%)
///     r.cost;                      // simulated (tabular) or wall (training) seconds
///     eval->fidelity_range();      // NAS-Bench-201: 12 and 200 epochs

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"
#include "nascpp/trial.h"

namespace nascpp {

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  /// Registry name ("tabular", "training").
  virtual std::string name() const = 0;
  /// Name of the objective (the metric maximised), e.g. "valid_acc".
  virtual std::string objective_name() const = 0;
  /// Every metric name `evaluate` puts into `EvaluationResult::metrics` at
  /// full fidelity.
  virtual std::vector<std::string> metric_names() const = 0;
  /// The epoch budgets accepted: the full fidelity is `max_epochs`; an empty
  /// `available` accepts every count in [min_epochs, max_epochs] (training).
  virtual FidelityRange fidelity_range() const = 0;
  /// True when a trial that continues another pays only its extra epochs
  /// (training from the continued trial's checkpoint; a tabular benchmark's
  /// recorded cost difference). Otherwise a continuation trains from scratch.
  virtual bool supports_continuation() const { return false; }
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
  /// The search space whose architectures it evaluates when it is bound to
  /// one (a tabular benchmark answers for one space); "" for any.
  virtual std::string search_space() const { return ""; }

  /// A folder where the evaluator may keep per-trial state across the run
  /// (the training evaluator's trial checkpoints, which continued trials
  /// start from); a run directory sets it. Default: ignored.
  virtual void set_trial_storage(const std::string& dir) { (void)dir; }

  /// The epochs of `fidelity`: `full()`'s are `fidelity_range().max_epochs`;
  /// an explicit count must be one the evaluator accepts (else a ConfigError
  /// listing those).
  int64_t resolve_epochs(const Fidelity& fidelity) const;

  /// Evaluates `trial`; `rng` draws the evaluation noise (a training seed of
  /// a tabular benchmark, the weight initialisation and data order of real
  /// training). May be called from several threads at once (the thread-pool
  /// executor): implementations keep no unguarded mutable state. An
  /// unsupported fidelity is a ConfigError; a candidate whose evaluation
  /// fails (diverging training, ...) gives a failed result naming the trial,
  /// not an exception.
  EvaluationResult evaluate(const Trial& trial, Rng& rng);
  /// `evaluate` of a trial of `arch` at `fidelity` outside any optimizer.
  EvaluationResult evaluate(const Architecture& arch, const Fidelity& fidelity, Rng& rng);

 private:
  /// Evaluates `trial` at `epochs` (resolved; the full fidelity's count for
  /// `Fidelity::full()`). Sets at least objective, metrics and cost; the base
  /// fills `epochs` and, when left 0, `epochs_paid`.
  virtual EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) = 0;
};

}  // namespace nascpp
