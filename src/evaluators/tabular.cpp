#include "nascpp/evaluators/tabular.h"

#include <algorithm>
#include <cmath>

#include <fmt/ranges.h>

#include "nascpp/core/error.h"
#include "nascpp/registries.h"

namespace nascpp {

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

void check_choice(const std::string& what, const std::string& value,
                  const std::vector<std::string>& choices) {
  if (!contains(choices, value)) throw ConfigError(unknown_choice_message(what, value, choices));
}

}  // namespace

TabularEvaluatorOptions TabularEvaluatorOptions::from_config(ConfigNode& cfg) {
  TabularEvaluatorOptions o;
  o.dataset(cfg.get<std::string>("dataset", o.dataset()));
  o.metric(cfg.get<std::string>("metric", o.metric()));
  o.report_dataset(cfg.get<std::string>("report_dataset", o.report_dataset()));
  o.report_metric(cfg.get<std::string>("report_metric", o.report_metric()));
  o.noise(cfg.get_choice("noise", o.noise(), {"mean", "seed"}));
  o.cost_metric(cfg.get<std::string>("cost_metric", o.cost_metric()));
  o.extra_metrics(cfg.get<std::vector<std::string>>("extra_metrics", o.extra_metrics()));
  o.validate();
  return o;
}

void TabularEvaluatorOptions::validate() const {
  NASCPP_CHECK_CONFIG(!dataset_.empty(), "tabular evaluator: dataset must not be empty");
  NASCPP_CHECK_CONFIG(!metric_.empty(), "tabular evaluator: metric must not be empty");
  NASCPP_CHECK_CONFIG(noise_ == "mean" || noise_ == "seed", "tabular evaluator: {}",
                      unknown_choice_message("noise", noise_, {"mean", "seed"}));
}

TabularEvaluator::TabularEvaluator(std::shared_ptr<const Benchmark> benchmark,
                                   TabularEvaluatorOptions options)
    : benchmark_(std::move(benchmark)), options_(std::move(options)) {
  NASCPP_CHECK_CONFIG(benchmark_ != nullptr, "tabular evaluator: no benchmark given");
  options_.validate();
  const auto datasets = benchmark_->datasets();
  const std::string where = fmt::format("benchmark '{}'", benchmark_->name());
  check_choice(where + " dataset (tabular evaluator option 'dataset')", options_.dataset(),
               datasets);
  const auto have = benchmark_->metrics(options_.dataset());
  const auto option_check = [&](const char* option, const std::string& metric) {
    if (!contains(have, metric)) {
      // A metric of another dataset (NAS-Bench-201's cifar10, trained on
      // train+valid, has no validation accuracy and no training time):
      // name the datasets that have it, before the long list.
      std::vector<std::string> with;
      for (const auto& d : benchmark_->datasets()) {
        if (d != options_.dataset() && contains(benchmark_->metrics(d), metric)) with.push_back(d);
      }
      const std::string elsewhere =
          with.empty() ? std::string()
                       : fmt::format("; '{}' is a metric of dataset {} (set evaluator.dataset, or "
                                     "set evaluator.{} to a metric of '{}')",
                                     metric, join(with), option, options_.dataset());
      throw ConfigError(fmt::format(
          "tabular evaluator option '{}'{}: {}", option, elsewhere,
          unknown_choice_message(where + " metric of dataset '" + options_.dataset() + "'",
                                 metric, have)));
    }
  };
  option_check("metric", options_.metric());
  option_check("cost_metric", options_.cost_metric());
  for (const auto& m : options_.extra_metrics()) option_check("extra_metrics", m);

  report_dataset_ = options_.report_dataset();
  if (report_dataset_.empty()) {
    // NAS-Bench-201's protocol: search cifar10-valid, report cifar10's test accuracy.
    report_dataset_ = options_.dataset();
    const std::string suffix = "-valid";
    if (!contains(have, options_.report_metric()) && report_dataset_.size() > suffix.size() &&
        report_dataset_.compare(report_dataset_.size() - suffix.size(), suffix.size(), suffix) ==
            0) {
      report_dataset_.resize(report_dataset_.size() - suffix.size());
    }
  }
  check_choice(where + " dataset (tabular evaluator option 'report_dataset')", report_dataset_,
               datasets);
  const auto report_have = benchmark_->metrics(report_dataset_);
  if (!contains(report_have, options_.report_metric())) {
    throw ConfigError(fmt::format(
        "tabular evaluator option 'report_metric': {}",
        unknown_choice_message(where + " metric of dataset '" + report_dataset_ + "'",
                               options_.report_metric(), report_have)));
  }

  const auto epochs = benchmark_->fidelities(options_.dataset());
  NASCPP_CHECK_DATA(!epochs.empty(), "{} lists no fidelities for dataset '{}'", where,
                    options_.dataset());
  range_.min_epochs = epochs.front();
  range_.max_epochs = epochs.back();
  range_.available = epochs;
  const auto report_epochs = benchmark_->fidelities(report_dataset_);
  for (int64_t e : epochs) {
    Handles h;
    h.epochs = e;
    h.objective = benchmark_->resolve(options_.dataset(), options_.metric(), e);
    // The report dataset may lack this fidelity: then the metric is unavailable.
    if (std::find(report_epochs.begin(), report_epochs.end(), e) != report_epochs.end()) {
      h.report = benchmark_->resolve(report_dataset_, options_.report_metric(), e);
    }
    h.cost = benchmark_->resolve(options_.dataset(), options_.cost_metric(), e);
    for (const auto& m : options_.extra_metrics()) {
      h.extra.push_back(benchmark_->resolve(options_.dataset(), m, e));
    }
    if (e == range_.max_epochs) {
      NASCPP_CHECK_DATA(h.objective.valid() && h.cost.valid(),
                        "{}: metric '{}' or cost '{}' has no values for the full training",
                        where, options_.metric(), options_.cost_metric());
    }
    handles_.push_back(std::move(h));
  }
}

TabularEvaluator::~TabularEvaluator() = default;

std::unique_ptr<Evaluator> TabularEvaluator::from_config(ConfigNode& config) {
  const std::string bench_name = config.get<std::string>("benchmark", "nasbench201");
  auto bench = benchmark_registry().create(bench_name, config);
  return std::make_unique<TabularEvaluator>(std::move(bench),
                                            TabularEvaluatorOptions::from_config(config));
}

std::vector<std::string> TabularEvaluator::metric_names() const {
  std::vector<std::string> out = {options_.metric(), options_.report_metric()};
  for (const auto& m : options_.extra_metrics()) out.push_back(m);
  return out;
}

const TabularEvaluator::Handles& TabularEvaluator::handles(int64_t epochs) const {
  for (const auto& h : handles_) {
    if (h.epochs == epochs) return h;
  }
  std::vector<std::string> names;
  for (const auto& h : handles_) names.push_back(std::to_string(h.epochs));
  throw ConfigError(fmt::format("benchmark '{}' has no results after {} epochs; its fidelities: {}",
                                benchmark_->name(), epochs, join(names)));
}

EvaluationResult TabularEvaluator::do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) {
  const Handles& h = handles(epochs);
  const Benchmark& b = *benchmark_;
  const Architecture& arch = trial.arch;
  EvaluationResult r;
  const auto report_or_missing = [&](const std::string& name, const Benchmark::Handle& handle) {
    if (!handle.valid()) {
      r.unavailable.push_back(name);
      return;
    }
    if (auto v = b.value(arch, handle)) r.metrics[name] = *v;
  };
  if (!h.objective.valid()) {
    throw ConfigError(fmt::format("benchmark '{}' has no {} of {} after {} epochs",
                                  b.name(), options_.metric(), options_.dataset(), epochs));
  }
  const std::optional<double> objective =
      options_.noise() == "seed" ? b.value(arch, h.objective, rng) : b.value(arch, h.objective);
  NASCPP_CHECK_DATA(objective.has_value() && std::isfinite(*objective),
                    "benchmark '{}' has no {} on {} after {} epochs for architecture {} of space "
                    "'{}' (trial {})",
                    b.name(), options_.metric(), options_.dataset(), epochs,
                    fmt::join(arch.encoding(), ","), arch.space(), trial.id);
  r.objective = *objective;
  r.metrics[options_.metric()] = *objective;
  if (options_.report_metric() != options_.metric() || report_dataset_ != options_.dataset()) {
    report_or_missing(options_.report_metric(), h.report);
  }
  for (size_t i = 0; i < h.extra.size(); ++i) report_or_missing(options_.extra_metrics()[i], h.extra[i]);
  const std::optional<double> cost = b.value(arch, h.cost);
  double paid = cost.value_or(0.0);
  if (trial.continues) {
    // The continued trial's training is paid already: only the difference.
    const Handles& before = handles(trial.continues->epochs);
    paid -= b.value(arch, before.cost).value_or(0.0);
  }
  r.cost = std::max(0.0, paid);
  return r;
}

}  // namespace nascpp
