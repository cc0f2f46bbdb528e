#include <algorithm>
#include <chrono>
#include <cmath>

#include "nascpp/core/error.h"
#include "nascpp/search.h"

namespace nascpp {

Budget Budget::from_config(ConfigNode& cfg) {
  Budget b;
  b.max_queries(cfg.get<int64_t>("max_queries", b.max_queries()));
  b.max_simulated_s(cfg.get<double>("max_simulated_s", b.max_simulated_s()));
  b.max_wall_s(cfg.get<double>("max_wall_s", b.max_wall_s()));
  b.max_epochs(cfg.get<double>("max_epochs", b.max_epochs()));
  b.validate();
  return b;
}

void Budget::validate() const {
  NASCPP_CHECK_CONFIG(max_queries_ >= 0, "budget max_queries must be >= 0 (0: no limit), got {}",
                      max_queries_);
  // An infinite limit never stops the loop: "no limit" is spelled 0.
  const auto check = [](const char* key, double v) {
    NASCPP_CHECK_CONFIG(v >= 0 && std::isfinite(v),
                        "budget {} must be a finite number >= 0 (0: no limit), got {}", key, v);
  };
  check("max_simulated_s", max_simulated_s_);
  check("max_wall_s", max_wall_s_);
  check("max_epochs", max_epochs_);
  NASCPP_CHECK_CONFIG(max_queries_ > 0 || max_simulated_s_ > 0 || max_wall_s_ > 0 ||
                          max_epochs_ > 0,
                      "the budget sets no limit; set at least one of max_queries, "
                      "max_simulated_s, max_wall_s, max_epochs");
}

std::vector<Constraint> constraints_from_config(ConfigNode& cfg) {
  std::vector<Constraint> out;
  const double max_params = cfg.get<double>("max_params_mb", 0.0);
  NASCPP_CHECK_CONFIG(max_params >= 0, "constraint max_params_mb must be >= 0 (0: none), got {}",
                      max_params);
  if (max_params > 0) out.push_back({"params_mb", max_params});
  const std::string device = cfg.get<std::string>("latency_device", "");
  const double max_latency = cfg.get<double>("max_latency_ms", 0.0);
  NASCPP_CHECK_CONFIG(max_latency >= 0, "constraint max_latency_ms must be >= 0 (0: none), got {}",
                      max_latency);
  NASCPP_CHECK_CONFIG((max_latency > 0) == !device.empty(),
                      "constraints: max_latency_ms ({}) and latency_device ('{}') go together",
                      max_latency, device);
  if (max_latency > 0) out.push_back({"latency_ms." + device, max_latency});
  if (cfg.has("metrics")) {
    const YAML::Node list = cfg.raw()["metrics"];
    cfg.mark_used("metrics");
    NASCPP_CHECK_CONFIG(list.IsSequence(),
                        "constraints.metrics must be a list of {{metric: name, max: value}}");
    for (const auto& item : list) {
      NASCPP_CHECK_CONFIG(item.IsMap() && item["metric"] && item["max"] && item.size() == 2,
                          "each entry of constraints.metrics needs exactly the keys metric and "
                          "max");
      Constraint c;
      try {
        c = {item["metric"].as<std::string>(), item["max"].as<double>()};
      } catch (const YAML::Exception&) {
        throw ConfigError("constraints.metrics: metric must be a string and max a number");
      }
      NASCPP_CHECK_CONFIG(std::isfinite(c.max_value),
                          "constraints.metrics: max of '{}' must be a finite number, got {}",
                          c.metric, c.max_value);
      out.push_back(c);
    }
  }
  return out;
}

const Evaluation* SearchResult::incumbent() const {
  return incumbent_at(static_cast<int64_t>(evaluations.size()));
}

const Evaluation* SearchResult::incumbent_at(int64_t queries) const {
  if (queries <= 0 || incumbent_trajectory.empty()) return nullptr;
  const auto i = std::min<size_t>(static_cast<size_t>(queries), incumbent_trajectory.size()) - 1;
  const int64_t at = incumbent_trajectory[i];
  return at < 0 ? nullptr : &evaluations[static_cast<size_t>(at)];
}

uint64_t evaluation_seed_of(uint64_t evaluation_seed, int64_t trial_id) {
  // SplitMix64 of the pair: independent streams per trial.
  uint64_t z = evaluation_seed + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(trial_id) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

namespace {

// The incumbent rule of search.h, updated one evaluation at a time.
struct IncumbentTracker {
  int64_t best = -1;
  int64_t best_epochs = -1;
  double best_objective = 0.0;

  void add(const Evaluation& e) {
    if (!e.feasible) return;
    const int64_t epochs = e.result.epochs;
    if (best < 0 || epochs > best_epochs ||
        (epochs == best_epochs && e.result.objective > best_objective)) {
      best = e.query;
      best_epochs = epochs;
      best_objective = e.result.objective;
    }
  }
};

bool is_feasible(const EvaluationResult& r, const std::vector<Constraint>& constraints) {
  if (r.failed()) return false;
  for (const auto& c : constraints) {
    auto it = r.metrics.find(c.metric);
    if (it == r.metrics.end() || !(it->second <= c.max_value)) return false;
  }
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

SearchResult run_black_box(BlackBoxOptimizer& optimizer, Executor& executor, Evaluator& evaluator,
                           Rng& rng, const SearchOptions& options,
                           const SearchCallback& callback) {
  const Budget& budget = options.budget();
  budget.validate();
  const auto reported = evaluator.metric_names();
  for (const auto& c : options.constraints()) {
    if (std::find(reported.begin(), reported.end(), c.metric) == reported.end()) {
      throw ConfigError(
          fmt::format("constraint on '{}': {}", c.metric,
                      unknown_choice_message("metric of evaluator '" + evaluator.name() + "'",
                                             c.metric, reported)));
    }
  }
  NASCPP_CHECK_CONFIG(executor.running() == 0, "executor '{}' has trials running already",
                      executor.name());
  optimizer.set_max_in_flight(executor.workers());
  evaluator.resolve_epochs(options.fidelity());  // a ConfigError before anything runs
  optimizer.set_fidelities(options.fidelity(), evaluator.fidelity_range());

  SearchResult result;
  if (budget.max_queries() > 0) {
    // Only a hint: a budget of 10^12 queries (the time limit stops it) must
    // not reserve memory for all of them up front.
    const auto hint = static_cast<size_t>(std::min<int64_t>(budget.max_queries(), 100000));
    result.evaluations.reserve(hint);
    result.incumbent_trajectory.reserve(hint);
  }
  IncumbentTracker incumbent;
  double cost = 0.0;
  double epochs = 0.0;
  const auto record = [&](Evaluation e) {
    e.query = static_cast<int64_t>(result.evaluations.size());
    cost += e.result.cost;
    epochs += static_cast<double>(e.result.epochs_paid);
    e.cumulative_cost = cost;
    e.cumulative_epochs = epochs;
    incumbent.add(e);
    result.evaluations.push_back(std::move(e));
    result.incumbent_trajectory.push_back(incumbent.best);
  };

  // ---- resume: the checkpoint, then the logged evaluations past it ----
  const std::vector<Evaluation>& log = options.previous();
  for (size_t i = 0; i < log.size(); ++i) {
    NASCPP_CHECK_DATA(log[i].query == static_cast<int64_t>(i),
                      "logged evaluation {} has query number {} (the log is out of order)", i,
                      log[i].query);
  }
  size_t replayed = 0;  // log entries accounted for
  std::map<int64_t, const Evaluation*> logged;  // by trial id, not yet replayed
  double wall_offset = log.empty() ? 0.0 : log.back().wall_s;
  if (const auto& ckpt = options.checkpoint()) {
    NASCPP_CHECK_DATA(ckpt->completed >= 0 && static_cast<size_t>(ckpt->completed) <= log.size(),
                      "the search checkpoint is after {} evaluations but {} are logged: the log "
                      "lost lines the checkpoint relies on",
                      ckpt->completed, log.size());
    optimizer.load_state(ckpt->optimizer_state);
    rng.set_state(ckpt->rng_state);
    for (; replayed < static_cast<size_t>(ckpt->completed); ++replayed) record(log[replayed]);
  }
  for (size_t i = replayed; i < log.size(); ++i) {
    NASCPP_CHECK_DATA(logged.emplace(log[i].trial.id, &log[i]).second,
                      "trial {} is logged twice (evaluations {} and later)", log[i].trial.id, i);
  }
  const auto known = [&](int64_t trial) -> const EvaluationResult* {
    auto it = logged.find(trial);
    return it == logged.end() ? nullptr : &it->second->result;
  };
  const auto seed_of = [&](int64_t trial) {
    return evaluation_seed_of(options.evaluation_seed(), trial);
  };
  // A deterministic executor gets logged results with the trials and returns
  // them in the logged order; otherwise the loop holds them back and replays
  // the log's order itself.
  const bool deterministic = executor.deterministic();
  std::map<int64_t, Trial> held;
  if (const auto& ckpt = options.checkpoint()) {
    NASCPP_CHECK_DATA(optimizer.pending().size() == ckpt->running.size(),
                      "the search checkpoint has {} trials running but the optimizer {} pending",
                      ckpt->running.size(), optimizer.pending().size());
    std::map<int64_t, uint64_t> seeds;
    std::map<int64_t, EvaluationResult> results;
    std::vector<RunningTrial> running;
    for (const auto& r : ckpt->running) {
      NASCPP_CHECK_DATA(optimizer.pending().count(r.trial) == 1,
                        "the search checkpoint has trial {} running, but the optimizer's state "
                        "has it not pending",
                        r.trial);
      seeds[r.trial] = seed_of(r.trial);
      const EvaluationResult* result = known(r.trial);
      if (result != nullptr && !deterministic) {
        held.emplace(r.trial, optimizer.pending().at(r.trial));
        continue;
      }
      if (result != nullptr) results.emplace(r.trial, *result);
      running.push_back(r);
    }
    executor.restore(ckpt->clock, running, optimizer.pending(), seeds, results);
  }

  const auto start = std::chrono::steady_clock::now();
  const auto wall = [&] { return wall_offset + seconds_since(start); };
  const auto cost_clock = [&] { return executor.simulated_clock() ? executor.now() : cost; };
  auto last_checkpoint = start;
  int64_t since_checkpoint = 0;
  const auto stop_asking = [&]() -> const char* {
    if (budget.max_queries() > 0 && optimizer.trials_asked() >= budget.max_queries()) {
      return "max_queries";
    }
    if (budget.max_simulated_s() > 0 && cost_clock() >= budget.max_simulated_s()) {
      return "max_simulated_s";
    }
    if (budget.max_epochs() > 0 && epochs >= budget.max_epochs()) return "max_epochs";
    // Wall time is not checked while the log is replayed: the interrupted
    // run asked those trials.
    if (replayed >= log.size() && budget.max_wall_s() > 0 && wall() >= budget.max_wall_s()) {
      return "max_wall_s";
    }
    return nullptr;
  };
  const auto in_flight = [&] { return executor.running() + static_cast<int64_t>(held.size()); };

  const char* stopped = nullptr;
  for (;;) {
    // Fill the free workers.
    while (in_flight() < executor.workers()) {
      stopped = stop_asking();
      if (stopped != nullptr) break;
      auto trial = optimizer.ask();
      if (!trial) break;  // nothing now: wait for results
      const EvaluationResult* result = known(trial->id);
      if (result != nullptr && !deterministic) {
        held.emplace(trial->id, std::move(*trial));
      } else {
        executor.submit(*trial, seed_of(trial->id), result);
      }
    }
    if (in_flight() == 0) {
      if (stopped == nullptr) {
        stopped = stop_asking();
        NASCPP_CHECK(stopped != nullptr,
                     "optimizer '{}' proposes nothing while no trial is pending ({} asked, {} "
                     "told): it would wait forever",
                     optimizer.name(), optimizer.trials_asked(), result.evaluations.size());
      }
      break;
    }

    // The next completion.
    Evaluation e;
    const bool replaying = replayed < log.size();
    if (replaying && !deterministic) {
      const Evaluation& next = log[replayed];
      auto it = held.find(next.trial.id);
      NASCPP_CHECK_DATA(it != held.end(),
                        "the logged evaluation {} (trial {}) is not one the optimizer has pending "
                        "now: the run's configuration, data or code changed since it was logged; "
                        "it cannot be resumed",
                        replayed, next.trial.id);
      held.erase(it);
      e = next;
    } else {
      const Completion c = executor.wait();
      e.trial = c.trial;
      e.result = c.result;
      e.start_s = c.start_s;
      e.end_s = c.end_s;
      e.worker = c.worker;
      e.feasible = is_feasible(e.result, options.constraints());
      e.wall_s = wall();
      if (replaying) {
        const Evaluation& next = log[replayed];
        NASCPP_CHECK_DATA(next.trial.id == e.trial.id,
                          "the logged evaluation {} is trial {}, but the resumed run completes "
                          "trial {} there: the run's configuration, data or code changed since "
                          "it was logged; it cannot be resumed",
                          replayed, next.trial.id, e.trial.id);
        e = next;
      }
    }
    if (replaying) {
      const Trial& asked = optimizer.pending().count(e.trial.id)
                               ? optimizer.pending().at(e.trial.id)
                               : e.trial;
      NASCPP_CHECK_DATA(asked.arch == e.trial.arch && asked.fidelity == e.trial.fidelity,
                        "the logged evaluation {} (trial {}) has another architecture or fidelity "
                        "than the optimizer proposes now: the run's configuration, data or code "
                        "changed since it was logged; it cannot be resumed",
                        replayed, e.trial.id);
      logged.erase(e.trial.id);
      ++replayed;
      executor.advance_clock(e.end_s);
    }
    optimizer.tell(e.trial, e.result);
    record(std::move(e));
    ++since_checkpoint;
    if (!replaying && callback && !callback(result)) {
      stopped = "callback";
      break;
    }
    if (options.on_checkpoint() &&
        ((options.checkpoint_every() > 0 && since_checkpoint >= options.checkpoint_every()) ||
         (options.checkpoint_seconds() > 0 &&
          seconds_since(last_checkpoint) >= options.checkpoint_seconds()))) {
      SearchCheckpoint ckpt;
      ckpt.completed = static_cast<int64_t>(result.evaluations.size());
      ckpt.optimizer_state = optimizer.save_state();
      ckpt.rng_state = rng.state();
      ckpt.clock = executor.now();
      ckpt.running = executor.running_trials();
      for (const auto& [id, t] : held) {
        (void)t;
        ckpt.running.push_back(RunningTrial{id, 0, ckpt.clock});
      }
      options.on_checkpoint()(ckpt);
      since_checkpoint = 0;
      last_checkpoint = std::chrono::steady_clock::now();
    }
  }
  NASCPP_CHECK_DATA(replayed >= log.size(),
                    "the resumed run stopped ({}) before replaying all {} logged evaluations "
                    "(at {}): the configuration changed since they were logged",
                    stopped ? stopped : "?", log.size(), replayed);
  result.stop_reason = stopped ? stopped : "";
  return result;
}

SearchResult run_black_box(BlackBoxOptimizer& optimizer, Evaluator& evaluator, Rng& rng,
                           const SearchOptions& options, const SearchCallback& callback) {
  SequentialExecutor executor(evaluator);
  return run_black_box(optimizer, executor, evaluator, rng, options, callback);
}

}  // namespace nascpp
