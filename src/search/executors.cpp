// The built-in executors of the black-box loop (include/nascpp/executor.h).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "nascpp/core/error.h"
#include "nascpp/executor.h"
#include "nascpp/registries.h"

namespace nascpp {

namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t executor_workers(ConfigNode& cfg, int64_t default_workers) {
  const auto workers = cfg.get<int64_t>("workers", default_workers);
  NASCPP_CHECK_CONFIG(workers >= 1 && workers <= 4096,
                      "executor workers must be between 1 and 4096, got {}", workers);
  return workers;
}

// ---- sequential ----

SequentialExecutor::SequentialExecutor(Evaluator& evaluator)
    : evaluator_(evaluator), wall_origin_(wall_seconds()) {}

bool SequentialExecutor::simulated_clock() const { return evaluator_.simulated_cost(); }

double SequentialExecutor::now() const {
  return simulated_clock() ? clock_ : clock_ + (wall_seconds() - wall_origin_);
}

void SequentialExecutor::submit(const Trial& trial, uint64_t seed, const EvaluationResult* known) {
  NASCPP_CHECK(!queued_, "sequential executor: trial {} submitted while trial {} runs", trial.id,
               trial_.id);
  queued_ = true;
  trial_ = trial;
  seed_ = seed;
  has_known_ = known != nullptr;
  if (known != nullptr) known_ = *known;
  start_s_ = now();
}

Completion SequentialExecutor::wait() {
  NASCPP_CHECK(queued_, "sequential executor: wait() with nothing running");
  queued_ = false;
  Completion c;
  c.trial = trial_;
  c.worker = 0;
  c.start_s = start_s_;
  if (has_known_) {
    c.result = known_;
  } else {
    Rng rng(seed_);
    c.result = evaluator_.evaluate(trial_, rng);
  }
  if (simulated_clock()) clock_ = start_s_ + c.result.cost;
  c.end_s = now();
  return c;
}

std::vector<RunningTrial> SequentialExecutor::running_trials() const {
  if (!queued_) return {};
  return {RunningTrial{trial_.id, 0, start_s_}};
}

void SequentialExecutor::restore(double clock, const std::vector<RunningTrial>& running,
                                 const std::map<int64_t, Trial>& trials,
                                 const std::map<int64_t, uint64_t>& seeds,
                                 const std::map<int64_t, EvaluationResult>& known) {
  NASCPP_CHECK(!queued_, "sequential executor: restore() while a trial runs");
  NASCPP_CHECK_DATA(running.size() <= 1, "a sequential run cannot have {} trials running",
                    running.size());
  advance_clock(clock);
  for (const auto& r : running) {
    auto it = known.find(r.trial);
    submit(trials.at(r.trial), seeds.at(r.trial), it == known.end() ? nullptr : &it->second);
    start_s_ = r.start_s;
  }
}

void SequentialExecutor::advance_clock(double t) {
  if (simulated_clock()) {
    clock_ = std::max(clock_, t);
  } else {
    const double current = now();
    if (t > current) clock_ += t - current;
  }
}

// ---- threads ----

struct ThreadPoolExecutor::Pool {
  Evaluator& evaluator;
  std::vector<std::thread> threads;
  mutable std::mutex mutex;
  std::condition_variable work_ready, work_done;
  struct Job {
    Trial trial;
    uint64_t seed = 0;
    bool has_known = false;
    EvaluationResult known;
    double start_s = 0.0;
  };
  std::deque<Job> queue;
  std::deque<Completion> done;
  std::deque<std::exception_ptr> errors;
  std::map<int64_t, RunningTrial> running;  // by trial id
  std::vector<bool> busy;
  bool stop = false;
  double origin = wall_seconds();
  double offset = 0.0;

  Pool(Evaluator& e, int64_t workers) : evaluator(e), busy(static_cast<size_t>(workers), false) {
    for (int64_t w = 0; w < workers; ++w) threads.emplace_back([this] { run(); });
  }

  double now() const { return offset + (wall_seconds() - origin); }

  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        work_ready.wait(lock, [this] { return stop || !queue.empty(); });
        if (stop) return;
        job = std::move(queue.front());
        queue.pop_front();
      }
      Completion c;
      c.trial = job.trial;
      c.start_s = job.start_s;
      std::exception_ptr error;
      try {
        if (job.has_known) {
          c.result = job.known;
        } else {
          Rng rng(job.seed);
          c.result = evaluator.evaluate(job.trial, rng);
        }
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      const RunningTrial r = running.at(job.trial.id);
      c.worker = r.worker;
      c.end_s = now();
      if (error) {
        errors.push_back(error);
      } else {
        done.push_back(std::move(c));
      }
      work_done.notify_all();
    }
  }
};

ThreadPoolExecutor::ThreadPoolExecutor(Evaluator& evaluator, int64_t workers) {
  NASCPP_CHECK_CONFIG(workers >= 1, "threads executor: workers must be >= 1, got {}", workers);
  pool_ = std::make_unique<Pool>(evaluator, workers);
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  {
    std::lock_guard<std::mutex> lock(pool_->mutex);
    pool_->stop = true;
    pool_->work_ready.notify_all();
  }
  // Running evaluations finish (their results are dropped: a run that ends
  // with trials in flight is being abandoned, e.g. after an error).
  for (auto& t : pool_->threads) t.join();
}

int64_t ThreadPoolExecutor::workers() const {
  return static_cast<int64_t>(pool_->threads.size());
}

int64_t ThreadPoolExecutor::running() const {
  std::lock_guard<std::mutex> lock(pool_->mutex);
  return static_cast<int64_t>(pool_->running.size());
}

double ThreadPoolExecutor::now() const {
  std::lock_guard<std::mutex> lock(pool_->mutex);
  return pool_->now();
}

void ThreadPoolExecutor::submit(const Trial& trial, uint64_t seed, const EvaluationResult* known) {
  std::lock_guard<std::mutex> lock(pool_->mutex);
  NASCPP_CHECK(static_cast<int64_t>(pool_->running.size()) < workers(),
               "threads executor: trial {} submitted with all {} workers busy", trial.id,
               workers());
  const auto free = std::find(pool_->busy.begin(), pool_->busy.end(), false);
  const auto worker = static_cast<int64_t>(free - pool_->busy.begin());
  *free = true;
  Pool::Job job;
  job.trial = trial;
  job.seed = seed;
  job.has_known = known != nullptr;
  if (known != nullptr) job.known = *known;
  job.start_s = pool_->now();
  pool_->running[trial.id] = RunningTrial{trial.id, worker, job.start_s};
  pool_->queue.push_back(std::move(job));
  pool_->work_ready.notify_one();
}

Completion ThreadPoolExecutor::wait() {
  std::unique_lock<std::mutex> lock(pool_->mutex);
  NASCPP_CHECK(!pool_->running.empty(), "threads executor: wait() with nothing running");
  pool_->work_done.wait(lock, [this] { return !pool_->done.empty() || !pool_->errors.empty(); });
  if (!pool_->errors.empty()) {
    auto error = pool_->errors.front();
    pool_->errors.pop_front();
    std::rethrow_exception(error);
  }
  Completion c = std::move(pool_->done.front());
  pool_->done.pop_front();
  pool_->busy[static_cast<size_t>(c.worker)] = false;
  pool_->running.erase(c.trial.id);
  return c;
}

std::vector<RunningTrial> ThreadPoolExecutor::running_trials() const {
  std::lock_guard<std::mutex> lock(pool_->mutex);
  std::vector<RunningTrial> out;
  for (const auto& [id, r] : pool_->running) out.push_back(r);
  return out;
}

void ThreadPoolExecutor::restore(double clock, const std::vector<RunningTrial>& running,
                                 const std::map<int64_t, Trial>& trials,
                                 const std::map<int64_t, uint64_t>& seeds,
                                 const std::map<int64_t, EvaluationResult>& known) {
  NASCPP_CHECK(this->running() == 0, "threads executor: restore() while trials run");
  advance_clock(clock);
  for (const auto& r : running) {
    auto it = known.find(r.trial);
    submit(trials.at(r.trial), seeds.at(r.trial), it == known.end() ? nullptr : &it->second);
  }
}

void ThreadPoolExecutor::advance_clock(double t) {
  std::lock_guard<std::mutex> lock(pool_->mutex);
  const double current = pool_->now();
  if (t > current) pool_->offset += t - current;
}

// ---- simulated ----

SimulatedExecutor::SimulatedExecutor(Evaluator& evaluator, int64_t workers)
    : evaluator_(evaluator), workers_(workers), busy_(static_cast<size_t>(workers), false) {
  NASCPP_CHECK_CONFIG(workers >= 1, "simulated executor: workers must be >= 1, got {}", workers);
  NASCPP_CHECK_CONFIG(evaluator.simulated_cost(),
                      "the simulated executor needs an evaluator with simulated costs (a tabular "
                      "benchmark's recorded training times); evaluator '{}' measures wall time: "
                      "use the sequential or threads executor",
                      evaluator.name());
}

void SimulatedExecutor::start(const Trial& trial, uint64_t seed, const EvaluationResult* known,
                              int64_t worker, double start_s) {
  Completion c;
  c.trial = trial;
  c.worker = worker;
  c.start_s = start_s;
  if (known != nullptr) {
    c.result = *known;
  } else {
    Rng rng(seed);
    c.result = evaluator_.evaluate(trial, rng);
  }
  c.end_s = start_s + c.result.cost;
  busy_[static_cast<size_t>(worker)] = true;
  running_.push_back(std::move(c));
}

void SimulatedExecutor::submit(const Trial& trial, uint64_t seed, const EvaluationResult* known) {
  const auto free = std::find(busy_.begin(), busy_.end(), false);
  NASCPP_CHECK(free != busy_.end(), "simulated executor: trial {} submitted with all {} workers busy",
               trial.id, workers_);
  start(trial, seed, known, static_cast<int64_t>(free - busy_.begin()), clock_);
}

Completion SimulatedExecutor::wait() {
  NASCPP_CHECK(!running_.empty(), "simulated executor: wait() with nothing running");
  // The earliest end; ties go to the lower trial id (a deterministic order).
  const auto first = std::min_element(running_.begin(), running_.end(),
                                      [](const Completion& a, const Completion& b) {
                                        return a.end_s != b.end_s ? a.end_s < b.end_s
                                                                  : a.trial.id < b.trial.id;
                                      });
  Completion c = std::move(*first);
  running_.erase(first);
  busy_[static_cast<size_t>(c.worker)] = false;
  clock_ = std::max(clock_, c.end_s);
  return c;
}

std::vector<RunningTrial> SimulatedExecutor::running_trials() const {
  std::vector<RunningTrial> out;
  for (const auto& c : running_) out.push_back({c.trial.id, c.worker, c.start_s});
  std::sort(out.begin(), out.end(),
            [](const RunningTrial& a, const RunningTrial& b) { return a.trial < b.trial; });
  return out;
}

void SimulatedExecutor::restore(double clock, const std::vector<RunningTrial>& running,
                                const std::map<int64_t, Trial>& trials,
                                const std::map<int64_t, uint64_t>& seeds,
                                const std::map<int64_t, EvaluationResult>& known) {
  NASCPP_CHECK(running_.empty(), "simulated executor: restore() while trials run");
  clock_ = clock;
  for (const auto& r : running) {
    NASCPP_CHECK_DATA(r.worker >= 0 && r.worker < workers_ && !busy_[static_cast<size_t>(r.worker)],
                      "checkpoint: running trial {} has worker {} (busy or not one of {})",
                      r.trial, r.worker, workers_);
    // Evaluated again unless logged: deterministic for its seed, so the same result.
    auto it = known.find(r.trial);
    start(trials.at(r.trial), seeds.at(r.trial), it == known.end() ? nullptr : &it->second,
          r.worker, r.start_s);
  }
}

void SimulatedExecutor::advance_clock(double t) { clock_ = std::max(clock_, t); }

// ---- the builtin list, sorted by name ----

void register_builtin_executors(ExecutorRegistry& registry) {
  registry.add("sequential", "one evaluation at a time (the default)",
               [](ConfigNode& cfg, Evaluator& evaluator) -> std::unique_ptr<Executor> {
                 NASCPP_CHECK_CONFIG(executor_workers(cfg, 1) == 1,
                                     "the sequential executor has one worker; use 'threads' or "
                                     "'simulated' for several");
                 return std::make_unique<SequentialExecutor>(evaluator);
               });
  registry.add("simulated",
               "k workers in simulated time (tabular benchmarks: each evaluation takes its "
               "recorded training time)",
               [](ConfigNode& cfg, Evaluator& evaluator) -> std::unique_ptr<Executor> {
                 return std::make_unique<SimulatedExecutor>(evaluator, executor_workers(cfg, 4));
               });
  registry.add("threads", "k evaluations at once on a thread pool in this process",
               [](ConfigNode& cfg, Evaluator& evaluator) -> std::unique_ptr<Executor> {
                 const int64_t cores =
                     std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
                 return std::make_unique<ThreadPoolExecutor>(evaluator,
                                                             executor_workers(cfg, cores));
               });
}

}  // namespace nascpp
