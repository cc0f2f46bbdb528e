#include "nascpp/evaluators/zero_cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

ZeroCostEvaluator::ZeroCostEvaluator(std::shared_ptr<const SearchSpace> space, std::string proxy,
                                     std::vector<std::string> metrics, ZeroCostOptions options)
    : proxy_(std::move(proxy)),
      metrics_(std::move(metrics)),
      scorer_(std::move(space), std::move(options)) {
  zero_cost_registry().at(proxy_);
  for (const auto& m : metrics_) zero_cost_registry().at(m);
  metrics_.erase(std::remove(metrics_.begin(), metrics_.end(), proxy_), metrics_.end());
}

std::unique_ptr<Evaluator> ZeroCostEvaluator::from_config(
    ConfigNode& config, std::shared_ptr<const SearchSpace> space) {
  const auto proxy = config.get<std::string>("proxy", "synflow");
  const auto metrics =
      config.get<std::vector<std::string>>("metrics", std::vector<std::string>{"params", "flops"});
  auto options = ZeroCostOptions::from_config(config);
  return std::make_unique<ZeroCostEvaluator>(std::move(space), proxy, metrics, options);
}

std::vector<std::string> ZeroCostEvaluator::metric_names() const {
  std::vector<std::string> out{proxy_};
  out.insert(out.end(), metrics_.begin(), metrics_.end());
  out.push_back("score_time_s");
  return out;
}

FidelityRange ZeroCostEvaluator::fidelity_range() const {
  FidelityRange r;
  r.min_epochs = 0;
  r.max_epochs = 0;
  r.available = {0};
  return r;
}

std::string ZeroCostEvaluator::dataset_name() const { return scorer_.batch().dataset; }

EvaluationResult ZeroCostEvaluator::do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) {
  (void)epochs;
  (void)rng;
  std::vector<std::string> proxies{proxy_};
  proxies.insert(proxies.end(), metrics_.begin(), metrics_.end());
  const auto scores = scorer_.score(trial.arch, proxies);
  EvaluationResult r;
  double seconds = 0.0;
  for (const auto& s : scores) {
    seconds += s.seconds;
    if (std::isnan(s.score)) {
      r.unavailable.push_back(s.proxy);
    } else {
      r.metrics[s.proxy] = s.score;
    }
  }
  r.metrics["score_time_s"] = seconds;
  r.cost = seconds;
  if (std::isnan(scores.front().score) || std::isinf(scores.front().score)) {
    EvaluationResult failed = EvaluationResult::failed_with(
        fmt::format("zero-cost proxy '{}' is {} for {}", proxy_, scores.front().score,
                    trial.id >= 0 ? fmt::format("trial {}", trial.id) : "the architecture"),
        seconds);
    return failed;
  }
  r.objective = scores.front().score;
  return r;
}

}  // namespace nascpp
