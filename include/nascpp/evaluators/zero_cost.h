#pragma once
/// The zero-cost evaluator: a zero-cost proxy as the objective, so any
/// black-box optimizer can search on it without training. The cost is the
/// measured wall time of the scoring.
///
///     evaluator:
///       name: zero_cost
///       proxy: synflow           # the objective (`nascpp list zero_cost`)
///       metrics: [params, flops] # further proxies reported beside it
///       batch_size: 32           # ZeroCostOptions keys: data, data_root,
///       seed: 0                  #   augment, device, in_channels, ...
///
/// Every trial of an architecture gets the same score (the weights and the
/// batch come from `seed`, not from the trial's generator), so a search
/// explores a fixed landscape. A proxy that cannot be computed for an
/// architecture (NaN, e.g. jacov on a network whose input gradients are
/// constant) is a failed evaluation naming the proxy. There are no epochs:
/// the only fidelity is the full one (0 epochs).
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/evaluator.h"
#include "nascpp/search_space.h"
#include "nascpp/zero_cost.h"

namespace nascpp {

class ZeroCostEvaluator : public Evaluator {
 public:
  /// `proxy` and each of `metrics` must be registered proxies (ConfigError
  /// listing them otherwise); the batch is drawn here.
  ZeroCostEvaluator(std::shared_ptr<const SearchSpace> space, std::string proxy,
                    std::vector<std::string> metrics, ZeroCostOptions options);
  /// Registry factory: keys `proxy` (default synflow), `metrics` (default
  /// [params, flops]) and the ZeroCostOptions keys.
  static std::unique_ptr<Evaluator> from_config(ConfigNode& config,
                                                std::shared_ptr<const SearchSpace> space);

  std::string name() const override { return "zero_cost"; }
  std::string objective_name() const override { return proxy_; }
  std::vector<std::string> metric_names() const override;
  FidelityRange fidelity_range() const override;
  bool simulated_cost() const override { return false; }
  std::string dataset_name() const override;
  std::vector<std::string> data_files() const override { return scorer_.data_files(); }
  /// What the proxies saw (ProxyBatch::description).
  const std::string& batch_description() const { return scorer_.batch().description; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) override;

  std::string proxy_;
  std::vector<std::string> metrics_;
  ZeroCostScorer scorer_;
};

}  // namespace nascpp
