// `nascpp run`: runs an experiment configuration (search, then the final
// evaluation of the found architecture) into a run directory, over one or
// several seeds, or resumes one.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "nascpp/experiment.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string seeds;
  std::string out;
  std::string resume;
  bool force = false;
  bool check = false;
};

ConfigNode load_config(const RunArgs& args, std::optional<uint64_t> seed) {
  if (args.config.empty()) {
    NASCPP_CHECK_CONFIG(args.overrides.empty(),
                        "--set needs a configuration file (a resumed run keeps its stored "
                        "configuration)");
    return ConfigNode();
  }
  auto cfg = ConfigNode::load_file(args.config);
  for (const auto& o : args.overrides) cfg.apply_override(o);
  if (seed) cfg.apply_override("seed=" + std::to_string(*seed));
  return cfg;
}

// Progress on a terminal as a bar; otherwise a plain line at most every 10 s.
std::function<void(const Progress&)> progress_reporter(std::shared_ptr<ProgressBar> bar) {
  if (bar) return [bar](const Progress& p) { bar->update(p); };
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last](const Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.done == p.total || now - *last >= std::chrono::seconds(10)) {
      *last = now;
      logger()->info("{}", format_progress_line(p));
    }
  };
}

void print_summary(const std::string& dir, const ExperimentSummary& s) {
  std::cout << "run: " << dir << "\n"
            << "search: " << s.optimizer << " in " << s.search_space << " on " << s.dataset
            << " (seed " << s.seed << "), " << s.steps << " steps, stopped by " << s.stop_reason
            << "\n"
            << "architecture: " << s.architecture << "\n"
            << fmt::format("{}: {:.2f}", s.objective_name, s.objective);
  if (s.report_value && s.report_metric != s.objective_name) std::cout << fmt::format("  {}: {:.2f}", s.report_metric, *s.report_value);
  std::cout << "\n";
  for (const auto& [key, value] : s.benchmark) {
    std::cout << fmt::format("benchmark {}: {:.2f}\n", key, value);
  }
  if (s.has_final) {
    std::cout << fmt::format("final training on {}: test top-1 {:.2f}%  top-5 {:.2f}%  ({} "
                             "parameters)\n",
                             s.final_dataset, s.final_test_top1, s.final_test_top5,
                             s.final_parameters);
  }
  std::cout << fmt::format("wall time: {:.1f} s\n", s.wall_s) << std::flush;
}

ExperimentSummary run_one(ConfigNode cfg, const std::string& dir, bool resume, bool force) {
  std::shared_ptr<ProgressBar> bar = terminal_progress();
  auto options = ExperimentOptions()
                     .run_dir(dir)
                     .resume(resume)
                     .force(force)
                     .command_line(command_line())
                     .on_progress(progress_reporter(bar))
                     .on_phase_end([bar] {
                       if (bar) bar->finish();
                     })
                     .on_ready([](const std::string& d) { add_log_file(d + "/run.log"); });
  try {
    auto summary = run_experiment(std::move(cfg), options);
    remove_log_file(dir + "/run.log");
    return summary;
  } catch (...) {
    remove_log_file(dir + "/run.log");
    throw;
  }
}

// Seed folders of a multi-seed run directory ("seed-3", ...).
std::vector<std::string> seed_dirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("seed-", 0) == 0) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void run_command(const RunArgs& args) {
  if (!args.resume.empty()) {
    NASCPP_CHECK_CONFIG(args.out.empty() && !args.force && args.config.empty() &&
                            args.overrides.empty() && args.seeds.empty() && !args.check,
                        "--resume DIR continues the run in DIR with its stored configuration: "
                        "it takes no configuration file, --set, --seeds, --out, --force or --check");
    const auto seeds = seed_dirs(args.resume);
    if (!fs::exists(fs::path(args.resume) / "config.yaml") && !seeds.empty()) {
      for (const auto& d : seeds) print_summary(d, run_one(ConfigNode(), d, true, false));
      return;
    }
    print_summary(args.resume, run_one(ConfigNode(), args.resume, true, false));
    return;
  }
  NASCPP_CHECK_CONFIG(!args.config.empty(), "no configuration file given: nascpp run CONFIG.yaml "
                                            "(examples/configs has one per search space and "
                                            "optimizer), or --resume DIR");
  if (args.check) {
    NASCPP_CHECK_CONFIG(args.out.empty() && !args.force,
                        "--check only checks the configuration: it takes no --out or --force");
    const auto seeds = args.seeds.empty() ? std::vector<uint64_t>{} : parse_seed_list(args.seeds);
    if (seeds.empty()) {
      check_experiment_config(load_config(args, std::nullopt));
    } else {
      for (const auto seed : seeds) check_experiment_config(load_config(args, seed));
    }
    std::cout << "configuration " << args.config << " is valid\n";
    return;
  }
  const std::string out =
      args.out.empty() ? "runs/" + fs::path(args.config).stem().string() : args.out;
  if (args.seeds.empty()) {
    print_summary(out, run_one(load_config(args, std::nullopt), out, false, args.force));
    return;
  }
  const auto seeds = parse_seed_list(args.seeds);
  // Check every seed's directory before the first run starts.
  for (const auto seed : seeds) {
    check_run_directory(ExperimentOptions()
                            .run_dir((fs::path(out) / ("seed-" + std::to_string(seed))).string())
                            .force(args.force));
  }
  for (const auto seed : seeds) {
    const std::string dir = (fs::path(out) / ("seed-" + std::to_string(seed))).string();
    print_summary(dir, run_one(load_config(args, seed), dir, false, args.force));
  }
  std::cout << "all " << seeds.size() << " seeds done: nascpp report " << out << "\n";
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run an experiment: the search a YAML configuration describes, then the final evaluation "
      "of the architecture it finds, into a run directory");
  cmd->add_option("config", args->config,
                  "YAML configuration (examples/configs; every key: docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", args->overrides, "override a config key: key=value (repeatable)");
  cmd->add_option("--seeds", args->seeds,
                  "run each seed of a list (3, 0-9, 0,2,5-7) into DIR/seed-N")
      ->check(non_empty());
  cmd->add_option("--out", args->out, "run directory (default: runs/<config name>)")
      ->check(non_empty());
  cmd->add_option("--resume", args->resume,
                  "continue the run in this directory (all seeds of a multi-seed run)")
      ->check(non_empty());
  cmd->add_flag("--force", args->force, "replace an existing run directory");
  cmd->add_flag("--check", args->check,
                "only check the configuration (every key, name and data file) and exit");
  cmd->callback([args] { run_command(*args); });
}

}  // namespace nascpp::cli
