// `nascpp run`: runs an experiment configuration (search, then the final
// evaluation of the found architecture) into a run directory, over one or
// several seeds, or resumes one.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "nascpp/experiment.h"
#include "nascpp/run_directory.h"
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
  int64_t jobs = 1;
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
  std::cout << "run: " << dir << "\n";
  // A diverged run is a result (exit status 0), but never a quiet one.
  if (s.status != "complete") {
    std::cout << "status: " << s.status << ": " << s.status_reason << "\n";
  }
  std::cout << "search: " << s.optimizer << " in " << s.search_space << " on " << s.dataset
            << " (seed " << s.seed << "), " << s.steps << " steps, stopped by " << s.stop_reason
            << "\n";
  if (s.architecture.empty()) {
    std::cout << "architecture: none\n";
  } else {
    std::cout << "architecture: " << s.architecture << "\n"
              << fmt::format("{}: {:.2f}", s.objective_name, s.objective);
    if (s.report_value && s.report_metric != s.objective_name)
      std::cout << fmt::format("  {}: {:.2f}", s.report_metric, *s.report_value);
    std::cout << "\n";
  }
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

// The options of one run: progress on the terminal (when it is the only
// run going), the run's log file for the thread that runs it.
ExperimentOptions run_options(bool show_progress) {
  std::shared_ptr<ProgressBar> bar = show_progress ? terminal_progress() : nullptr;
  auto options = ExperimentOptions()
                     .command_line(command_line())
                     .on_phase_end([bar] {
                       if (bar) bar->finish();
                     })
                     .on_ready([](const std::string& d) { set_thread_run_log(d + "/run.log"); });
  if (show_progress) options.on_progress(progress_reporter(bar));
  return options;
}

// Runs with the thread's run log set for the duration.
template <class F>
auto with_run_log(F&& f) {
  struct Reset {
    ~Reset() { set_thread_run_log(""); }
  } reset;
  return f();
}

ExperimentSummary run_one(ConfigNode cfg, const std::string& dir, bool resume, bool force) {
  auto options = run_options(true).run_dir(dir).resume(resume).force(force);
  return with_run_log([&] { return run_experiment(std::move(cfg), options); });
}

StudyOptions study_options(const std::string& out, int64_t jobs) {
  // With several seeds at once, a line per finished seed instead of bars.
  auto run = run_options(jobs == 1);
  return StudyOptions()
      .out(out)
      .jobs(jobs)
      .run(run)
      .on_done([jobs](const std::string& dir, const ExperimentSummary& s) {
        set_thread_run_log("");
        if (jobs == 1) {
          print_summary(dir, s);
        } else {
          static std::mutex mutex;
          std::lock_guard<std::mutex> lock(mutex);
          std::cout << fmt::format("{}: {} {:.2f}{}\n", dir, s.objective_name, s.objective,
                                   s.report_value ? fmt::format("  {}: {:.2f}", s.report_metric,
                                                                *s.report_value)
                                                  : std::string())
                    << std::flush;
        }
      });
}

void run_command(const RunArgs& args) {
  NASCPP_CHECK_CONFIG(args.jobs >= 1, "--jobs must be at least 1, got {}", args.jobs);
  if (!args.resume.empty()) {
    NASCPP_CHECK_CONFIG(args.out.empty() && !args.force && args.config.empty() &&
                            args.overrides.empty() && args.seeds.empty() &&
                            !args.check,
                        "--resume DIR continues the run in DIR with its stored configuration: "
                        "it takes no configuration file, --set, --seeds, --out, --force or --check");
    if (is_study(args.resume)) {
      const auto summaries =
          with_run_log([&] { return resume_study(study_options(args.resume, args.jobs)); });
      std::cout << "all " << summaries.size() << " seeds done: nascpp report " << args.resume
                << "\n";
      return;
    }
    const auto seeds = seed_directories(args.resume);
    if (!RunDirectory::is_run(args.resume) && !seeds.empty()) {
      // A study of an earlier nascpp (no study.json): the seeds it started.
      logger()->warn("'{}' has no study.json (written by an earlier nascpp): resuming the {} "
                     "seed directories it has; seeds that never started are not known",
                     args.resume, seeds.size());
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
    NASCPP_CHECK_CONFIG(args.jobs == 1, "--jobs runs the seeds of --seeds in parallel; without "
                                        "--seeds there is one run");
    print_summary(out, run_one(load_config(args, std::nullopt), out, false, args.force));
    return;
  }
  auto options = study_options(out, args.jobs);
  options.seeds(parse_seed_list(args.seeds)).force(args.force);
  const auto summaries =
      with_run_log([&] { return run_study(load_config(args, std::nullopt), options); });
  std::cout << "all " << summaries.size() << " seeds done: nascpp report " << out << "\n";
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
                  "continue the run in this directory (a study: every seed, also those not "
                  "started)")
      ->check(non_empty());
  cmd->add_option("--jobs", args->jobs, "seeds of --seeds run at once (threads; default 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--force", args->force, "replace an existing run directory");
  cmd->add_flag("--check", args->check,
                "only check the configuration (every key, name and data file) and exit");
  cmd->callback([args] { run_command(*args); });
}

}  // namespace nascpp::cli
