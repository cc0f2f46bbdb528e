// A one-shot search (DARTS, GDAS) into a run directory: one results line per
// epoch, the search checkpoint after every epoch (src/experiment/parts.h).
#include "nascpp/core/error.h"
#include "nascpp/one_shot.h"
#include "parts.h"

namespace nascpp::detail {

void run_one_shot(Parts& p, RunDirectory& dir, const ExperimentOptions& options,
                  ExperimentSummary& summary, std::vector<TrajectoryRow>& trajectory) {
  auto& os = static_cast<OneShotOptimizer&>(*p.optimizer);
  bool first = true;
  auto search = p.search;
  search.checkpoint_path(dir.one_shot_checkpoint_path()).resume(true);
  if (options.on_progress()) search.on_progress(options.on_progress());
  const auto result = run_one_shot_search(
      *p.space, os, *p.dataset, search, p.lookup.benchmark.get(),
      [&](const OneShotEpochRecord& r) {
        if (options.on_phase_end()) options.on_phase_end()();
        if (first) {
          // Lines past the checkpoint belong to the interrupted attempt.
          dir.keep_epochs_before(r.epoch);
          first = false;
        }
        OneShotEpochLine line;
        line.epoch = r.epoch;
        line.arch = r.architecture_text;
        line.train_loss = r.train_loss;
        line.train_acc = r.train_accuracy;
        line.valid_loss = r.valid_loss;
        line.valid_acc = r.valid_accuracy;
        line.learning_rate = r.learning_rate;
        line.alpha_softmax = r.alpha_softmax;
        line.benchmark = r.benchmark_value;
        line.cost = r.seconds;
        dir.append_epoch(line);
      });

  // Only the epochs the checkpoint keeps: lines of an interrupted attempt
  // past it go even when this call completed no epoch (it diverged at once).
  dir.keep_epochs_before(result.completed_epochs);
  double cost = 0.0;
  double last_valid = 0.0;
  for (const auto& l : dir.epochs()) {
    cost += l.cost;
    TrajectoryRow row;
    row.step = l.epoch + 1;
    row.cost_s = cost;
    row.time_s = cost;
    row.wall_s = cost;
    row.architecture = l.arch;
    row.objective = l.valid_acc;
    row.report = l.benchmark;
    last_valid = row.objective;
    trajectory.push_back(row);
  }
  summary.kind = "one_shot";
  summary.dataset = p.dataset->name();
  summary.architecture =
      result.architecture.empty() ? std::string() : p.space->format(result.architecture);
  summary.objective_name = "supernet_valid_acc";
  summary.objective = last_valid;
  summary.steps = result.completed_epochs;
  summary.stop_reason = result.diverged() ? "diverged" : "epochs";
  summary.search_cost_s = cost;
  if (p.lookup.benchmark) summary.report_metric = p.lookup.dataset + "/" + p.lookup.metric;
  if (result.diverged()) {
    // run_one_shot_search has logged it; the summary keeps what and where.
    summary.status = "diverged";
    summary.status_reason = fmt::format(
        "{}; {}", result.divergence->message,
        result.completed_epochs > 0
            ? fmt::format("checkpoints/search.ckpt keeps epoch {}, whose derived architecture is "
                          "reported",
                          result.completed_epochs)
            : std::string("no epoch completed, so there is no checkpoint and no architecture"));
  }
  if (result.architecture.empty()) return;
  if (p.lookup.benchmark) {
    if (auto v = p.lookup.benchmark->query(result.architecture, p.lookup.metric,
                                           p.lookup.dataset)) {
      summary.report_value = *v;
    }
  }
  p.lookup.add_values(result.architecture, summary.benchmark);
}

}  // namespace nascpp::detail
