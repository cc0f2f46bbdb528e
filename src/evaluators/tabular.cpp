#include "nascpp/evaluators/tabular.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
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

std::string fidelity_metric(const std::string& metric, int64_t epochs) {
  return fmt::format("{}_{}ep", metric, epochs);
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
  o.full_epochs(cfg.get<int64_t>("full_epochs", o.full_epochs()));
  o.validate();
  return o;
}

void TabularEvaluatorOptions::validate() const {
  NASCPP_CHECK_CONFIG(!dataset_.empty(), "tabular evaluator: dataset must not be empty");
  NASCPP_CHECK_CONFIG(!metric_.empty(), "tabular evaluator: metric must not be empty");
  NASCPP_CHECK_CONFIG(noise_ == "mean" || noise_ == "seed", "tabular evaluator: {}",
                      unknown_choice_message("noise", noise_, {"mean", "seed"}));
  NASCPP_CHECK_CONFIG(full_epochs_ >= 1, "tabular evaluator: full_epochs must be >= 1, got {}",
                      full_epochs_);
}

// NAS-Bench-201 look-ups with ids resolved once: no string work per query.
struct TabularEvaluator::Fast {
  const NasBench201Benchmark* bench = nullptr;
  NasBench201Benchmark::MetricId objective;
  NasBench201Benchmark::MetricId report;
  NasBench201Benchmark::MetricId cost;
  std::vector<std::pair<int64_t, NasBench201Benchmark::MetricId>> fidelity;
  std::vector<NasBench201Benchmark::MetricId> extra;
};

TabularEvaluator::TabularEvaluator(std::shared_ptr<const Benchmark> benchmark,
                                   TabularEvaluatorOptions options)
    : benchmark_(std::move(benchmark)), options_(std::move(options)) {
  NASCPP_CHECK_CONFIG(benchmark_ != nullptr, "tabular evaluator: no benchmark given");
  options_.validate();
  const auto datasets = benchmark_->datasets();
  const auto metrics = benchmark_->metrics();
  const std::string where = fmt::format("benchmark '{}'", benchmark_->name());
  check_choice(where + " dataset", options_.dataset(), datasets);
  check_choice(where + " metric", options_.metric(), metrics);
  check_choice(where + " metric", options_.report_metric(), metrics);
  check_choice(where + " metric", options_.cost_metric(), metrics);
  for (const auto& m : options_.extra_metrics()) check_choice(where + " metric", m, metrics);

  const auto* nb201 = dynamic_cast<const NasBench201Benchmark*>(benchmark_.get());
  report_dataset_ = options_.report_dataset();
  if (report_dataset_.empty()) {
    report_dataset_ = options_.dataset();
    const std::string suffix = "-valid";
    const bool has_report =
        nb201 == nullptr || contains(nb201->metrics(report_dataset_), options_.report_metric());
    if (!has_report && report_dataset_.size() > suffix.size() &&
        report_dataset_.compare(report_dataset_.size() - suffix.size(), suffix.size(), suffix) ==
            0) {
      report_dataset_.resize(report_dataset_.size() - suffix.size());
    }
  }
  check_choice(where + " dataset", report_dataset_, datasets);

  for (const auto& m : metrics) {
    const std::string prefix = options_.metric() + "_";
    if (m.size() > prefix.size() + 2 && m.compare(0, prefix.size(), prefix) == 0 &&
        m.compare(m.size() - 2, 2, "ep") == 0) {
      const std::string digits = m.substr(prefix.size(), m.size() - prefix.size() - 2);
      if (!digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
          })) {
        fidelities_.push_back(std::stoll(digits));
      }
    }
  }
  std::sort(fidelities_.begin(), fidelities_.end());

  if (nb201 != nullptr) {
    // metric_id checks that each metric exists for its dataset, with a
    // message listing those that do.
    fast_ = std::make_unique<Fast>();
    fast_->bench = nb201;
    fast_->objective = nb201->metric_id(options_.dataset(), options_.metric());
    fast_->report = nb201->metric_id(report_dataset_, options_.report_metric());
    fast_->cost = nb201->metric_id(options_.dataset(), options_.cost_metric());
    for (const auto& m : options_.extra_metrics()) {
      fast_->extra.push_back(nb201->metric_id(options_.dataset(), m));
    }
    const auto have = nb201->metrics(options_.dataset());
    std::vector<int64_t> kept;
    for (int64_t e : fidelities_) {
      const std::string name = fidelity_metric(options_.metric(), e);
      if (contains(have, name)) {
        kept.push_back(e);
        fast_->fidelity.emplace_back(e, nb201->metric_id(options_.dataset(), name));
      }
    }
    fidelities_ = kept;
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

EvaluationResult TabularEvaluator::do_evaluate(const Architecture& arch, const Fidelity& fidelity,
                                               Rng& rng) {
  const bool noisy = options_.noise() == "seed";
  EvaluationResult r;
  const double fraction =
      fidelity.epochs > 0 ? static_cast<double>(fidelity.epochs) / options_.full_epochs() : 1.0;
  std::optional<double> objective;
  std::optional<double> report;
  std::optional<double> cost;
  if (fast_) {
    const NasBench201Benchmark& b = *fast_->bench;
    NasBench201Benchmark::MetricId objective_id = fast_->objective;
    if (fidelity.epochs > 0) {
      for (const auto& [e, id] : fast_->fidelity) {
        if (e == fidelity.epochs) objective_id = id;
      }
    }
    objective = noisy ? b.value(arch, objective_id, rng) : b.value(arch, objective_id);
    report = b.value(arch, fast_->report);
    cost = b.value(arch, fast_->cost);
    for (size_t i = 0; i < fast_->extra.size(); ++i) {
      if (auto v = b.value(arch, fast_->extra[i])) {
        r.metrics[options_.extra_metrics()[i]] = *v;
      }
    }
  } else {
    const std::string metric = fidelity.epochs > 0
                                   ? fidelity_metric(options_.metric(), fidelity.epochs)
                                   : options_.metric();
    objective = benchmark_->query(arch, metric, options_.dataset(), noisy ? &rng : nullptr);
    report = benchmark_->query(arch, options_.report_metric(), report_dataset_);
    cost = benchmark_->query(arch, options_.cost_metric(), options_.dataset());
    for (const auto& m : options_.extra_metrics()) {
      if (auto v = benchmark_->query(arch, m, options_.dataset())) r.metrics[m] = *v;
    }
  }
  NASCPP_CHECK_DATA(objective.has_value() && std::isfinite(*objective),
                    "benchmark '{}' has no {} on {} for architecture {} (encoding of {} values)",
                    benchmark_->name(), options_.metric(), options_.dataset(), arch.space(),
                    arch.encoding().size());
  r.objective = *objective;
  r.metrics[options_.metric()] = *objective;
  if (report) r.metrics[options_.report_metric()] = *report;
  r.cost = cost ? *cost * fraction : 0.0;
  return r;
}

}  // namespace nascpp
