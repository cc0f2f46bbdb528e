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
  b.validate();
  return b;
}

void Budget::validate() const {
  NASCPP_CHECK_CONFIG(max_queries_ >= 0, "budget max_queries must be >= 0 (0: no limit), got {}",
                      max_queries_);
  // An infinite limit never stops the loop: "no limit" is spelled 0.
  NASCPP_CHECK_CONFIG(max_simulated_s_ >= 0 && std::isfinite(max_simulated_s_),
                      "budget max_simulated_s must be a finite number >= 0 (0: no limit), got {}",
                      max_simulated_s_);
  NASCPP_CHECK_CONFIG(max_wall_s_ >= 0 && std::isfinite(max_wall_s_),
                      "budget max_wall_s must be a finite number >= 0 (0: no limit), got {}",
                      max_wall_s_);
  NASCPP_CHECK_CONFIG(max_queries_ > 0 || max_simulated_s_ > 0 || max_wall_s_ > 0,
                      "the budget sets no limit; set at least one of max_queries, "
                      "max_simulated_s, max_wall_s");
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

SearchResult run_black_box(BlackBoxOptimizer& optimizer, Evaluator& evaluator, Rng& rng,
                           const SearchOptions& options, const SearchCallback& callback) {
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

  SearchResult result;
  if (budget.max_queries() > 0) {
    // Only a hint: a budget of 10^12 queries (the time limit stops it) must
    // not reserve memory for all of them up front.
    const auto hint = static_cast<size_t>(std::min<int64_t>(budget.max_queries(), 100000));
    result.evaluations.reserve(hint);
    result.incumbent_trajectory.reserve(hint);
  }
  double cost = 0.0;
  int64_t best = -1;
  double previous_wall = 0.0;
  for (const auto& e : options.previous()) {
    NASCPP_CHECK(e.query == static_cast<int64_t>(result.evaluations.size()),
                 "previous evaluation {} has query number {}", result.evaluations.size(),
                 e.query);
    if (e.feasible &&
        (best < 0 ||
         e.result.objective > result.evaluations[static_cast<size_t>(best)].result.objective)) {
      best = e.query;
    }
    cost += e.result.cost;
    previous_wall = e.wall_s;
    result.evaluations.push_back(e);
    result.evaluations.back().cumulative_cost = cost;
    result.incumbent_trajectory.push_back(best);
  }
  const auto start = std::chrono::steady_clock::now() -
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(previous_wall));
  for (;;) {
    const int64_t done = static_cast<int64_t>(result.evaluations.size());
    if (budget.max_queries() > 0 && done >= budget.max_queries()) {
      result.stop_reason = "max_queries";
      break;
    }
    if (budget.max_simulated_s() > 0 && cost >= budget.max_simulated_s()) {
      result.stop_reason = "max_simulated_s";
      break;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (budget.max_wall_s() > 0 && wall >= budget.max_wall_s()) {
      result.stop_reason = "max_wall_s";
      break;
    }

    Evaluation e;
    e.query = done;
    e.arch = optimizer.ask();
    e.result = evaluator.evaluate(e.arch, options.fidelity(), rng);
    for (const auto& c : options.constraints()) {
      auto it = e.result.metrics.find(c.metric);
      e.feasible = e.feasible && it != e.result.metrics.end() && it->second <= c.max_value;
    }
    cost += e.result.cost;
    e.cumulative_cost = cost;
    e.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    optimizer.tell(e.arch, e.result);
    if (e.feasible &&
        (best < 0 ||
         e.result.objective > result.evaluations[static_cast<size_t>(best)].result.objective)) {
      best = done;
    }
    result.evaluations.push_back(std::move(e));
    result.incumbent_trajectory.push_back(best);
    if (callback && !callback(result)) {
      result.stop_reason = "callback";
      break;
    }
  }
  return result;
}

}  // namespace nascpp
