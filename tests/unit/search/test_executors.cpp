// The black-box loop with trials: executors (sequential, threads, simulated
// workers), failed evaluations, budgets, the incumbent over fidelities, and
// resume from a checkpoint plus the log with several evaluations in flight.
#include "nascpp/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "nascpp/core/error.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "optimizers/regularized_evolution/regularized_evolution.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

// The toy objective at 1..3 epochs (lower at fewer epochs), a cost that
// depends on the architecture, optional failures and a slow mode; counts
// the evaluations of every trial.
class MultiFidelityToy : public Evaluator {
 public:
  bool fail_when_first_is_zero = false;
  int sleep_ms = 0;
  std::string name() const override { return "toy_mf"; }
  std::string objective_name() const override { return "score"; }
  std::vector<std::string> metric_names() const override { return {"score", "size"}; }
  FidelityRange fidelity_range() const override { return {1, 3, {}}; }
  bool simulated_cost() const override { return true; }
  int64_t calls(int64_t trial) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = calls_.find(trial);
    return it == calls_.end() ? 0 : it->second;
  }
  int64_t max_concurrent() const { return max_concurrent_; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) override {
    const int now = ++running_;
    for (int seen = max_concurrent_; now > seen && !max_concurrent_.compare_exchange_weak(seen, now);) {
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++calls_[trial.id];
    }
    if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    --running_;
    const auto& e = trial.arch.encoding();
    if (fail_when_first_is_zero && e[0] == 0) {
      throw DivergenceError(fmt::format("toy training diverged at epoch {}", epochs));
    }
    EvaluationResult r;
    // A little noise from the trial's own generator: results must not
    // depend on the order in which trials complete.
    r.objective = test::ToyEvaluator::score(trial.arch) - 10.0 * static_cast<double>(3 - epochs) +
                  rng.uniform(0.0, 0.01);
    r.metrics["score"] = r.objective;
    r.metrics["size"] = e[0] + e[1] + e[2] + e[3];
    r.cost = static_cast<double>(epochs) * (1.0 + e[0] + 0.5 * e[3]);
    return r;
  }
  mutable std::mutex mutex_;
  std::map<int64_t, int64_t> calls_;
  std::atomic<int> running_{0};
  std::atomic<int> max_concurrent_{0};
};

struct RunOutput {
  SearchResult result;
  std::vector<SearchCheckpoint> checkpoints;
};

RunOutput run_re(Executor& executor, Evaluator& evaluator, uint64_t seed, const SearchOptions& base,
           int64_t checkpoint_every = 0) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(seed);
  RegularizedEvolution re(RegularizedEvolutionOptions().population_size(8).sample_size(3));
  re.attach(space, &rng);
  RunOutput out;
  SearchOptions options = base;
  options.evaluation_seed(seed);
  if (checkpoint_every > 0) {
    options.checkpoint_every(checkpoint_every).on_checkpoint([&out](const SearchCheckpoint& c) {
      out.checkpoints.push_back(c);
    });
  }
  out.result = run_black_box(re, executor, evaluator, rng, options);
  return out;
}

void expect_same(const SearchResult& a, const SearchResult& b, bool with_times = true) {
  ASSERT_EQ(a.evaluations.size(), b.evaluations.size());
  for (size_t i = 0; i < a.evaluations.size(); ++i) {
    const auto& x = a.evaluations[i];
    const auto& y = b.evaluations[i];
    EXPECT_EQ(x.trial.id, y.trial.id) << i;
    EXPECT_EQ(x.trial.arch, y.trial.arch) << i;
    EXPECT_EQ(x.result.objective, y.result.objective) << i;
    EXPECT_EQ(x.result.cost, y.result.cost) << i;
    EXPECT_EQ(x.cumulative_cost, y.cumulative_cost) << i;
    if (with_times) {
      EXPECT_EQ(x.start_s, y.start_s) << i;
      EXPECT_EQ(x.end_s, y.end_s) << i;
      EXPECT_EQ(x.worker, y.worker) << i;
    }
  }
  EXPECT_EQ(a.incumbent_trajectory, b.incumbent_trajectory);
  EXPECT_EQ(a.stop_reason, b.stop_reason);
}

TEST(SimulatedExecutor, KWorkersInSimulatedTimeAreDeterministic) {
  MultiFidelityToy eval;
  const auto options = SearchOptions().budget(Budget().max_queries(120));
  SimulatedExecutor one(eval, 1);
  SequentialExecutor seq(eval);
  // One simulated worker is the sequential loop.
  expect_same(run_re(one, eval, 3, options).result, run_re(seq, eval, 3, options).result);

  SimulatedExecutor four(eval, 4);
  const auto r = run_re(four, eval, 3, options).result;
  SimulatedExecutor again(eval, 4);
  expect_same(r, run_re(again, eval, 3, options).result);
  ASSERT_EQ(r.evaluations.size(), 120u);
  // Each evaluation ends at its start plus its cost; completions come in
  // order of their end; a worker never idles while trials can be asked
  // (RE always has one): it starts its next trial when its last one ends.
  std::map<int64_t, double> free_at;
  double last_end = 0.0;
  for (const auto& e : r.evaluations) {
    EXPECT_DOUBLE_EQ(e.end_s, e.start_s + e.result.cost);
    EXPECT_GE(e.end_s, last_end);
    last_end = e.end_s;
    EXPECT_GE(e.worker, 0);
    EXPECT_LT(e.worker, 4);
  }
  std::vector<const Evaluation*> by_trial;
  for (const auto& e : r.evaluations) by_trial.push_back(&e);
  std::sort(by_trial.begin(), by_trial.end(),
            [](const Evaluation* a, const Evaluation* b) { return a->trial.id < b->trial.id; });
  for (const Evaluation* e : by_trial) {
    auto it = free_at.find(e->worker);
    EXPECT_DOUBLE_EQ(e->start_s, it == free_at.end() ? 0.0 : it->second) << "trial " << e->trial.id;
    free_at[e->worker] = e->end_s;
  }
  // Four workers finish the same number of trials in about a quarter of the time.
  EXPECT_LT(r.evaluations.back().end_s, 0.4 * r.evaluations.back().cumulative_cost);
}

TEST(SimulatedExecutor, SimulatedSecondsBudgetIsTheSimulatedWallClock) {
  MultiFidelityToy eval;
  SimulatedExecutor four(eval, 4);
  const auto r =
      run_re(four, eval, 5, SearchOptions().budget(Budget().max_simulated_s(200))).result;
  EXPECT_EQ(r.stop_reason, "max_simulated_s");
  // Nothing starts after the limit; what started before still ends and counts.
  for (const auto& e : r.evaluations) EXPECT_LT(e.start_s, 200.0);
  EXPECT_GE(r.evaluations.back().end_s, 200.0);
  EXPECT_GT(r.evaluations.back().cumulative_cost, 400.0);  // ~4 workers' worth
  test::ToyEvaluator toy;
  NASCPP_EXPECT_THROW_WITH(SimulatedExecutor(toy, 0), ConfigError, ">= 1");
}

TEST(ThreadPoolExecutor, RunsSeveralEvaluationsAtOnce) {
  MultiFidelityToy eval;
  eval.sleep_ms = 20;
  ThreadPoolExecutor pool(eval, 4);
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_re(pool, eval, 7, SearchOptions().budget(Budget().max_queries(40))).result;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.evaluations.size(), 40u);
  EXPECT_GT(eval.max_concurrent(), 1);
  EXPECT_LT(seconds, 40 * 0.020 * 0.75);  // sequentially it takes at least 0.8 s
  std::set<int64_t> trials;
  for (const auto& e : r.evaluations) {
    EXPECT_TRUE(trials.insert(e.trial.id).second) << "trial " << e.trial.id << " twice";
    EXPECT_EQ(eval.calls(e.trial.id), 1);
  }
  EXPECT_EQ(*trials.rbegin(), 39);
}

// The resumed loop (checkpoint + the logged evaluations past it) ends as
// the uninterrupted one, with 1 and 4 evaluations in flight, and evaluates
// no logged trial again.
TEST(RunBlackBoxResume, CheckpointPlusLogReplaysExactly) {
  std::mt19937 gen(1202);
  for (int64_t workers : {1, 4}) {
    MultiFidelityToy reference_eval;
    SimulatedExecutor reference_exec(reference_eval, workers);
    const auto options = SearchOptions().budget(Budget().max_queries(90));
    const RunOutput full = run_re(reference_exec, reference_eval, 11, options, /*checkpoint_every=*/9);
    ASSERT_GE(full.checkpoints.size(), 5u);
    for (int trial = 0; trial < 6; ++trial) {
      const size_t cut = std::uniform_int_distribution<size_t>(1, 89)(gen);
      std::vector<Evaluation> log(full.result.evaluations.begin(),
                                  full.result.evaluations.begin() + static_cast<long>(cut));
      std::optional<SearchCheckpoint> ckpt;
      for (const auto& c : full.checkpoints) {
        if (c.completed <= static_cast<int64_t>(cut) && (trial % 3 != 0)) ckpt = c;
      }
      MultiFidelityToy eval;
      SimulatedExecutor exec(eval, workers);
      auto resumed_options = options;
      resumed_options.previous(log).checkpoint(ckpt);
      const RunOutput resumed = run_re(exec, eval, 11, resumed_options);
      expect_same(full.result, resumed.result);
      for (const auto& e : log) {
        EXPECT_EQ(eval.calls(e.trial.id), 0) << "logged trial " << e.trial.id << " evaluated again";
      }
    }
  }
}

// With threads the completion order is not deterministic: the resumed loop
// replays the log's order, evaluates no logged trial again and logs every
// trial once.
TEST(RunBlackBoxResume, ThreadsReplayTheLoggedOrder) {
  MultiFidelityToy first_eval;
  first_eval.sleep_ms = 3;
  ThreadPoolExecutor first_exec(first_eval, 4);
  const auto options = SearchOptions().budget(Budget().max_queries(60));
  const RunOutput full = run_re(first_exec, first_eval, 13, options, /*checkpoint_every=*/10);
  ASSERT_EQ(full.result.evaluations.size(), 60u);
  const size_t cut = 33;
  std::vector<Evaluation> log(full.result.evaluations.begin(),
                              full.result.evaluations.begin() + static_cast<long>(cut));
  std::optional<SearchCheckpoint> ckpt;
  for (const auto& c : full.checkpoints) {
    if (c.completed <= static_cast<int64_t>(cut)) ckpt = c;
  }
  ASSERT_TRUE(ckpt.has_value());
  MultiFidelityToy eval;
  eval.sleep_ms = 3;
  ThreadPoolExecutor exec(eval, 4);
  auto resumed_options = options;
  resumed_options.previous(log).checkpoint(ckpt);
  const auto resumed = run_re(exec, eval, 13, resumed_options).result;
  ASSERT_EQ(resumed.evaluations.size(), 60u);
  std::set<int64_t> trials;
  for (size_t i = 0; i < resumed.evaluations.size(); ++i) {
    const auto& e = resumed.evaluations[i];
    EXPECT_TRUE(trials.insert(e.trial.id).second) << "trial " << e.trial.id << " twice";
    if (i < cut) {
      EXPECT_EQ(e.trial.id, log[i].trial.id);
      EXPECT_EQ(e.result.objective, log[i].result.objective);
      EXPECT_EQ(eval.calls(e.trial.id), 0);
    } else {
      EXPECT_EQ(eval.calls(e.trial.id), 1);
    }
  }
}

TEST(RunBlackBoxResume, ALogThatDoesNotMatchTheRunIsRefused) {
  MultiFidelityToy eval;
  SequentialExecutor seq(eval);
  const auto options = SearchOptions().budget(Budget().max_queries(30));
  const auto full = run_re(seq, eval, 17, options).result;
  std::vector<Evaluation> log(full.evaluations.begin(), full.evaluations.begin() + 20);
  log[12].trial.arch = Architecture("toy", {4, 4, 4, 4});  // not what the optimizer proposes
  SequentialExecutor again(eval);
  NASCPP_EXPECT_THROW_WITH(run_re(again, eval, 17, SearchOptions(options).previous(log)), DataError,
                           "cannot be resumed");
}

// A failed evaluation is a result: logged, infeasible, told to the optimizer,
// and the search goes on to its budget.
TEST(RunBlackBox, FailedEvaluationsAreResults) {
  MultiFidelityToy eval;
  eval.fail_when_first_is_zero = true;
  SimulatedExecutor exec(eval, 2);
  const auto r = run_re(exec, eval, 19, SearchOptions().budget(Budget().max_queries(80))).result;
  ASSERT_EQ(r.evaluations.size(), 80u);
  int failed = 0;
  for (const auto& e : r.evaluations) {
    if (e.trial.arch.encoding()[0] == 0) {
      ++failed;
      EXPECT_TRUE(e.result.failed());
      EXPECT_NE(e.result.failure.find("toy training diverged"), std::string::npos);
      EXPECT_FALSE(e.feasible);
    } else {
      EXPECT_FALSE(e.result.failed());
    }
  }
  EXPECT_GT(failed, 0);
  ASSERT_NE(r.incumbent(), nullptr);
  EXPECT_FALSE(r.incumbent()->result.failed());
}

// The incumbent is the best evaluation at the highest fidelity seen so far.
class TwoFidelities : public BlackBoxOptimizer {
 public:
  std::string name() const override { return "two_fidelities"; }

 private:
  bool do_ask(Trial& trial) override {
    // Trials 0-5 at one epoch, then 6-8 at three.
    trial.arch = space().sample(rng());
    trial.fidelity = Fidelity::with_epochs(trial.id < 6 ? 1 : 3);
    return true;
  }
  void do_tell(const Trial&, const EvaluationResult&) override {}
  std::string do_save_state() const override { return "{}"; }
  void do_load_state(const std::string&) override {}
};

TEST(RunBlackBox, TheIncumbentIsAtTheHighestFidelitySeen) {
  auto space = std::make_shared<test::ToySpace>();
  MultiFidelityToy eval;
  Rng rng(23);
  TwoFidelities opt;
  opt.attach(space, &rng);
  const auto r = run_black_box(opt, eval, rng,
                               SearchOptions().budget(Budget().max_queries(9)));
  for (size_t i = 0; i < r.evaluations.size(); ++i) {
    const auto& best = r.evaluations[static_cast<size_t>(r.incumbent_trajectory[i])];
    EXPECT_EQ(best.result.epochs, i < 6 ? 1 : 3) << i;
  }
  EXPECT_EQ(r.evaluations[6].cumulative_epochs, 6.0 + 3.0);
  // An epoch budget counts the epochs paid.
  TwoFidelities again;
  again.attach(space, &rng);
  const auto e = run_black_box(again, eval, rng, SearchOptions().budget(Budget().max_epochs(5)));
  EXPECT_EQ(e.stop_reason, "max_epochs");
  EXPECT_EQ(e.evaluations.size(), 5u);
}

class Stuck : public BlackBoxOptimizer {
 public:
  std::string name() const override { return "stuck"; }

 private:
  bool do_ask(Trial&) override { return false; }
  void do_tell(const Trial&, const EvaluationResult&) override {}
  std::string do_save_state() const override { return "{}"; }
  void do_load_state(const std::string&) override {}
};

TEST(RunBlackBox, AnOptimizerThatWaitsForNothingIsAnError) {
  auto space = std::make_shared<test::ToySpace>();
  MultiFidelityToy eval;
  Rng rng(1);
  Stuck opt;
  opt.attach(space, &rng);
  NASCPP_EXPECT_THROW_WITH(
      run_black_box(opt, eval, rng, SearchOptions().budget(Budget().max_queries(3))), Error,
      "would wait forever");
}

TEST(ExecutorRegistry, BuildsTheBuiltinExecutors) {
  MultiFidelityToy eval;
  EXPECT_EQ(executor_registry().names(),
            (std::vector<std::string>{"sequential", "simulated", "threads"}));
  auto cfg = ConfigNode::parse("workers: 3\n");
  auto sim = executor_registry().create("simulated", cfg, eval);
  cfg.finish();
  EXPECT_EQ(sim->workers(), 3);
  EXPECT_TRUE(sim->deterministic());
  auto two = ConfigNode::parse("workers: 2\n");
  NASCPP_EXPECT_THROW_WITH(executor_registry().create("sequential", two, eval), ConfigError,
                           "one worker");
  test::ToyEvaluator toy;
  auto none = ConfigNode::parse("{}");
  NASCPP_EXPECT_THROW_WITH(executor_registry().create("mpi", none, toy), ConfigError, "threads");
}

}  // namespace
}  // namespace nascpp
