#pragma once
/// Trials: what a black-box optimizer proposes (an architecture at a
/// fidelity, possibly continuing an earlier trial's training) and what its
/// evaluation found.
///
///     nascpp::Trial t;                        // made by BlackBoxOptimizer::ask
///     t.id;                                   // 0, 1, 2, ... in ask order
///     t.fidelity = nascpp::Fidelity::with_epochs(12);
///     t.continues = nascpp::Trial::Continuation{3, 4};  // trial 3 trained 4 epochs
///     nascpp::EvaluationResult r = evaluator.evaluate(t, rng);
///     r.epochs;                               // 12: the fidelity the metrics are at

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"

namespace nascpp {

/// How thoroughly to evaluate: a number of training epochs, or the
/// evaluator's full fidelity. `with_epochs(n)` where n is the evaluator's full
/// epoch count is the full fidelity too (NAS-Bench-201: 200).
struct Fidelity {
  /// Training epochs; 0 names the full fidelity.
  int64_t epochs = 0;

  /// The full fidelity.
  static Fidelity full() { return {}; }
  /// `n` epochs (n >= 1).
  static Fidelity with_epochs(int64_t n) { return Fidelity{n}; }
  /// True for `full()` (an explicit epoch count may still be the full one:
  /// `Evaluator::resolve_epochs` says).
  bool names_full() const { return epochs == 0; }

  bool operator==(const Fidelity& o) const { return epochs == o.epochs; }
  bool operator!=(const Fidelity& o) const { return epochs != o.epochs; }
};

/// The epoch budgets an evaluator offers, for multi-fidelity optimizers.
struct FidelityRange {
  /// The lowest and the full (highest) epoch count.
  int64_t min_epochs = 1;
  int64_t max_epochs = 1;
  /// The epoch counts with data, ascending (a tabular benchmark's: 12 and 200
  /// for NAS-Bench-201); empty when every count in [min, max] is accepted.
  std::vector<int64_t> available;
};

/// What an evaluation of one trial found.
struct EvaluationResult {
  /// The value the optimizer maximises (e.g. validation accuracy at the
  /// trial's fidelity). A failed evaluation has -infinity: it ranks below
  /// every successful one.
  double objective = 0.0;
  /// Every metric reported (objective, test accuracy, parameters, ...), each
  /// at the evaluation's fidelity where it depends on training.
  std::map<std::string, double> metrics;
  /// Metrics the evaluator reports at full fidelity that have no value at
  /// this one (e.g. a test accuracy a benchmark records only after full
  /// training); never in `metrics`.
  std::vector<std::string> unavailable;
  /// Cost of the evaluation in (simulated or real) seconds; a continued
  /// trial pays only its extra epochs.
  double cost = 0.0;
  /// The epochs the metrics stand for (the fidelity resolved; 0 when the
  /// evaluator has no notion of epochs).
  int64_t epochs = 0;
  /// Epochs of training this evaluation paid for: its resolved epochs, or
  /// for a continuation only the extra ones (a tabular look-up pays what the
  /// training it stands for would have). What an epoch budget counts.
  int64_t epochs_paid = 0;
  /// Empty for a successful evaluation; else why it failed (diverged
  /// training, a network that does not fit, ...). A failed evaluation is a
  /// result like any other: it is logged, counted and told to the optimizer.
  std::string failure;

  bool failed() const { return !failure.empty(); }
  /// A failed result with its reason and the cost paid before it failed.
  static EvaluationResult failed_with(std::string reason, double cost = 0.0);
};

/// One proposal of a black-box optimizer: evaluate `arch` at `fidelity`.
struct Trial {
  /// The trial `continues` names: train further from where it stopped.
  struct Continuation {
    /// The id of the continued trial.
    int64_t trial = -1;
    /// Its epochs (the new trial pays fidelity epochs minus these).
    int64_t epochs = 0;
  };

  /// 0, 1, 2, ... in the order the optimizer was asked (-1: not from an optimizer).
  int64_t id = -1;
  Architecture arch;
  Fidelity fidelity;
  /// Set for a promotion: the same architecture trained further from where a
  /// lower-fidelity trial stopped (evaluators that cannot continue train
  /// from scratch and say so in the cost).
  std::optional<Continuation> continues;
};

}  // namespace nascpp
