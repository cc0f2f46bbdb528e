#pragma once
/// The black-box search loop: ask the optimizer, evaluate, tell, until a
/// budget runs out; with constraints on reported metrics and the Pareto front
/// of everything evaluated.
///
///     auto space = std::make_shared<nascpp::NasBench201Space>();
///     nascpp::Rng rng(seed);
///     auto optimizer = nascpp::optimizer_registry().create("regularized_evolution", cfg);
///     auto& bb = dynamic_cast<nascpp::BlackBoxOptimizer&>(*optimizer);
///     bb.attach(space, &rng);
///     nascpp::TabularEvaluator evaluator(bench, {});
///     nascpp::SearchResult result = nascpp::run_black_box(
///         bb, evaluator, rng, nascpp::SearchOptions().budget(nascpp::Budget().max_queries(150)));
///     result.incumbent_trajectory.back();  // index into result.evaluations
///
/// Constraint rule: an evaluation is feasible when every constraint's metric
/// is present in its result and at most the bound. Only feasible evaluations
/// can become the incumbent (the best objective so far; ties keep the earlier
/// one). The optimizer is told every result unchanged, feasible or not.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/evaluator.h"
#include "nascpp/optimizer.h"

namespace nascpp {

/// When to stop: whichever limit is reached first; 0 disables a limit, and at
/// least one must be set. A query whose evaluation crosses a time limit still
/// counts (it was paid for).
struct Budget {
  /// Number of evaluations.
  NASCPP_ARG(int64_t, max_queries) = 0;
  /// Sum of the evaluations' costs (simulated seconds for a tabular evaluator).
  NASCPP_ARG(double, max_simulated_s) = 0.0;
  /// Wall time of the whole loop, in seconds.
  NASCPP_ARG(double, max_wall_s) = 0.0;

 public:
  /// Keys max_queries, max_simulated_s, max_wall_s.
  static Budget from_config(ConfigNode& cfg);
  /// ConfigError for negative limits or none set.
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
  /// 0-based position in the loop.
  int64_t query = 0;
  Architecture arch;
  EvaluationResult result;
  /// Meets every constraint (see the rule above).
  bool feasible = true;
  /// Costs summed over the evaluations so far, this one included.
  double cumulative_cost = 0.0;
  /// Wall seconds since the loop started, after this evaluation.
  double wall_s = 0.0;
};

struct SearchOptions {
  NASCPP_ARG(Budget, budget) = Budget();
  NASCPP_ARG(std::vector<Constraint>, constraints) = {};
  /// The fidelity of every evaluation.
  NASCPP_ARG(Fidelity, fidelity) = Fidelity();
  /// Evaluations of an interrupted run to continue (resume): they count
  /// towards the budget, the costs and the incumbent, and the wall clock
  /// continues from the last one's `wall_s`. The optimizer's and the
  /// generator's states must already be those right after the last of them
  /// (`save_state` / `Rng::state` taken then). Their `query` must be 0, 1, ...
  NASCPP_ARG(std::vector<Evaluation>, previous) = {};
};

struct SearchResult {
  std::vector<Evaluation> evaluations;
  /// After evaluation i: the index of the incumbent in `evaluations`, or -1
  /// while no evaluation has been feasible.
  std::vector<int64_t> incumbent_trajectory;
  /// "max_queries", "max_simulated_s" or "max_wall_s".
  std::string stop_reason;

  /// The incumbent after all evaluations; nullptr when none was feasible.
  const Evaluation* incumbent() const;
  /// The incumbent after the first `queries` evaluations (nullptr if none).
  const Evaluation* incumbent_at(int64_t queries) const;
};

/// Called after every evaluation with the loop's result so far; return false
/// to stop early (stop_reason "callback").
using SearchCallback = std::function<bool(const SearchResult&)>;

/// Runs the loop with an attached optimizer; `rng` draws the evaluation
/// noise (it may be the optimizer's generator). A constraint naming a metric
/// the evaluator never reports is a ConfigError listing those it does.
SearchResult run_black_box(BlackBoxOptimizer& optimizer, Evaluator& evaluator, Rng& rng,
                           const SearchOptions& options, const SearchCallback& callback = {});

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
