// run_experiment: builds the parts of an experiment from the registries,
// runs the search into a run directory with a checkpoint after every step, and
// trains the found architecture (see include/nascpp/experiment.h).
#include "nascpp/experiment.h"

#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/core/random.h"
#include "nascpp/one_shot.h"
#include "nascpp/one_shot_search.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "nascpp/train/protocols.h"
#include "nascpp/train/trainer.h"

namespace nascpp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kConfigFile = "config.yaml";
constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kResultsFile = "results.jsonl";
constexpr const char* kTrajectoryFile = "trajectory.csv";
constexpr const char* kSummaryFile = "summary.json";
constexpr const char* kFinalMetricsFile = "final.jsonl";
constexpr const char* kSearchState = "checkpoints/search.json";
constexpr const char* kSearchCheckpoint = "checkpoints/search.ckpt";
constexpr const char* kFinalCheckpoint = "checkpoints/final.ckpt";

std::string in_dir(const std::string& dir, const char* name) {
  return (fs::path(dir) / name).string();
}

std::string now_iso() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Checks the run directory; nothing is written yet (a bad configuration found
// later must not leave anything behind).
void check_directory(const ExperimentOptions& options) {
  const std::string& dir = options.run_dir();
  NASCPP_CHECK_CONFIG(!dir.empty(), "no run directory given (--out DIR)");
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (options.resume()) {
    NASCPP_CHECK_CONFIG(exists && fs::is_directory(dir, ec),
                        "cannot resume '{}': no such run directory", dir);
    NASCPP_CHECK_CONFIG(fs::exists(in_dir(dir, kConfigFile)),
                        "cannot resume '{}': it has no {} (not a run directory, or the run was "
                        "killed before it started; start it again with --force)",
                        dir, kConfigFile);
    return;
  }
  if (exists) {
    NASCPP_CHECK_CONFIG(fs::is_directory(dir, ec), "run directory '{}' exists and is a file", dir);
    const bool empty = fs::is_empty(dir, ec);
    if (!empty) {
      const bool is_run =
          fs::exists(in_dir(dir, kConfigFile)) || fs::exists(in_dir(dir, kManifestFile));
      NASCPP_CHECK_CONFIG(options.force() && is_run,
                          "run directory '{}' already exists and is not empty: {}", dir,
                          is_run ? "pass --resume to continue that run, --force to replace it, "
                                   "or choose another --out"
                                 : "it is not a run directory (no config.yaml or manifest.json), "
                                   "so nascpp will not write into it even with --force; choose "
                                   "another --out");
    }
  }
}

// Creates the run directory (emptying a previous run's with --force).
void create_directory(const ExperimentOptions& options) {
  const std::string& dir = options.run_dir();
  std::error_code ec;
  if (!options.resume() && fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
    logger()->warn("--force: replaced the previous run in '{}'", dir);
  }
  fs::create_directories(fs::path(dir) / "checkpoints", ec);
  NASCPP_CHECK_DATA(!ec, "cannot create run directory '{}': {}", dir, ec.message());
}

// The manifest: written at the first start, one entry per (re)start appended.
void write_manifest(const ExperimentOptions& options, uint64_t seed, bool deterministic,
                    const std::vector<std::string>& data_files, bool resumed) {
  const std::string path = in_dir(options.run_dir(), kManifestFile);
  Json manifest;
  if (resumed && fs::exists(path)) {
    try {
      manifest = Json::parse(read_file(path));
    } catch (const Json::exception& e) {
      throw DataError(fmt::format("'{}' is not valid JSON: {}", path, e.what()));
    }
  } else {
    manifest = Json::parse(environment_json());
    manifest["seed"] = seed;
    manifest["deterministic_algorithms"] = deterministic;
    Json files = Json::array();
    for (const auto& f : data_files) {
      std::error_code ec;
      const auto canonical = fs::weakly_canonical(f, ec);
      files.push_back({{"path", ec ? f : canonical.string()},
                       {"bytes", fs::file_size(f)},
                       {"sha256", sha256_file(f)}});
    }
    manifest["data_files"] = files;
    manifest["sessions"] = Json::array();
  }
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  manifest["sessions"].push_back({{"started", now_iso()},
                                  {"resumed", resumed},
                                  {"host", host},
                                  {"command", options.command_line()},
                                  {"threads", torch::get_num_threads()}});
  write_file_atomic(path, manifest.dump(2) + "\n");
}

Json to_json(const ExperimentSummary& s) {
  Json j = {{"status", "complete"},
            {"kind", s.kind},
            {"search_space", s.search_space},
            {"optimizer", s.optimizer},
            {"dataset", s.dataset},
            {"seed", s.seed},
            {"architecture", s.architecture},
            {"objective_name", s.objective_name},
            {"objective", s.objective},
            {"report_metric", s.report_metric},
            {"report_value", s.report_value ? Json(*s.report_value) : Json(nullptr)},
            {"steps", s.steps},
            {"stop_reason", s.stop_reason},
            {"search_cost_s", s.search_cost_s},
            {"wall_s", s.wall_s},
            {"benchmark", s.benchmark}};
  if (s.has_final) {
    j["final"] = {{"dataset", s.final_dataset},
                  {"parameters", s.final_parameters},
                  {"test_top1", s.final_test_top1},
                  {"test_top5", s.final_test_top5},
                  {"test_loss", s.final_test_loss}};
  }
  return j;
}

ExperimentSummary summary_from_json(const Json& j) {
  ExperimentSummary s;
  s.kind = j.at("kind").get<std::string>();
  s.search_space = j.at("search_space").get<std::string>();
  s.optimizer = j.at("optimizer").get<std::string>();
  s.dataset = j.at("dataset").get<std::string>();
  s.seed = j.at("seed").get<uint64_t>();
  s.architecture = j.at("architecture").get<std::string>();
  s.objective_name = j.at("objective_name").get<std::string>();
  s.objective = j.at("objective").get<double>();
  s.report_metric = j.at("report_metric").get<std::string>();
  if (!j.at("report_value").is_null()) s.report_value = j.at("report_value").get<double>();
  s.steps = j.at("steps").get<int64_t>();
  s.stop_reason = j.at("stop_reason").get<std::string>();
  s.search_cost_s = j.at("search_cost_s").get<double>();
  s.wall_s = j.at("wall_s").get<double>();
  s.benchmark = j.at("benchmark").get<std::map<std::string, double>>();
  if (j.contains("final")) {
    const Json& f = j.at("final");
    s.has_final = true;
    s.final_dataset = f.at("dataset").get<std::string>();
    s.final_parameters = f.at("parameters").get<int64_t>();
    s.final_test_top1 = f.at("test_top1").get<double>();
    s.final_test_top5 = f.at("test_top5").get<double>();
    s.final_test_loss = f.at("test_loss").get<double>();
  }
  return s;
}

// One row of trajectory.csv.
struct TrajectoryRow {
  int64_t step = 0;
  double cost = 0.0;
  double wall_s = 0.0;
  std::string arch;
  double objective = 0.0;
  std::optional<double> report;
};

void write_trajectory(const std::string& dir, const std::vector<TrajectoryRow>& rows) {
  std::ostringstream out;
  out.precision(17);
  out << "step,cost_s,wall_s,objective,report,architecture\n";
  for (const auto& r : rows) {
    out << r.step << ',' << r.cost << ',' << r.wall_s << ',' << r.objective << ',';
    if (r.report) out << *r.report;
    out << ",\"" << r.arch << "\"\n";
  }
  write_file_atomic(in_dir(dir, kTrajectoryFile), out.str());
}

// The optional `benchmark` section: a tabular benchmark to look the found
// architecture up in (and, for one-shot searches, every epoch's).
struct BenchmarkLookup {
  std::shared_ptr<const Benchmark> benchmark;
  std::string dataset, metric, report_dataset, report_metric;

  static BenchmarkLookup from_config(ConfigNode& cfg) {
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
    }
    return b;
  }

  void add_values(const Architecture& arch, std::map<std::string, double>& out) const {
    if (!benchmark) return;
    if (auto v = benchmark->query(arch, metric, dataset)) out[dataset + "/" + metric] = *v;
    if (auto v = benchmark->query(arch, report_metric, report_dataset)) {
      out[report_dataset + "/" + report_metric] = *v;
    }
  }
};

// The optional `final` section: train the found architecture from scratch.
struct FinalTraining {
  bool enabled = false;
  std::shared_ptr<const SearchSpace> space;
  std::shared_ptr<const Dataset> dataset;
  TrainerOptions train;

  static FinalTraining from_config(ConfigNode& root, std::shared_ptr<const SearchSpace> search,
                                   std::shared_ptr<const Dataset> search_dataset, uint64_t seed) {
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
                          "final.search_space.name '{}' differs from the searched space '{}'",
                          name, search->name());
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

  void run(const std::string& arch_text, const ExperimentOptions& options,
           ExperimentSummary& summary) {
    const Architecture arch = space->parse(arch_text);
    const auto& train_set = dataset->train();
    const auto spec = NetworkSpec()
                          .in_channels(train_set.images.size(1))
                          .image_size(train_set.images.size(2))
                          .num_classes(dataset->num_classes());
    seed_torch(train.seed());
    auto network = space->build_network(arch, spec);
    logger()->info("final training of {} ({} parameters) on {} for {} epochs", arch_text,
                   count_parameters(*network), dataset->name(), train.epochs());
    auto opts = train;
    opts.checkpoint(in_dir(options.run_dir(), kFinalCheckpoint))
        .resume(true)
        .metrics_file(in_dir(options.run_dir(), kFinalMetricsFile));
    Trainer trainer(opts, dataset->mean(), dataset->stddev());
    if (options.on_progress()) trainer.on_progress(options.on_progress());
    trainer.fit(*network, train_set, nullptr, [&options](const EpochMetrics&) {
      if (options.on_phase_end()) options.on_phase_end()();
    });
    const auto test = trainer.evaluate(*network, dataset->test());
    summary.has_final = true;
    summary.final_dataset = dataset->name();
    summary.final_parameters = count_parameters(*network);
    summary.final_test_top1 = test.top1;
    summary.final_test_top5 = test.top5;
    summary.final_test_loss = test.loss;
    logger()->info("final: {} test top-1 {:.2f}% top-5 {:.2f}%", dataset->name(), test.top1,
                   test.top5);
  }
};

Json evaluation_line(const Evaluation& e, const SearchSpace& space, const Fidelity& fidelity) {
  return {{"query", e.query},
          {"arch", space.format(e.arch)},
          {"objective", e.result.objective},
          {"metrics", e.result.metrics},
          {"feasible", e.feasible},
          {"fidelity_epochs", fidelity.epochs},
          {"cost", e.result.cost},
          {"cumulative_cost", e.cumulative_cost},
          {"wall_s", e.wall_s}};
}

Evaluation evaluation_from_line(const std::string& line, const SearchSpace& space,
                                const std::string& file, size_t number) {
  try {
    const Json j = Json::parse(line);
    Evaluation e;
    e.query = j.at("query").get<int64_t>();
    e.arch = space.parse(j.at("arch").get<std::string>());
    e.result.objective = j.at("objective").get<double>();
    e.result.metrics = j.at("metrics").get<std::map<std::string, double>>();
    e.result.cost = j.at("cost").get<double>();
    e.feasible = j.at("feasible").get<bool>();
    e.cumulative_cost = j.at("cumulative_cost").get<double>();
    e.wall_s = j.at("wall_s").get<double>();
    return e;
  } catch (const Json::exception& ex) {
    throw DataError(fmt::format("'{}' line {}: {}", file, number + 1, ex.what()));
  } catch (const ConfigError& ex) {
    throw DataError(fmt::format("'{}' line {}: {}", file, number + 1, ex.what()));
  }
}

std::vector<std::string> head_lines(const std::string& path, size_t n) {
  auto lines = read_complete_lines(path);
  NASCPP_CHECK_DATA(lines.size() >= n, "'{}' has {} complete lines, its checkpoint needs {}", path,
                    lines.size(), n);
  lines.resize(n);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

struct Parts {
  uint64_t seed = 0;
  bool deterministic = false;
  std::shared_ptr<const SearchSpace> space;
  std::unique_ptr<Optimizer> optimizer;
  // black-box
  std::unique_ptr<Evaluator> evaluator;
  Budget budget;
  std::vector<Constraint> constraints;
  std::string pareto_metric;
  Fidelity fidelity;
  // one-shot
  std::shared_ptr<const Dataset> dataset;
  OneShotSearchOptions search;
  BenchmarkLookup lookup;
  FinalTraining final_training;

  std::vector<std::string> data_files() const {
    std::vector<std::string> files;
    auto add = [&files](const std::vector<std::string>& more) {
      for (const auto& f : more) {
        if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
      }
    };
    if (evaluator) add(evaluator->data_files());
    if (dataset) add(dataset->data_files());
    if (lookup.benchmark) add(lookup.benchmark->data_files());
    if (final_training.dataset) add(final_training.dataset->data_files());
    return files;
  }
};

Parts build_parts(ConfigNode& cfg) {
  Parts p;
  p.seed = cfg.get<uint64_t>("seed", 0);
  p.deterministic = cfg.get<bool>("deterministic", false);
  auto space_cfg = cfg.section("search_space");
  p.space = search_space_registry().create(space_cfg.get<std::string>("name", "nasbench201"),
                                           space_cfg);
  auto opt_cfg = cfg.section("optimizer");
  if (!opt_cfg.has("name")) {
    std::string names;
    for (const auto& n : optimizer_registry().names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("optimizer.name is missing; valid choices: " + names);
  }
  p.optimizer = optimizer_registry().create(opt_cfg.get<std::string>("name", ""), opt_cfg);
  if (p.optimizer->kind() == Optimizer::Kind::kBlackBox) {
    auto eval_cfg = cfg.section("evaluator");
    p.evaluator =
        evaluator_registry().create(eval_cfg.get<std::string>("name", "tabular"), eval_cfg, p.space);
    auto budget_cfg = cfg.section("budget");
    p.budget = Budget::from_config(budget_cfg);
    auto constraint_cfg = cfg.section("constraints");
    p.constraints = constraints_from_config(constraint_cfg);
    auto pareto_cfg = cfg.section("pareto");
    p.pareto_metric = pareto_cfg.get<std::string>("metric", "");
    p.fidelity.epochs = cfg.get<int64_t>("fidelity_epochs", 0);
  } else {
    auto data_cfg = cfg.section("dataset");
    p.dataset = dataset_registry().create(data_cfg.get<std::string>("name", "fashion_mnist"),
                                          data_cfg);
    auto search_cfg = cfg.section("search");
    p.search.seed(p.seed)
        .device(search_cfg.get<std::string>("device", "cpu"))
        .train_limit(search_cfg.get<int64_t>("train_limit", 0));
  }
  if (cfg.has("benchmark")) {
    auto bench_cfg = cfg.section("benchmark");
    p.lookup = BenchmarkLookup::from_config(bench_cfg);
    p.search.benchmark_dataset(p.lookup.dataset).benchmark_metric(p.lookup.metric);
  }
  p.final_training = FinalTraining::from_config(cfg, p.space, p.dataset, p.seed);
  cfg.finish();
  return p;
}

void run_black_box_search(Parts& p, const ExperimentOptions& options, bool resuming,
                          ExperimentSummary& summary, std::vector<TrajectoryRow>& trajectory) {
  const std::string& dir = options.run_dir();
  auto& bb = dynamic_cast<BlackBoxOptimizer&>(*p.optimizer);
  Rng rng(p.seed);
  bb.attach(p.space, &rng);
  const std::string results = in_dir(dir, kResultsFile);
  const std::string state_path = in_dir(dir, kSearchState);
  SearchOptions search =
      SearchOptions().budget(p.budget).constraints(p.constraints).fidelity(p.fidelity);
  if (resuming && fs::exists(state_path)) {
    Json state;
    try {
      state = Json::parse(read_file(state_path));
      const auto n = state.at("evaluations").get<size_t>();
      const auto lines = head_lines(results, n);
      std::vector<Evaluation> previous;
      for (size_t i = 0; i < lines.size(); ++i) {
        previous.push_back(evaluation_from_line(lines[i], *p.space, results, i));
      }
      write_file_atomic(results, join_lines(lines));
      bb.load_state(state.at("optimizer").get<std::string>());
      rng.set_state(state.at("rng").get<std::string>());
      search.previous(std::move(previous));
    } catch (const Json::exception& e) {
      throw DataError(fmt::format("search checkpoint '{}' is corrupt: {}", state_path, e.what()));
    }
    logger()->info("resumed the search after {} evaluations", search.previous().size());
  } else {
    write_file_atomic(results, "");
  }

  const auto start = std::chrono::steady_clock::now();
  const int64_t total = p.budget.max_queries();
  const auto result = run_black_box(
      bb, *p.evaluator, rng, search, [&](const SearchResult& r) {
        const Evaluation& e = r.evaluations.back();
        append_line(results, evaluation_line(e, *p.space, p.fidelity).dump());
        const Json state = {{"evaluations", r.evaluations.size()},
                            {"optimizer", bb.save_state()},
                            {"rng", rng.state()}};
        write_file_atomic(state_path, state.dump());
        if (options.on_progress()) {
          Progress pr;
          pr.label = "search";
          pr.done = static_cast<int64_t>(r.evaluations.size());
          pr.total = total;
          pr.elapsed_s = seconds_since(start);
          pr.rate = static_cast<double>(pr.done - static_cast<int64_t>(search.previous().size())) /
                    std::max(pr.elapsed_s, 1e-9);
          pr.rate_unit = "queries/s";
          if (const Evaluation* inc = r.incumbent()) {
            pr.detail = fmt::format("best {} {:.2f}", p.evaluator->objective_name(),
                                    inc->result.objective);
          }
          options.on_progress()(pr);
        }
        return true;
      });
  if (options.on_phase_end()) options.on_phase_end()();

  const std::string report_metric = p.evaluator->report_metric_name();
  for (size_t i = 0; i < result.evaluations.size(); ++i) {
    const int64_t inc = result.incumbent_trajectory[i];
    TrajectoryRow row;
    row.step = static_cast<int64_t>(i) + 1;
    row.cost = result.evaluations[i].cumulative_cost;
    row.wall_s = result.evaluations[i].wall_s;
    if (inc >= 0) {
      const auto& best = result.evaluations[static_cast<size_t>(inc)];
      row.arch = p.space->format(best.arch);
      row.objective = best.result.objective;
      auto it = best.result.metrics.find(report_metric);
      if (it != best.result.metrics.end()) row.report = it->second;
    } else {
      row.objective = std::numeric_limits<double>::quiet_NaN();
    }
    trajectory.push_back(row);
  }
  const Evaluation* inc = result.incumbent();
  NASCPP_CHECK(inc != nullptr,
               "no evaluation met the constraints in {} queries: nothing to report (loosen the "
               "constraints or raise the budget)",
               result.evaluations.size());
  summary.kind = "black_box";
  summary.dataset = p.evaluator->dataset_name();
  summary.architecture = p.space->format(inc->arch);
  summary.objective_name = p.evaluator->objective_name();
  summary.objective = inc->result.objective;
  summary.report_metric = report_metric;
  auto it = inc->result.metrics.find(report_metric);
  if (it != inc->result.metrics.end()) summary.report_value = it->second;
  summary.steps = static_cast<int64_t>(result.evaluations.size());
  summary.stop_reason = result.stop_reason;
  summary.search_cost_s = result.evaluations.empty() ? 0.0 : result.evaluations.back().cumulative_cost;
  p.lookup.add_values(inc->arch, summary.benchmark);

  if (!p.pareto_metric.empty()) {
    const auto front = pareto_front(result.evaluations, p.pareto_metric);
    const auto format = [&p](const Architecture& a) { return p.space->format(a); };
    write_pareto_csv(in_dir(dir, "pareto.csv"), result.evaluations, front, p.pareto_metric,
                     format);
    write_pareto_json(in_dir(dir, "pareto.json"), result.evaluations, front, p.pareto_metric,
                      format);
  }
}

void run_one_shot(Parts& p, const ExperimentOptions& options, ExperimentSummary& summary,
                  std::vector<TrajectoryRow>& trajectory) {
  const std::string& dir = options.run_dir();
  auto& os = dynamic_cast<OneShotOptimizer&>(*p.optimizer);
  const std::string results = in_dir(dir, kResultsFile);
  bool first = true;
  auto search = p.search;
  search.checkpoint_path(in_dir(dir, kSearchCheckpoint)).resume(true);
  if (options.on_progress()) search.on_progress(options.on_progress());
  const auto result = run_one_shot_search(
      *p.space, os, *p.dataset, search, p.lookup.benchmark.get(),
      [&](const OneShotEpochRecord& r) {
        if (options.on_phase_end()) options.on_phase_end()();
        if (first) {
          // Lines past the checkpoint belong to the interrupted attempt.
          std::vector<std::string> keep;
          for (const auto& line : read_complete_lines(results)) {
            if (Json::parse(line).at("epoch").get<int64_t>() < r.epoch) keep.push_back(line);
          }
          write_file_atomic(results, join_lines(keep));
          first = false;
        }
        Json line = {{"epoch", r.epoch},
                     {"arch", r.architecture_text},
                     {"train_loss", r.train_loss},
                     {"train_acc", r.train_accuracy * 100.0},
                     {"valid_loss", r.valid_loss},
                     {"valid_acc", r.valid_accuracy * 100.0},
                     {"learning_rate", r.learning_rate},
                     {"alpha_softmax", r.alpha_softmax},
                     {"cost", r.seconds}};
        line["benchmark"] = r.benchmark_value ? Json(*r.benchmark_value) : Json(nullptr);
        append_line(results, line.dump());
      });

  double cost = 0.0;
  std::string last_arch;
  double last_valid = 0.0;
  for (const auto& text : read_complete_lines(results)) {
    const Json j = Json::parse(text);
    cost += j.at("cost").get<double>();
    TrajectoryRow row;
    row.step = j.at("epoch").get<int64_t>() + 1;
    row.cost = cost;
    row.wall_s = cost;
    row.arch = j.at("arch").get<std::string>();
    row.objective = j.at("valid_acc").get<double>();
    if (!j.at("benchmark").is_null()) row.report = j.at("benchmark").get<double>();
    last_arch = row.arch;
    last_valid = row.objective;
    trajectory.push_back(row);
  }
  summary.kind = "one_shot";
  summary.dataset = p.dataset->name();
  summary.architecture = p.space->format(result.architecture);
  summary.objective_name = "supernet_valid_acc";
  summary.objective = last_valid;
  summary.steps = result.completed_epochs;
  summary.stop_reason = "epochs";
  summary.search_cost_s = cost;
  if (p.lookup.benchmark) {
    summary.report_metric = p.lookup.dataset + "/" + p.lookup.metric;
    if (auto v = p.lookup.benchmark->query(result.architecture, p.lookup.metric,
                                           p.lookup.dataset)) {
      summary.report_value = *v;
    }
  }
  p.lookup.add_values(result.architecture, summary.benchmark);
}

}  // namespace

ExperimentSummary run_experiment(ConfigNode config, const ExperimentOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  check_directory(options);
  const std::string& dir = options.run_dir();
  if (options.resume()) {
    const auto stored = ConfigNode::load_file(in_dir(dir, kConfigFile));
    NASCPP_CHECK_CONFIG(config.keys().empty(),
                        "a resumed run uses its stored configuration '{}'; pass no other "
                        "configuration (or start a new run with --out)",
                        in_dir(dir, kConfigFile));
    config = stored;
    if (fs::exists(in_dir(dir, kSummaryFile))) {
      logger()->info("run '{}' is already complete", dir);
      return read_summary(dir);
    }
  }

  Parts parts = build_parts(config);
  create_directory(options);
  if (parts.deterministic) at::globalContext().setDeterministicAlgorithms(true, false);
  if (!options.resume()) config.write_resolved(in_dir(dir, kConfigFile));
  write_manifest(options, parts.seed, parts.deterministic, parts.data_files(), options.resume());
  if (options.on_ready()) options.on_ready()(dir);

  ExperimentSummary summary;
  summary.search_space = parts.space->name();
  summary.optimizer = parts.optimizer->name();
  summary.seed = parts.seed;
  std::vector<TrajectoryRow> trajectory;
  logger()->info("run '{}': {} search in {} (seed {})", dir, parts.optimizer->name(),
                 parts.space->name(), parts.seed);
  if (parts.optimizer->kind() == Optimizer::Kind::kBlackBox) {
    run_black_box_search(parts, options, options.resume(), summary, trajectory);
  } else {
    run_one_shot(parts, options, summary, trajectory);
  }
  write_trajectory(dir, trajectory);
  logger()->info("found {} ({} {:.4f})", summary.architecture, summary.objective_name,
                 summary.objective);
  if (parts.final_training.enabled) parts.final_training.run(summary.architecture, options, summary);

  summary.wall_s = seconds_since(start);
  write_file_atomic(in_dir(dir, kSummaryFile), to_json(summary).dump(2) + "\n");
  return summary;
}

void check_experiment_config(ConfigNode config) { build_parts(config); }

void check_run_directory(const ExperimentOptions& options) { check_directory(options); }

ExperimentSummary read_summary(const std::string& run_dir) {
  const std::string path = in_dir(run_dir, kSummaryFile);
  NASCPP_CHECK_DATA(fs::exists(path), "'{}' has no {}: the run is not complete", run_dir,
                    kSummaryFile);
  try {
    return summary_from_json(Json::parse(read_file(path)));
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("'{}' is malformed: {}", path, e.what()));
  }
}

std::vector<uint64_t> parse_seed_list(const std::string& text) {
  std::vector<uint64_t> seeds;
  const auto bad = [&text](const std::string& part, const std::string& why) {
    return ConfigError(fmt::format(
        "--seeds '{}': {} in '{}' (valid forms: 3, 0-9, 0,2,5-7; ascending, no repeats)", text,
        why, part));
  };
  const auto number = [&](const std::string& s, const std::string& part) {
    NASCPP_CHECK_CONFIG(!s.empty() && s.find_first_not_of("0123456789") == std::string::npos &&
                            s.size() <= 18,
                        "{}", bad(part, "'" + s + "' is not a non-negative integer").what());
    return static_cast<uint64_t>(std::stoull(s));
  };
  // getline drops an empty last part: "0,1," would pass as "0,1".
  if (!text.empty() && text.back() == ',') throw bad(text, "an empty entry after the last ','");
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto dash = part.find('-');
    uint64_t lo = 0, hi = 0;
    if (dash == std::string::npos) {
      lo = hi = number(part, part);
    } else {
      lo = number(part.substr(0, dash), part);
      hi = number(part.substr(dash + 1), part);
      if (hi < lo) throw bad(part, "the range runs backwards");
      if (hi - lo >= 100000) throw bad(part, "more than 100000 seeds");
    }
    for (uint64_t s = lo; s <= hi; ++s) {
      if (!seeds.empty() && s <= seeds.back()) throw bad(part, "seeds repeat or are not ascending");
      seeds.push_back(s);
    }
  }
  if (seeds.empty()) throw bad(text, "no seeds");
  return seeds;
}

}  // namespace nascpp
