#pragma once
/// The black-box search loop: ask the optimizer for trials while a worker of
/// the executor is free, evaluate them, tell each result as it completes,
/// until a budget runs out; with constraints on reported metrics and the
/// Pareto front of everything evaluated.
///
///     auto space = std::make_shared<nascpp::NasBench201Space>();
///     nascpp::Rng rng(seed);
///     auto optimizer = nascpp::optimizer_registry().create("regularized_evolution", cfg);
///     auto& bb = dynamic_cast<nascpp::BlackBoxOptimizer&>(*optimizer);
///     bb.attach(space, &rng);
///     nascpp::TabularEvaluator evaluator(bench, {});
///     nascpp::SimulatedExecutor executor(evaluator, 4);   // or SequentialExecutor(evaluator)
///     nascpp::SearchResult result = nascpp::run_black_box(
///         bb, executor, evaluator, rng,
///         nascpp::SearchOptions().budget(nascpp::Budget().max_simulated_s(12000)));
///     result.incumbent_trajectory.back();  // index into result.evaluations
///
/// Constraint rule: an evaluation is feasible when it did not fail and every
/// constraint's metric is present in its result and at most the bound. The
/// incumbent is the best feasible objective among the evaluations at the
/// highest fidelity evaluated so far (ties keep the earlier one; with one
/// fidelity: the best feasible so far). The optimizer is told every result
/// unchanged, feasible or not, failed or not.
///
/// Resume: `SearchOptions::checkpoint` (the state written through
/// `on_checkpoint`) and `SearchOptions::previous` (the logged evaluations,
/// in completion order) continue an interrupted run: the optimizer is
/// restored, then asked again and told each logged result past the
/// checkpoint, with no evaluation repeated; trials that were running when
/// the run stopped are evaluated. The resumed run ends as the uninterrupted
/// one would have, also with several evaluations in flight (for executors
/// whose completion order is not deterministic, the log's order is replayed).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/evaluator.h"
#include "nascpp/executor.h"
#include "nascpp/optimizer.h"

namespace nascpp {

/// When to stop asking: whichever limit is reached first; 0 disables a
/// limit, and at least one must be set. Trials already running when a limit
/// is reached still finish and count (they were paid for).
struct Budget {
  /// Number of evaluations.
  NASCPP_ARG(int64_t, max_queries) = 0;
  /// Simulated seconds: the executor's simulated clock (k simulated workers:
  /// the simulated wall time; one worker: the sum of the costs), else the sum
  /// of the evaluations' costs.
  NASCPP_ARG(double, max_simulated_s) = 0.0;
  /// Wall time of the whole loop, in seconds.
  NASCPP_ARG(double, max_wall_s) = 0.0;
  /// Training epochs paid over all evaluations (full-fidelity-equivalent:
  /// 10 full NAS-Bench-201 evaluations are 2,000 epochs; a promotion pays
  /// only its extra epochs).
  NASCPP_ARG(double, max_epochs) = 0.0;

 public:
  /// Keys max_queries, max_simulated_s, max_wall_s, max_epochs.
  static Budget from_config(ConfigNode& cfg);
  /// ConfigError for negative or non-finite limits or none set.
  void validate() const;
};

/// An upper bound on a reported metric, e.g. {"params_mb", 0.5} or
/// {"latency_ms.pixel3", 10}.
struct Constraint {
  std::string metric;
  double max_value = 0.0;
};

/// Constraints from config: keys `max_params_mb` (-> params_mb),
/// `latency_device` + `max_latency_ms` (-> latency_ms.<device>), and a list
/// `metrics: [{metric: name, max: value}, ...]` for any other metric.
std::vector<Constraint> constraints_from_config(ConfigNode& cfg);

/// One evaluation of the loop.
struct Evaluation {
  /// 0-based position in the loop's completion order.
  int64_t query = 0;
  /// The trial evaluated (id, architecture, fidelity, continuation).
  Trial trial;
  EvaluationResult result;
  /// Meets every constraint and did not fail (see the rule above).
  bool feasible = true;
  /// Costs summed over the evaluations so far, this one included.
  double cumulative_cost = 0.0;
  /// Epochs paid so far (EvaluationResult::epochs_paid summed), this one included.
  double cumulative_epochs = 0.0;
  /// On the executor's clock (simulated or wall seconds): when it started and
  /// ended, and on which worker.
  double start_s = 0.0;
  double end_s = 0.0;
  int64_t worker = 0;
  /// Wall seconds since the loop started, after this evaluation.
  double wall_s = 0.0;
};

/// The loop's state at a checkpoint (after a result was told, before new
/// trials were asked): enough, with the logged evaluations, to continue.
struct SearchCheckpoint {
  /// Evaluations completed (the first `completed` logged ones).
  int64_t completed = 0;
  /// `BlackBoxOptimizer::save_state` and the generator's `Rng::state`.
  std::string optimizer_state;
  std::string rng_state;
  /// The executor's clock and the trials running on it.
  double clock = 0.0;
  std::vector<RunningTrial> running;
};

struct SearchOptions {
  NASCPP_ARG(Budget, budget) = Budget();
  NASCPP_ARG(std::vector<Constraint>, constraints) = {};
  /// The fidelity of single-fidelity optimizers' trials (default: full).
  NASCPP_ARG(Fidelity, fidelity) = Fidelity();
  /// Seeds the evaluations: trial i is evaluated with a generator seeded from
  /// (evaluation_seed, i), so results do not depend on the order in which
  /// trials complete.
  NASCPP_ARG(uint64_t, evaluation_seed) = 0;
  /// Resume: the checkpoint to restore (none: replay `previous` from the
  /// start with a fresh optimizer) ...
  NASCPP_ARG(std::optional<SearchCheckpoint>, checkpoint) = std::nullopt;
  /// ... and the logged evaluations, in completion order (query 0, 1, ...).
  NASCPP_ARG(std::vector<Evaluation>, previous) = {};
  /// Take a checkpoint every this many evaluations (0: never by count) ...
  NASCPP_ARG(int64_t, checkpoint_every) = 0;
  /// ... or when this many wall seconds passed since the last (0: never by time).
  NASCPP_ARG(double, checkpoint_seconds) = 0.0;
  /// Receives each checkpoint (e.g. to write it to a file).
  NASCPP_ARG(std::function<void(const SearchCheckpoint&)>, on_checkpoint);
};

struct SearchResult {
  std::vector<Evaluation> evaluations;
  /// After evaluation i: the index of the incumbent in `evaluations`, or -1
  /// while no evaluation has been feasible.
  std::vector<int64_t> incumbent_trajectory;
  /// "max_queries", "max_simulated_s", "max_wall_s", "max_epochs" or "callback".
  std::string stop_reason;

  /// The incumbent after all evaluations; nullptr when none was feasible.
  const Evaluation* incumbent() const;
  /// The incumbent after the first `queries` evaluations (nullptr if none).
  const Evaluation* incumbent_at(int64_t queries) const;
};

/// Called after every evaluation with the loop's result so far; return false
/// to stop early (stop_reason "callback").
using SearchCallback = std::function<bool(const SearchResult&)>;

/// Runs the loop with an attached optimizer on `executor`; `rng` is the
/// optimizer's generator (saved in checkpoints). The optimizer's in-flight
/// limit is set to the executor's workers and its fidelities to the
/// evaluator's. A constraint naming a metric the evaluator never reports is
/// a ConfigError listing those it does. The callback is called after each
/// new (not replayed) evaluation.
SearchResult run_black_box(BlackBoxOptimizer& optimizer, Executor& executor, Evaluator& evaluator,
                           Rng& rng, const SearchOptions& options,
                           const SearchCallback& callback = {});
/// The loop with a `SequentialExecutor` (one evaluation at a time).
SearchResult run_black_box(BlackBoxOptimizer& optimizer, Evaluator& evaluator, Rng& rng,
                           const SearchOptions& options, const SearchCallback& callback = {});

/// The seed of trial `trial_id`'s evaluation generator (see
/// `SearchOptions::evaluation_seed`).
uint64_t evaluation_seed_of(uint64_t evaluation_seed, int64_t trial_id);

/// Indices (into `points`) of the Pareto front of plain (objective: larger
/// is better, cost: smaller is better) pairs, sorted by increasing cost; of
/// equal points only the first is kept.
std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& points);

/// Indices (into `evaluations`) of the Pareto front of (objective: larger is
/// better, `cost_metric`: smaller is better) over every evaluation that
/// reports `cost_metric`, sorted by increasing cost; of evaluations with
/// equal objective and cost only the first is kept. An evaluation is on the
/// front when no other is at least as good in both and better in one. A
/// metric reported by no evaluation is a ConfigError.
std::vector<size_t> pareto_front(const std::vector<Evaluation>& evaluations,
                                 const std::string& cost_metric);

/// Writes the front as CSV: header `query,arch,objective,<cost_metric>,feasible`,
/// one row per member; `format` turns an architecture into text (e.g. the
/// space's `format`). The file is written atomically.
void write_pareto_csv(const std::string& path, const std::vector<Evaluation>& evaluations,
                      const std::vector<size_t>& front, const std::string& cost_metric,
                      const std::function<std::string(const Architecture&)>& format);
/// As above as JSON: {"cost_metric": ..., "front": [{"query", "arch",
/// "objective", "<cost_metric>", "feasible", "metrics": {...}}, ...]}.
void write_pareto_json(const std::string& path, const std::vector<Evaluation>& evaluations,
                       const std::vector<size_t>& front, const std::string& cost_metric,
                       const std::function<std::string(const Architecture&)>& format);

}  // namespace nascpp
