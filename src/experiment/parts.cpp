// The parts of an experiment, built from its configuration through the
// registries and checked as a whole (src/experiment/parts.h).
#include "parts.h"

#include <algorithm>
#include <cmath>

#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "nascpp/registries.h"
#include "nascpp/train/protocols.h"

namespace nascpp::detail {

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

BenchmarkLookup BenchmarkLookup::from_config(ConfigNode& cfg) {
  BenchmarkLookup b;
  const std::string name = cfg.get<std::string>("name", "");
  const bool required = cfg.get<bool>("required", true);
  b.dataset = cfg.get<std::string>("dataset", "cifar10-valid");
  b.metric = cfg.get<std::string>("metric", "valid_acc");
  b.report_dataset = cfg.get<std::string>("report_dataset", "cifar10");
  b.report_metric = cfg.get<std::string>("report_metric", "test_acc");
  if (name.empty()) {
    cfg.mark_used("data_dir");
    return b;
  }
  try {
    b.benchmark = benchmark_registry().create(name, cfg);
  } catch (const Error& e) {
    if (required) throw;
    cfg.mark_used("data_dir");
    logger()->info("benchmark '{}' not used: {} (benchmark.required is false)", name, e.what());
    return b;
  }
  // Names checked now, not after the search.
  b.benchmark->resolve(b.dataset, b.metric);
  b.benchmark->resolve(b.report_dataset, b.report_metric);
  return b;
}

void BenchmarkLookup::add_values(const Architecture& arch,
                                 std::map<std::string, double>& out) const {
  if (!benchmark) return;
  if (auto v = benchmark->query(arch, metric, dataset)) out[dataset + "/" + metric] = *v;
  if (auto v = report_value(arch)) out[report_key()] = *v;
}

std::string BenchmarkLookup::report_key() const {
  return benchmark ? report_dataset + "/" + report_metric : std::string();
}

std::optional<double> BenchmarkLookup::report_value(const Architecture& arch) const {
  if (!benchmark) return std::nullopt;
  return benchmark->query(arch, report_metric, report_dataset);
}

FinalTraining FinalTraining::from_config(ConfigNode& root,
                                         std::shared_ptr<const SearchSpace> search,
                                         std::shared_ptr<const Dataset> search_dataset,
                                         uint64_t seed) {
  FinalTraining f;
  if (!root.has("final")) return f;
  auto cfg = root.section("final");
  f.enabled = true;
  const auto protocol = cfg.get<std::string>("protocol", "");
  if (!protocol.empty()) {
    if (!cfg.has("search_space")) {
      cfg.apply_override("search_space.name=" + search->name());
    }
    apply_training_protocol(cfg, protocol);
  }
  if (cfg.has("search_space")) {
    auto space_cfg = cfg.section("search_space");
    const auto name = space_cfg.get<std::string>("name", search->name());
    NASCPP_CHECK_CONFIG(name == search->name(),
                        "final.search_space.name '{}' differs from the searched space '{}'", name,
                        search->name());
    f.space = search_space_registry().create(name, space_cfg);
  } else {
    f.space = std::move(search);
  }
  if (cfg.has("dataset") || !search_dataset) {
    auto data_cfg = cfg.section("dataset");
    const auto name = data_cfg.get<std::string>("name", "fashion_mnist");
    f.dataset = dataset_registry().create(name, data_cfg);
  } else {
    f.dataset = std::move(search_dataset);
  }
  auto train_cfg = cfg.section("train");
  const bool seed_given = train_cfg.has("seed");
  // The run directory sets these three (a resolved config.yaml holds
  // their defaults, which are fine).
  NASCPP_CHECK_CONFIG(train_cfg.get<std::string>("checkpoint", "").empty() &&
                          !train_cfg.get<bool>("resume", false) &&
                          train_cfg.get<std::string>("metrics_file", "").empty(),
                      "final.train: checkpoint, resume and metrics_file are set by the run "
                      "directory; remove them");
  f.train = TrainerOptions::from_config(train_cfg);
  if (!seed_given) f.train.seed(seed);
  return f;
}

std::vector<std::string> Parts::data_files() const {
  std::vector<std::string> files;
  auto add = [&files](const std::vector<std::string>& more) {
    for (const auto& f : more) {
      if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
    }
  };
  if (evaluator) add(evaluator->data_files());
  if (warm_start_scorer) add(warm_start_scorer->data_files());
  if (dataset) add(dataset->data_files());
  if (lookup.benchmark) add(lookup.benchmark->data_files());
  if (final_training.dataset) add(final_training.dataset->data_files());
  return files;
}

Parts build_parts(ConfigNode& cfg) {
  Parts p;
  p.seed = cfg.get<uint64_t>("seed", 0);
  p.deterministic = cfg.get<bool>("deterministic", false);
  auto space_cfg = cfg.section("search_space");
  p.space = search_space_registry().create(space_cfg.get<std::string>("name", "nasbench201"),
                                           space_cfg);
  auto opt_cfg = cfg.section("optimizer");
  if (!opt_cfg.has("name")) {
    throw ConfigError("optimizer.name is missing; valid choices: " +
                      join(optimizer_registry().names()));
  }
  // The warm start is the loop's, not the optimizer's: read before the
  // optimizer's factory sees the section.
  const bool warm = opt_cfg.has("warm_start");
  ConfigNode warm_cfg = warm ? opt_cfg.section("warm_start") : ConfigNode();
  p.optimizer = optimizer_registry().create(opt_cfg.get<std::string>("name", ""), opt_cfg);
  if (warm) {
    p.warm_start = WarmStartOptions::from_config(warm_cfg);
    const auto* bb = dynamic_cast<const BlackBoxOptimizer*>(p.optimizer.get());
    NASCPP_CHECK_CONFIG(bb != nullptr && bb->warm_start_size() > 0,
                        "optimizer.warm_start: optimizer '{}' takes no warm start (optimizers "
                        "that do: regularized_evolution, bananas, npenas, bp)",
                        p.optimizer->name());
    NASCPP_CHECK_CONFIG(p.warm_start.top() <= bb->warm_start_size(),
                        "optimizer.warm_start.top ({}) exceeds the {} initial architectures "
                        "optimizer '{}' draws (0: all of them)",
                        p.warm_start.top(), bb->warm_start_size(), p.optimizer->name());
    if (p.warm_start.pool() > 0) {
      auto scorer_cfg = warm_cfg.section("evaluator");
      p.warm_start_scorer = evaluator_registry().create(
          scorer_cfg.get<std::string>("name", "zero_cost"), scorer_cfg, p.space);
      const std::string scored = p.warm_start_scorer->search_space();
      NASCPP_CHECK_CONFIG(scored.empty() || scored == p.space->name(),
                          "optimizer.warm_start.evaluator '{}' answers for search space '{}', "
                          "but search_space.name is '{}'",
                          p.warm_start_scorer->name(), scored, p.space->name());
    } else {
      warm_cfg.mark_used("evaluator");
    }
  }
  if (p.optimizer->kind() == Optimizer::Kind::kBlackBox) {
    auto eval_cfg = cfg.section("evaluator");
    p.evaluator = evaluator_registry().create(eval_cfg.get<std::string>("name", "tabular"),
                                              eval_cfg, p.space);
    const std::string evaluated = p.evaluator->search_space();
    NASCPP_CHECK_CONFIG(evaluated.empty() || evaluated == p.space->name(),
                        "evaluator '{}' answers for search space '{}', but search_space.name is "
                        "'{}'",
                        p.evaluator->name(), evaluated, p.space->name());
    auto exec_cfg = cfg.section("executor");
    p.executor = executor_registry().create(exec_cfg.get<std::string>("name", "sequential"),
                                            exec_cfg, *p.evaluator);
    auto budget_cfg = cfg.section("budget");
    p.budget = Budget::from_config(budget_cfg);
    auto constraint_cfg = cfg.section("constraints");
    p.constraints = constraints_from_config(constraint_cfg);
    auto pareto_cfg = cfg.section("pareto");
    p.pareto_metric = pareto_cfg.get<std::string>("metric", "");
    const int64_t epochs = cfg.get<int64_t>("fidelity_epochs", 0);
    NASCPP_CHECK_CONFIG(epochs >= 0, "fidelity_epochs must be >= 0 (0: full), got {}", epochs);
    p.fidelity.epochs = epochs;
    auto ckpt_cfg = cfg.section("checkpoint");
    p.checkpoint_every = ckpt_cfg.get<int64_t>("every", p.checkpoint_every);
    p.checkpoint_seconds = ckpt_cfg.get<double>("seconds", p.checkpoint_seconds);
    NASCPP_CHECK_CONFIG(p.checkpoint_every >= 0,
                        "checkpoint.every must be >= 0 (evaluations; 0: not by count), got {}",
                        p.checkpoint_every);
    NASCPP_CHECK_CONFIG(p.checkpoint_seconds >= 0 && std::isfinite(p.checkpoint_seconds),
                        "checkpoint.seconds must be a finite number >= 0 (0: not by time), got {}",
                        p.checkpoint_seconds);
    // Everything the search loop would reject, now: before any directory exists.
    p.evaluator->resolve_epochs(p.fidelity);
    {
      // The optimizer's own checks against the space (an encoding it cannot
      // use, ...): the run attaches it again.
      Rng check_rng(p.seed);
      static_cast<BlackBoxOptimizer&>(*p.optimizer).attach(p.space, &check_rng);
    }
    const auto reported = p.evaluator->metric_names();
    for (const auto& c : p.constraints) {
      if (!contains(reported, c.metric)) {
        throw ConfigError(fmt::format(
            "constraints: {}",
            unknown_choice_message("metric of evaluator '" + p.evaluator->name() + "'", c.metric,
                                   reported)));
      }
    }
    if (!p.pareto_metric.empty() && !contains(reported, p.pareto_metric)) {
      throw ConfigError(fmt::format(
          "pareto.metric: {}",
          unknown_choice_message("metric of evaluator '" + p.evaluator->name() + "'",
                                 p.pareto_metric, reported)));
    }
  } else {
    auto data_cfg = cfg.section("dataset");
    p.dataset = dataset_registry().create(data_cfg.get<std::string>("name", "fashion_mnist"),
                                          data_cfg);
    auto search_cfg = cfg.section("search");
    p.search.seed(p.seed)
        .device(search_cfg.get<std::string>("device", "cpu"))
        .train_limit(search_cfg.get<int64_t>("train_limit", 0));
    p.search.validate();
  }
  if (cfg.has("benchmark")) {
    auto bench_cfg = cfg.section("benchmark");
    p.lookup = BenchmarkLookup::from_config(bench_cfg);
    if (p.lookup.benchmark) {
      NASCPP_CHECK_CONFIG(p.lookup.benchmark->search_space() == p.space->name(),
                          "benchmark '{}' answers for search space '{}', but search_space.name "
                          "is '{}'",
                          p.lookup.benchmark->name(), p.lookup.benchmark->search_space(),
                          p.space->name());
    }
    p.search.benchmark_dataset(p.lookup.dataset).benchmark_metric(p.lookup.metric);
  }
  p.final_training = FinalTraining::from_config(cfg, p.space, p.dataset, p.seed);
  cfg.finish();
  return p;
}

}  // namespace nascpp::detail
