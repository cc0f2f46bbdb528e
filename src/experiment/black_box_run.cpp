// A black-box search into a run directory: results appended as they come,
// checkpoints at an interval, resume by replaying the log past the last
// checkpoint (src/experiment/parts.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "parts.h"

namespace nascpp::detail {

namespace {

// The warm start's ranked pool: scored now, or on resume read back from the
// run directory (never scored twice: a proxy over thousands of networks
// takes minutes); its best go to the optimizer first.
void start_warm(Parts& p, BlackBoxOptimizer& bb, RunDirectory& dir, bool resuming) {
  const std::string path = dir.warm_start_path();
  const int64_t top = p.warm_start.top() > 0 ? p.warm_start.top() : bb.warm_start_size();
  std::vector<ScoredArchitecture> ranked;
  std::error_code ec;
  if (resuming && std::filesystem::exists(path, ec)) {
    ranked = read_warm_start_csv(path, *p.space);
    logger()->info("warm start: {} ranked architectures read back from {}", ranked.size(), path);
  } else {
    // Its own generator: the search's stream is the same with and without.
    Rng pool_rng(p.seed ^ 0x5741524d53544152ULL);  // "WARMSTAR"
    const auto start = std::chrono::steady_clock::now();
    ranked = rank_random_pool(*p.space, *p.warm_start_scorer, p.warm_start.pool(), pool_rng);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t failed = 0;
    double cost = 0.0;
    for (const auto& r : ranked) {
      failed += r.failure.empty() ? 0 : 1;
      cost += r.cost;
    }
    const std::string description = fmt::format(
        "warm start: {} distinct of {} random architectures scored by evaluator '{}' ({}) in "
        "{:.1f} s (cost {:.1f} s), {} failed; the first {} go to optimizer '{}' first",
        ranked.size(), p.warm_start.pool(), p.warm_start_scorer->name(),
        p.warm_start_scorer->objective_name(), seconds, cost, failed, top, bb.name());
    write_warm_start_csv(path, ranked, *p.space, description);
    logger()->info("{}", description);
    if (failed > 0) {
      logger()->warn(
          "warm start: {} of {} pool evaluations failed (they rank last; {} says "
          "why), e.g. {}",
          failed, ranked.size(), path, ranked.back().failure);
    }
  }
  bb.set_warm_start(best_architectures(ranked, top));
}

}  // namespace

void run_black_box_search(Parts& p, RunDirectory& dir, const ExperimentOptions& options,
                          bool resuming, ExperimentSummary& summary,
                          std::vector<TrajectoryRow>& trajectory) {
  auto& bb = static_cast<BlackBoxOptimizer&>(*p.optimizer);
  Rng rng(p.seed);
  bb.attach(p.space, &rng);
  // Training evaluators keep each trial's checkpoint in the run directory,
  // so that promotions continue training instead of starting over.
  p.evaluator->set_trial_storage(dir.trial_checkpoint_dir());

  SearchOptions search = SearchOptions()
                             .budget(p.budget)
                             .constraints(p.constraints)
                             .fidelity(p.fidelity)
                             .evaluation_seed(p.seed)
                             .checkpoint_every(p.checkpoint_every)
                             .checkpoint_seconds(p.checkpoint_seconds)
                             .on_checkpoint([&dir](const SearchCheckpoint& c) {
                               dir.write_search_checkpoint(c);
                             });
  if (p.warm_start_scorer) start_warm(p, bb, dir, resuming);
  if (resuming) {
    // Never discard a logged result: the checkpoint (if any) and the log
    // past it rebuild the search exactly.
    auto logged = dir.evaluations(*p.space);
    auto checkpoint = dir.search_checkpoint();
    logger()->info("resuming the search: {} logged evaluations, {}", logged.size(),
                   checkpoint ? fmt::format("checkpoint after {}", checkpoint->completed)
                              : std::string("no checkpoint (the log is replayed from the start)"));
    search.previous(std::move(logged)).checkpoint(std::move(checkpoint));
  }

  const auto start = std::chrono::steady_clock::now();
  const int64_t total = p.budget.max_queries();
  const size_t before = search.previous().size();
  const auto result = run_black_box(
      bb, *p.executor, *p.evaluator, rng, search, [&](const SearchResult& r) {
        const Evaluation& e = r.evaluations.back();
        dir.append_evaluation(e, *p.space);
        if (e.result.failed()) {
          logger()->warn("trial {} ({}) failed: {}", e.trial.id, p.space->format(e.trial.arch),
                         e.result.failure);
        }
        if (options.on_progress()) {
          Progress pr;
          pr.label = "search";
          pr.done = static_cast<int64_t>(r.evaluations.size());
          pr.total = total;
          pr.elapsed_s =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          pr.rate = static_cast<double>(r.evaluations.size() - before) /
                    std::max(pr.elapsed_s, 1e-9);
          pr.rate_unit = "queries/s";
          if (const Evaluation* inc = r.incumbent()) {
            pr.detail = fmt::format("best {} {:.2f}", p.evaluator->objective_name(),
                                    inc->result.objective);
          }
          options.on_progress()(pr);
        }
        return true;
      });
  // The final state: a resume of a complete search replays nothing.
  {
    SearchCheckpoint c;
    c.completed = static_cast<int64_t>(result.evaluations.size());
    c.optimizer_state = bb.save_state();
    c.rng_state = rng.state();
    c.clock = p.executor->now();
    c.running = p.executor->running_trials();
    dir.write_search_checkpoint(c);
  }
  if (options.on_phase_end()) options.on_phase_end()();

  const std::string report_metric = p.evaluator->report_metric_name();
  int64_t failed = 0;
  // The incumbent's full-training benchmark value (multi-fidelity searches:
  // whatever fidelity it was evaluated at), looked up once per incumbent.
  int64_t looked_up = -1;
  std::optional<double> benchmark_value;
  for (size_t i = 0; i < result.evaluations.size(); ++i) {
    const Evaluation& e = result.evaluations[i];
    failed += e.result.failed() ? 1 : 0;
    const int64_t inc = result.incumbent_trajectory[i];
    TrajectoryRow row;
    row.step = static_cast<int64_t>(i) + 1;
    row.cost_s = e.cumulative_cost;
    row.time_s = e.end_s;
    row.wall_s = e.wall_s;
    row.epochs = e.cumulative_epochs;
    row.trial = e.trial.id;
    row.fidelity_epochs = e.result.epochs;
    row.start_s = e.start_s;
    row.worker = e.worker;
    if (inc >= 0) {
      const auto& best = result.evaluations[static_cast<size_t>(inc)];
      row.architecture = p.space->format(best.trial.arch);
      row.objective = best.result.objective;
      auto it = best.result.metrics.find(report_metric);
      if (it != best.result.metrics.end()) row.report = it->second;
      if (inc != looked_up) {
        benchmark_value = p.lookup.report_value(best.trial.arch);
        looked_up = inc;
      }
      row.benchmark = benchmark_value;
    } else {
      row.objective = std::numeric_limits<double>::quiet_NaN();
    }
    trajectory.push_back(row);
  }
  summary.kind = "black_box";
  summary.dataset = p.evaluator->dataset_name();
  summary.objective_name = p.evaluator->objective_name();
  summary.report_metric = report_metric;
  summary.benchmark_report = p.lookup.report_key();
  summary.steps = static_cast<int64_t>(result.evaluations.size());
  summary.failed_steps = failed;
  summary.stop_reason = result.stop_reason;
  summary.search_cost_s =
      result.evaluations.empty() ? 0.0 : result.evaluations.back().cumulative_cost;
  const Evaluation* inc = result.incumbent();
  if (inc == nullptr) {
    // A run always finishes: one that found nothing says so.
    summary.status = "infeasible";
    const bool all_failed = failed > 0 && static_cast<size_t>(failed) == result.evaluations.size();
    summary.status_reason = fmt::format(
        "no evaluation of the {} was feasible ({} failed; run.log and results.jsonl say why): {}",
        result.evaluations.size(), failed,
        all_failed ? "every evaluation failed, so fix what the first failure names (a diverged "
                     "training: lower the learning rate)"
                   : "loosen the constraints or raise the budget");
    summary.objective = std::numeric_limits<double>::quiet_NaN();
    logger()->warn("{}", summary.status_reason);
  } else {
    summary.architecture = p.space->format(inc->trial.arch);
    summary.objective = inc->result.objective;
    summary.objective_epochs = inc->result.epochs;
    auto it = inc->result.metrics.find(report_metric);
    if (it != inc->result.metrics.end()) summary.report_value = it->second;
    p.lookup.add_values(inc->trial.arch, summary.benchmark);
  }

  if (!p.pareto_metric.empty()) {
    dir.write_pareto(result.evaluations, pareto_front(result.evaluations, p.pareto_metric),
                     p.pareto_metric, *p.space);
  }
}

}  // namespace nascpp::detail
