#pragma once
/// Executors: where and when the black-box loop's trials are evaluated.
///
/// The loop (search.h) asks the optimizer for trials while a worker is free,
/// submits them, and tells the optimizer each completion in the order the
/// executor returns them:
///
///     nascpp::SequentialExecutor seq(evaluator);          // one at a time (default)
///     nascpp::ThreadPoolExecutor pool(evaluator, 4);      // 4 at once, in this process
///     nascpp::SimulatedExecutor sim(evaluator, 4);        // 4 workers in simulated time
///
/// - sequential: evaluates each trial when the loop waits for it; its clock is
///   the sum of the costs when they are simulated (a tabular benchmark's),
///   else wall seconds.
/// - threads: k evaluations at once on a thread pool, completions in the order
///   they finish (wall clock).
/// - simulated: k workers in simulated time for evaluators with simulated
///   cost: an evaluation starts when a worker is free and ends at its start
///   plus its recorded cost; completions come in order of their end (ties:
///   the lower trial id), so a run is deterministic for a seed whatever k.
///   This is how the benchmark papers compare methods under a wall-clock
///   budget (NAS-Bench-201: 12,000 simulated seconds).
///
/// An executor for another engine (MPI ranks as workers, ...) implements the
/// same interface; the optimizers never see it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/evaluator.h"
#include "nascpp/trial.h"

namespace nascpp {

/// A finished evaluation.
struct Completion {
  Trial trial;
  EvaluationResult result;
  /// The worker that ran it (0 .. workers-1).
  int64_t worker = 0;
  /// Start and end on the executor's clock (seconds since the loop started:
  /// simulated for simulated clocks, wall otherwise).
  double start_s = 0.0;
  double end_s = 0.0;
};

/// A trial on a worker, for checkpoints: where and when it started.
struct RunningTrial {
  int64_t trial = -1;
  int64_t worker = 0;
  double start_s = 0.0;
};

class Executor {
 public:
  virtual ~Executor() = default;

  /// Registry name ("sequential", "threads", "simulated").
  virtual std::string name() const = 0;
  /// Evaluations it runs at once.
  virtual int64_t workers() const = 0;
  /// True when completions come in an order that follows from the results
  /// alone (sequential, simulated): a resumed run re-submits logged trials
  /// with their known results and gets them back in the logged order.
  /// Otherwise (threads, MPI) a resumed run replays the log's order itself.
  virtual bool deterministic() const = 0;
  /// True when the clock is simulated (the evaluations' recorded costs).
  virtual bool simulated_clock() const = 0;

  /// Starts `trial` on a free worker at the current clock (the loop never has
  /// more than `workers()` running). `seed` seeds the evaluation's generator.
  /// With `known`, nothing is evaluated: the result is that one (a logged
  /// result replayed after a resume).
  virtual void submit(const Trial& trial, uint64_t seed, const EvaluationResult* known = nullptr) = 0;
  /// Blocks until one running evaluation ends and returns it; an Error when
  /// none is running.
  virtual Completion wait() = 0;
  /// Evaluations submitted and not yet returned by `wait`.
  virtual int64_t running() const = 0;
  /// The clock now (seconds).
  virtual double now() const = 0;

  /// Checkpoint support: the running trials and the clock; `restore` puts an
  /// executor with nothing running back into that state: the running trials
  /// (`trials` holds them by id) are evaluated again with their `seeds`, or
  /// take their result from `known` (logged after the checkpoint).
  virtual std::vector<RunningTrial> running_trials() const = 0;
  virtual void restore(double clock, const std::vector<RunningTrial>& running,
                       const std::map<int64_t, Trial>& trials,
                       const std::map<int64_t, uint64_t>& seeds,
                       const std::map<int64_t, EvaluationResult>& known) = 0;
  /// Moves the clock forward to `t` (a resume continues the logged time).
  virtual void advance_clock(double t) = 0;
};

/// Evaluates one trial at a time, when the loop waits for it.
class SequentialExecutor : public Executor {
 public:
  explicit SequentialExecutor(Evaluator& evaluator);
  std::string name() const override { return "sequential"; }
  int64_t workers() const override { return 1; }
  bool deterministic() const override { return true; }
  bool simulated_clock() const override;
  void submit(const Trial& trial, uint64_t seed, const EvaluationResult* known = nullptr) override;
  Completion wait() override;
  int64_t running() const override { return queued_ ? 1 : 0; }
  double now() const override;
  std::vector<RunningTrial> running_trials() const override;
  void restore(double clock, const std::vector<RunningTrial>& running,
               const std::map<int64_t, Trial>& trials,
               const std::map<int64_t, uint64_t>& seeds,
               const std::map<int64_t, EvaluationResult>& known) override;
  void advance_clock(double t) override;

 private:
  Evaluator& evaluator_;
  bool queued_ = false;
  Trial trial_;
  uint64_t seed_ = 0;
  bool has_known_ = false;
  EvaluationResult known_;
  double start_s_ = 0.0;
  double clock_ = 0.0;  // simulated clock, or the wall offset of a resumed run
  double wall_origin_ = 0.0;
};

/// k evaluations at once on a pool of threads (wall clock).
class ThreadPoolExecutor : public Executor {
 public:
  ThreadPoolExecutor(Evaluator& evaluator, int64_t workers);
  ~ThreadPoolExecutor() override;
  std::string name() const override { return "threads"; }
  int64_t workers() const override;
  bool deterministic() const override { return false; }
  bool simulated_clock() const override { return false; }
  void submit(const Trial& trial, uint64_t seed, const EvaluationResult* known = nullptr) override;
  Completion wait() override;
  int64_t running() const override;
  double now() const override;
  std::vector<RunningTrial> running_trials() const override;
  void restore(double clock, const std::vector<RunningTrial>& running,
               const std::map<int64_t, Trial>& trials,
               const std::map<int64_t, uint64_t>& seeds,
               const std::map<int64_t, EvaluationResult>& known) override;
  void advance_clock(double t) override;

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

/// k workers in simulated time (evaluators with simulated cost only).
class SimulatedExecutor : public Executor {
 public:
  /// ConfigError when `evaluator`'s cost is not simulated.
  SimulatedExecutor(Evaluator& evaluator, int64_t workers);
  std::string name() const override { return "simulated"; }
  int64_t workers() const override { return workers_; }
  bool deterministic() const override { return true; }
  bool simulated_clock() const override { return true; }
  void submit(const Trial& trial, uint64_t seed, const EvaluationResult* known = nullptr) override;
  Completion wait() override;
  int64_t running() const override { return static_cast<int64_t>(running_.size()); }
  double now() const override { return clock_; }
  std::vector<RunningTrial> running_trials() const override;
  void restore(double clock, const std::vector<RunningTrial>& running,
               const std::map<int64_t, Trial>& trials,
               const std::map<int64_t, uint64_t>& seeds,
               const std::map<int64_t, EvaluationResult>& known) override;
  void advance_clock(double t) override;

 private:
  void start(const Trial& trial, uint64_t seed, const EvaluationResult* known, int64_t worker,
             double start_s);
  Evaluator& evaluator_;
  int64_t workers_;
  double clock_ = 0.0;
  std::vector<bool> busy_;
  std::vector<Completion> running_;  // results known at submission; ends in the future
};

/// The number of workers of an `executor:` section (key `workers`, >= 1).
int64_t executor_workers(ConfigNode& cfg, int64_t default_workers);

}  // namespace nascpp
